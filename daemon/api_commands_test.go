package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
)

// The methods `pageinbox campaign` and `send` need beyond the TUI's.

// What the commands ask of a daemon: a campaign by id, the Pages, and
// refusals worded exactly as the store words them.
func TestAPICampaignPagesAndRefusals(t *testing.T) {
	st := openStore(t)
	d := startDaemon(t, st, nil)
	c := dial(t, d)
	ctx := context.Background()
	postMessage(t, d, "u1", "m1")

	pages, err := c.Pages(ctx)
	if err != nil || len(pages) != 1 || pages[0].ID != pageID {
		t.Fatalf("pages over /ws: %+v %v", pages, err)
	}
	key := store.ConvKey{PageID: pageID, PSID: "u1"}
	l, err := c.Eligibility(ctx, []store.ConvKey{key})
	if err != nil || len(l.Send) != 1 {
		t.Fatalf("eligibility: %+v %v", l, err)
	}
	camp, err := c.StartCampaign(ctx, store.Campaign{Title: "T", Text: "hello all"}, l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Campaign(ctx, camp.ID)
	if err != nil || got.ID != camp.ID || got.Title != "T" || got.Counts.Queued != 1 {
		t.Errorf("campaign over /ws: %+v %v", got, err)
	}

	// A refusal reads the same through the daemon as from the store, and
	// still matches the store's sentinel.
	_, direct := st.Campaign(ctx, 99)
	_, remote := c.Campaign(ctx, 99)
	if !errors.Is(remote, store.ErrNotFound) || remote.Error() != direct.Error() {
		t.Errorf("campaign 99: remote %q, direct %q", remote, direct)
	}
	old := store.Send{ConvKey: key, Text: "late", MessagingType: store.Response}
	d2 := openStore(t) // the same conversation, 3 days later
	if err := d2.EnsurePages(ctx, []string{pageID}); err != nil {
		t.Fatal(err)
	}
	if err := d2.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: pageID, PSID: "u1", MID: "m1", Text: "hi",
		Time: now.Add(-72 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	_, direct = d2.Enqueue(ctx, old)
	c2 := dial(t, startDaemon(t, d2, nil))
	_, remote = c2.Send(ctx, old)
	if direct == nil || !errors.Is(remote, store.ErrOutsideWindow) || remote.Error() != direct.Error() {
		t.Errorf("send outside the window: remote %q, direct %q", remote, direct)
	}
}

// A campaign's ledger and items travel whole: more than the 1 MiB a frame
// used to be allowed, either way.
func TestAPICarriesBigLedgers(t *testing.T) {
	d := startDaemon(t, openStore(t), nil)
	c := dial(t, d)
	const n = 30000
	keys := make([]store.ConvKey, n)
	for i := range keys {
		keys[i] = store.ConvKey{PageID: pageID, PSID: fmt.Sprintf("2490000000%06d", i)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	postMessage(t, d, "u1", "m1") // the Page exists
	l, err := c.Eligibility(ctx, keys)
	if err != nil || len(l.Skip) != n {
		t.Fatalf("eligibility of %d: %d skipped, %v", n, len(l.Skip), err)
	}
	if _, err := c.Counts(ctx); err != nil {
		t.Errorf("the connection did not survive: %v", err)
	}
}

// A one-shot command calls the daemon the moment Dial returns: the
// connection must be ready by then.
func TestClientIsReadyWhenDialReturns(t *testing.T) {
	d := startDaemon(t, openStore(t), nil)
	for i := 0; i < 50; i++ {
		c, err := daemon.Dial(context.Background(), d.url, apiToken, store.Agent{ID: "cli", Name: "cli"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Counts(context.Background())
		c.Close()
		if err != nil {
			t.Fatalf("call %d right after Dial: %v", i, err)
		}
	}
}
