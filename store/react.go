package store

import (
	"context"
	"fmt"
	"strings"
)

// ErrUnknownMessage: no message with that mid is in the conversation.
var ErrUnknownMessage = fmt.Errorf("store: %w: no such message in this conversation", ErrInvalid)

// SetPageReaction records the Page's own reaction on a message of key's
// thread, after Meta has taken it: emoji "" takes the reaction off. The
// Page's reaction is the one whose From is the Page ID; a customer's stay.
func (s *Store) SetPageReaction(ctx context.Context, key ConvKey, mid, emoji string) (Message, error) {
	var out Message
	err := s.write(ctx, 1, func(w *wtx) error {
		k, m, err := w.messageByMID(key.PageID, mid)
		if err != nil {
			return err
		}
		if k == nil || m.PSID != key.PSID {
			return ErrUnknownMessage
		}
		kept := m.Reactions[:0]
		for _, r := range m.Reactions {
			if r.From != key.PageID {
				kept = append(kept, r)
			}
		}
		m.Reactions = kept
		if emoji != "" {
			m.Reactions = append(m.Reactions, Reaction{From: key.PageID, Reaction: "other", Emoji: emoji, Time: s.now()})
		}
		out = *m
		return w.putMessage(k, m)
	})
	return out, err
}

// PageReaction is the Page's own reaction on m, "" when none.
func PageReaction(m Message) string {
	for _, r := range m.Reactions {
		if r.From == m.PageID && strings.TrimSpace(r.Emoji) != "" {
			return r.Emoji
		}
	}
	return ""
}
