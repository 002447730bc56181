package daemon_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/inbox/inboxtest"
	"github.com/pageinbox/pageinbox/store"
)

// An attached client keeps the same contract as the inbox it reaches over
// /ws: every method of the table, and the pushed changes in commit order.
func TestClientKeepsTheContract(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	inboxtest.Run(t, func(t *testing.T) inboxtest.World {
		st, receive := inboxtest.OnStore(t, now)
		ctx, cancel := context.WithCancel(context.Background())
		srv := daemon.NewServer(&inbox.Local{Store: st, Wake: func() {}, Reactor: inboxtest.AcceptReactions,
			Uploader: inboxtest.AcceptUploads, SpoolDir: t.TempDir()}, apiToken, nil)
		go srv.Run(ctx)
		hs := httptest.NewServer(srv)
		t.Cleanup(func() { cancel(); hs.Close() })
		c, err := daemon.Dial(ctx, "ws"+strings.TrimPrefix(hs.URL, "http")+"/ws", apiToken, store.Agent{ID: "t", Name: "tester"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		// No wait for the server to take the client: it does before the
		// welcome Dial returns on (Server.add).
		return inboxtest.World{Backend: c, Now: now, Receive: func(key store.ConvKey, text string, at time.Time) {
			t.Helper()
			receiveOverTheWire(t, c, receive, key, text, at)
		}, PutTemplates: inboxtest.PutTemplates(t, st)}
	})
}

// receiveOverTheWire stores a message and returns once the client has had
// its changes: the daemon pushes them after the commit, so without the
// wait they could reach a subscription the test opens afterwards.
func receiveOverTheWire(t *testing.T, c *daemon.Client, receive func(store.ConvKey, string, time.Time),
	key store.ConvKey, text string, at time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed, err := c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	receive(key, text, at)
	seenMessage := false
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ch := <-feed:
			switch {
			case ch.Kind == store.MessageAdded && ch.Message.ConvKey == key && ch.Message.Text == text:
				seenMessage = true
			case seenMessage && ch.Kind == store.ConversationUpdated && ch.Conversation.ConvKey == key:
				return
			}
		case <-deadline:
			t.Fatalf("the client never had %q in %v", text, key)
		}
	}
}
