package tui

import (
	"context"
	"fmt"

	"github.com/pageinbox/pageinbox/store"
)

// React records the Page's reaction on the message, as the store does
// after Meta's 200, and publishes it.
func (f *fakeBackend) React(ctx context.Context, key store.ConvKey, mid, emoji string) (store.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "React"); err != nil {
		return store.Message{}, err
	}
	msgs := f.msgs[key]
	for i := range msgs {
		if msgs[i].MID != mid {
			continue
		}
		var kept []store.Reaction
		for _, r := range msgs[i].Reactions {
			if r.From != key.PageID {
				kept = append(kept, r)
			}
		}
		if emoji != "" {
			kept = append(kept, store.Reaction{From: key.PageID, Reaction: "other", Emoji: emoji, Time: f.now()})
		}
		msgs[i].Reactions = kept
		m := msgs[i]
		f.publishLocked([]store.Change{{Kind: store.MessageChanged, Message: &m}})
		return m, nil
	}
	return store.Message{}, fmt.Errorf("%w: no message %s", store.ErrUnknownMessage, mid)
}

// Typing is recorded as a call ("Typing"); the fake sends nothing.
func (f *fakeBackend) Typing(ctx context.Context, key store.ConvKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.begin(ctx, "Typing")
}

// checkReplyToLocked refuses a reply to a message its thread does not
// have, as the store does.
func (f *fakeBackend) checkReplyToLocked(s store.Send) error {
	if s.ReplyTo == "" {
		return nil
	}
	for _, m := range f.msgs[s.ConvKey] {
		if m.MID == s.ReplyTo {
			return nil
		}
	}
	return fmt.Errorf("reply to %s: %w", s.ReplyTo, store.ErrUnknownMessage)
}
