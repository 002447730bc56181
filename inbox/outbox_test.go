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

// fileOutbox is an Outbox on a fresh data file whose customers wrote
// within the window, sending to the emulator with this process's
// dispatcher.
func fileOutbox(t *testing.T, psids ...string) (*inbox.Outbox, *fbtest.Server, *store.Store) {
	t.Helper()
	srv := fbtest.NewServer(fbtest.Config{})
	t.Cleanup(srv.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	st.EnsurePages(ctx, []string{srv.PageID()})
	for _, psid := range psids {
		at := time.Now().Add(-time.Hour)
		srv.AddUser(psid, "Customer "+psid)
		srv.Inbound(psid, at)
		if err := st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: srv.PageID(), PSID: psid, MID: "m-" + psid, Text: "hi", Time: at}}); err != nil {
			t.Fatal(err)
		}
	}
	gc := fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), Version: "v25.0", PageToken: fbtest.DefaultPageToken})
	ob := inbox.OnFile(st, store.Agent{ID: "t", Name: "tester"}, gc, fbgraph.DispatcherOptions{EchoWait: -1, Poll: 20 * time.Millisecond})
	return ob, srv, st
}

// Deliver on the file sends with this process's dispatcher and returns
// the item as Meta's answer settled it; a refusal before Meta leaves
// nothing queued.
func TestDeliverOnTheFile(t *testing.T) {
	ob, srv, st := fileOutbox(t, "u1")
	ctx := context.Background()
	page, err := ob.Page(ctx, "")
	if err != nil || page != srv.PageID() {
		t.Fatalf("Page = %q, %v; want the only Page of the file", page, err)
	}
	it, err := ob.Deliver(ctx, store.Send{ConvKey: store.ConvKey{PageID: page, PSID: "u1"}, Text: "on its way"}, nil)
	if err != nil || it.State != store.OutboxSent || it.MID == "" {
		t.Fatalf("Deliver = %+v, %v", it, err)
	}
	if sent := srv.SentTo("u1"); len(sent) != 1 || sent[0].MID != it.MID {
		t.Errorf("Meta got %+v, want the one send %s", sent, it.MID)
	}
	_, err = ob.Deliver(ctx, store.Send{ConvKey: store.ConvKey{PageID: page, PSID: "nobody"}, Text: "hi"}, nil)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Deliver to nobody: %v, want ErrNotFound", err)
	}
	if n, _ := st.Queued(ctx); n != 0 {
		t.Errorf("%d left queued", n)
	}
}

// DriveCampaign on the file runs this process's dispatcher until every
// recipient has an outcome, telling progress on the way; with the token
// refused it pauses the campaign and says why.
func TestDriveCampaignOnTheFile(t *testing.T) {
	ob, srv, _ := fileOutbox(t, "u1", "u2", "u3")
	ctx := context.Background()
	keys, err := inbox.Recipients(ctx, ob, srv.PageID(), nil, "")
	if err != nil || len(keys) != 3 {
		t.Fatalf("Recipients = %v, %v", keys, err)
	}
	start := func() uint64 {
		t.Helper()
		l, err := ob.Eligibility(ctx, keys)
		if err != nil || l.Counts().Send != 3 {
			t.Fatalf("ledger %+v, %v", l.Counts(), err)
		}
		c, err := ob.StartCampaign(ctx, store.Campaign{Title: "T", Text: "news"}, l)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	told := 0
	opt := inbox.DriveOptions{Poll: 10 * time.Millisecond, Progress: func(inbox.Progress) { told++ }}
	d, err := ob.DriveCampaign(ctx, start(), opt)
	if err != nil || d.Ending != inbox.Finished || d.Campaign.Status != store.CampaignDone || d.Campaign.Counts.Sent != 3 {
		t.Fatalf("drive = %+v, %v", d, err)
	}
	if told == 0 {
		t.Error("no progress told")
	}

	srv.SetToken("another token")
	d, err = ob.DriveCampaign(ctx, start(), opt)
	if err != nil || d.Ending != inbox.SendingStopped || d.Why == "" || d.Campaign.Status != store.CampaignPaused {
		t.Fatalf("drive with a refused token = %+v, %v", d, err)
	}
	if d.Campaign.Counts.Sent != 0 || d.Campaign.Counts.Queued != 3 {
		t.Errorf("refused campaign counts %+v, want all 3 still queued", d.Campaign.Counts)
	}
}

// Recipients by PSID are taken as given; by filter, only the Page's.
func TestRecipients(t *testing.T) {
	st := openStore(t, "u1", "u2")
	ctx := context.Background()
	st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: "other", PSID: "x", MID: "m-x", Text: "hi", Time: time.Now()}})
	b := &inbox.Local{Store: st}
	keys, err := inbox.Recipients(ctx, b, page, []string{"a", "b"}, store.FilterUnread)
	if err != nil || len(keys) != 2 || keys[1] != key("b") {
		t.Errorf("by PSID: %v, %v", keys, err)
	}
	keys, err = inbox.Recipients(ctx, b, page, nil, "")
	if err != nil || len(keys) != 2 {
		t.Errorf("all of page %s: %v, %v", page, keys, err)
	}
}
