package inboxtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// AcceptReactions is a Reactor standing in for Meta answering 200: the
// worlds of the contract give it to a Local.
func AcceptReactions(_ context.Context, _ store.ConvKey, _, emoji string) (string, error) {
	return emoji, nil
}

// A reply names a message of its own thread; a mid of another thread is
// refused. A reaction on a message is recorded on it and published; on a
// message the thread does not have it is refused.
func replyToAndReact(t *testing.T, w World) {
	ctx := context.Background()
	w.Receive(key("u1"), "which size?", w.Now.Add(-time.Hour))
	w.Receive(key("u2"), "hello", w.Now.Add(-time.Hour))
	mid := func(psid string) string {
		t.Helper()
		p, err := w.Backend.Thread(ctx, key(psid), "", 50)
		if err != nil || len(p.Messages) != 1 || p.Messages[0].MID == "" {
			t.Fatalf("thread of %s: %+v, %v", psid, p.Messages, err)
		}
		return p.Messages[0].MID
	}
	asked, other := mid("u1"), mid("u2")
	if _, err := w.Backend.Send(ctx, store.Send{ConvKey: key("u1"), Text: "M", ReplyTo: other}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a reply to another thread's message: %v, want ErrInvalid", err)
	}
	it, err := w.Backend.Send(ctx, store.Send{ConvKey: key("u1"), Text: "M", ReplyTo: asked})
	if err != nil || it.ReplyTo != asked {
		t.Fatalf("a reply to %s: %+v, %v", asked, it, err)
	}

	feed := subscribe(t, w.Backend)
	m, err := w.Backend.React(ctx, key("u1"), asked, "👍")
	if err != nil || m.MID != asked || store.PageReaction(m) != "👍" {
		t.Fatalf("React = %+v, %v", m, err)
	}
	waitReaction(t, feed, asked, "👍")
	if m, err = w.Backend.React(ctx, key("u1"), asked, ""); err != nil || store.PageReaction(m) != "" {
		t.Errorf("unreact = %+v, %v", m.Reactions, err)
	}
	if _, err := w.Backend.React(ctx, key("u1"), other, "👍"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a reaction on another thread's message: %v, want ErrInvalid", err)
	}
}

// waitReaction reads the feed until mid is published with the Page's
// reaction emoji.
func waitReaction(t *testing.T, feed <-chan store.Change, mid, emoji string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ch := <-feed:
			if ch.Kind == store.MessageChanged && ch.Message != nil && ch.Message.MID == mid && store.PageReaction(*ch.Message) == emoji {
				return
			}
		case <-deadline:
			t.Fatalf("%s was not published with the reaction %q within 10 s", mid, emoji)
		}
	}
}
