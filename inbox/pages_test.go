package inbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// TestServiceActsWithEachPagesToken: with two Pages, a reaction, typing
// and a name lookup for Page B's customer go with B's token (the
// emulator refuses A's on B's customers), and a Page without a token is
// refused with NoPageTokenError, never tried with another's.
func TestServiceActsWithEachPagesToken(t *testing.T) {
	const pageB, tokB, pageC = "1000000000000002", "tok-b", "1000000000000003"
	srv := fbtest.NewServer(fbtest.Config{Pages: []fbtest.Page{{ID: pageB, Name: "Harbour Kids", Token: tokB}}})
	t.Cleanup(srv.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	pageA, at := srv.PageID(), time.Now().Add(-time.Hour)
	st.EnsurePages(ctx, []string{pageA, pageB, pageC})
	srv.AddUser("ua", "Ann A")
	srv.AddPageUser(pageB, "ub", "Bo B")
	for _, k := range []store.ConvKey{{PageID: pageA, PSID: "ua"}, {PageID: pageB, PSID: "ub"}, {PageID: pageC, PSID: "uc"}} {
		if k.PageID != pageC {
			srv.InboundMessage(k.PSID, "m-"+k.PSID, "hi", at)
		}
		if err := st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: k.PageID, PSID: k.PSID, MID: "m-" + k.PSID, Text: "hi", Time: at}}); err != nil {
			t.Fatal(err)
		}
	}
	pages := fbgraph.NewPages()
	pages.Add(pageA, fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), PageToken: fbtest.DefaultPageToken}))
	pages.Add(pageB, fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), PageToken: tokB}))
	svc := inbox.Start(ctx, st, inbox.Options{Pages: pages, Agent: store.Agent{ID: "a1", Name: "ana"}})
	t.Cleanup(func() { cancel(); svc.Wait() })

	keyB := store.ConvKey{PageID: pageB, PSID: "ub"}
	if _, err := svc.React(ctx, keyB, "m-ub", "👍"); err != nil {
		t.Fatalf("react on Page B: %v", err)
	}
	if err := svc.Typing(ctx, keyB); err != nil {
		t.Fatal(err)
	}
	acts := srv.Actions()
	if len(acts) != 2 || acts[0].PageID != pageB || acts[1].PageID != pageB || acts[1].Action != "typing_on" {
		t.Errorf("Meta got %+v, want a react and a typing_on from Page B", acts)
	}
	if _, err := svc.React(ctx, store.ConvKey{PageID: pageC, PSID: "uc"}, "m-uc", "👍"); !errors.Is(err, fbgraph.ErrNoPageToken) {
		t.Errorf("react on Page C: %v, want no token", err)
	}
	svc.Names().Want(keyB)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := st.Conversation(ctx, keyB)
		if err == nil && c.Name == "Bo B" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Page B's customer not named: %+v %v", c, err)
		}
	}
}
