package inbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

const page = "P"

// openStore is a fresh data file with one Page and customers who wrote
// (each at its own time, the first most recently).
func openStore(t *testing.T, psids ...string) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if err := st.EnsurePages(ctx, []string{page}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, psid := range psids {
		ev := store.Event{Kind: store.EventMessage, PageID: page, PSID: psid, MID: "m-" + psid, Text: "hello from " + psid,
			Time: now.Add(-time.Duration(i+1) * time.Minute)}
		if err := st.Ingest(ctx, []store.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func key(psid string) store.ConvKey { return store.ConvKey{PageID: page, PSID: psid} }

// Each agent's drafts are their own: As acts for another agent on the
// same store, and never sees the first one's draft.
func TestDraftsAreTheAgentsOwn(t *testing.T) {
	st := openStore(t, "u1")
	ctx := context.Background()
	ana := &inbox.Local{Store: st, Agent: store.Agent{ID: "a1", Name: "ana"}}
	ben := ana.As(store.Agent{ID: "b1", Name: "ben"})
	if err := ana.SaveDraft(ctx, key("u1"), "ana's words"); err != nil {
		t.Fatal(err)
	}
	if err := ben.SaveDraft(ctx, key("u1"), "ben's words"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		b    inbox.Backend
		want string
	}{{ana, "ana's words"}, {ben, "ben's words"}, {ana.As(store.Agent{ID: "a2", Name: "ana"}), "ana's words"}} {
		if got, err := c.b.Draft(ctx, key("u1")); err != nil || got != c.want {
			t.Errorf("draft = %q, %v; want %q", got, err, c.want)
		}
	}
}

// Presence goes through the shared board: every subscriber hears who is
// where, moving from one conversation to another announces both, and
// leaving (the zero key) empties the conversation.
func TestPresenceAnnouncesWhoIsWhere(t *testing.T) {
	st := openStore(t, "u1", "u2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base := &inbox.Local{Store: st, Board: inbox.NewPresenceBoard()}
	changes, err := base.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ana := base.As(store.Agent{ID: "a", Name: "Ana"})
	ben := base.As(store.Agent{ID: "b", Name: "Ben"})
	next := func() store.Presence {
		t.Helper()
		for {
			select {
			case ch := <-changes:
				if ch.Kind == store.PresenceChanged {
					return *ch.Presence
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no presence change within 10 s")
			}
		}
	}
	names := func(p store.Presence) (out []string) {
		for _, a := range p.Agents {
			n := a.Name
			if a.Typing {
				n += " typing"
			}
			out = append(out, n)
		}
		return out
	}
	ana.Presence(ctx, key("u1"), false)
	if p := next(); p.Key != key("u1") || len(p.Agents) != 1 || p.Agents[0].Name != "Ana" {
		t.Fatalf("Ana opened u1: %+v", p)
	}
	ben.Presence(ctx, key("u1"), true)
	if p := next(); strings.Join(names(p), ", ") != "Ana, Ben typing" {
		t.Fatalf("Ben typing in u1: %v", names(p))
	}
	ben.Presence(ctx, key("u1"), true) // no change: nothing announced
	ana.Presence(ctx, key("u2"), false)
	if p := next(); p.Key != key("u1") || strings.Join(names(p), ", ") != "Ben typing" {
		t.Fatalf("Ana left u1: %+v %v", p.Key, names(p))
	}
	if p := next(); p.Key != key("u2") || strings.Join(names(p), ", ") != "Ana" {
		t.Fatalf("Ana went to u2: %+v %v", p.Key, names(p))
	}
	ben.Presence(ctx, store.ConvKey{}, false)
	if p := next(); p.Key != key("u1") || len(p.Agents) != 0 {
		t.Fatalf("Ben left: %+v", p)
	}
}

// Without a dispatcher (no Page token) nothing is queued, the status says
// why, and the campaign ledger blocks everyone for that reason.
func TestLocalWithoutSendingRefusesToQueue(t *testing.T) {
	st := openStore(t, "u1")
	ctx := context.Background()
	b := &inbox.Local{Store: st}
	if _, err := b.Send(ctx, store.Send{ConvKey: key("u1"), Text: "hi"}); !errors.Is(err, inbox.ErrSendingOff) {
		t.Errorf("Send without a dispatcher: %v, want ErrSendingOff", err)
	}
	if n, _ := st.Queued(ctx); n != 0 {
		t.Errorf("%d queued, want none", n)
	}
	s, err := b.Status(ctx)
	if err != nil || s.Sending != inbox.ErrSendingOff.Error() || !s.Connected {
		t.Errorf("status = %+v, %v", s, err)
	}
	l, err := b.Eligibility(ctx, []store.ConvKey{key("u1")})
	if err != nil || l.Counts().Blocked != 1 || l.TokenProblem != inbox.ErrSendingOff.Error() {
		t.Errorf("ledger without sending: %+v, %v", l.Counts(), err)
	}
	if _, err := b.StartCampaign(ctx, store.Campaign{Title: "T", Text: "x"}, l); !errors.Is(err, inbox.ErrSendingOff) {
		t.Errorf("StartCampaign without a dispatcher: %v", err)
	}
}

// With a dispatcher, a send is queued and the dispatcher woken; the
// commands' reads (Item, Pages) see it.
func TestLocalSendWakesTheDispatcher(t *testing.T) {
	st := openStore(t, "u1")
	ctx := context.Background()
	woken := 0
	b := &inbox.Local{Store: st, Wake: func() { woken++ }}
	item, err := b.Send(ctx, store.Send{ConvKey: key("u1"), Text: "hi"})
	if err != nil || woken != 1 {
		t.Fatalf("Send: %v, woken %d times", err, woken)
	}
	got, err := b.Item(ctx, item.ID)
	if err != nil || got.State != store.OutboxQueued || got.Text != "hi" {
		t.Errorf("Item = %+v, %v", got, err)
	}
	pages, err := b.Pages(ctx)
	if err != nil || len(pages) != 1 || pages[0].ID != page {
		t.Errorf("Pages = %+v, %v", pages, err)
	}
	if _, err := b.Send(ctx, store.Send{ConvKey: key("nobody"), Text: "hi"}); !errors.Is(err, store.ErrNotFound) || woken != 1 {
		t.Errorf("Send to nobody: %v, woken %d", err, woken)
	}
}
