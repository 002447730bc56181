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

// A client is taken only once the server receives the store's changes:
// one attached before Run subscribed would miss what is committed in
// between (the contract test saw it under load).
func TestClientWaitsUntilTheServerReceivesChanges(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	st, receive := inboxtest.OnStore(t, now)
	srv := daemon.NewServer(&inbox.Local{Store: st, Wake: func() {}}, apiToken, nil)
	hs := httptest.NewServer(srv)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); hs.Close() })

	dialled := make(chan *daemon.Client, 1)
	go func() {
		c, err := daemon.Dial(ctx, "ws"+strings.TrimPrefix(hs.URL, "http")+"/ws", apiToken, store.Agent{ID: "t", Name: "tester"}, nil)
		if err != nil {
			t.Error(err)
		}
		dialled <- c
	}()
	select {
	case <-dialled:
		t.Fatal("a client attached before the server received any change")
	case <-time.After(200 * time.Millisecond):
	}
	go srv.Run(ctx)
	c := <-dialled
	if c == nil {
		return
	}
	t.Cleanup(func() { c.Close() })
	feed, err := c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := store.ConvKey{PageID: inboxtest.Page, PSID: "w1"}
	receive(key, "right after attaching", now)
	for deadline := time.After(10 * time.Second); ; {
		select {
		case ch := <-feed:
			if ch.Kind == store.MessageAdded && ch.Message.Text == "right after attaching" {
				return
			}
		case <-deadline:
			t.Fatal("the first change after attaching never arrived")
		}
	}
}
