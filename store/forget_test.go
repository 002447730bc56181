package store_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	bolt "go.etcd.io/bbolt"
)

// lineScrub plays webhook.Scrub for bodies of "psid:text" lines: the
// store's side of a forget is what is tested here.
type lineScrub struct{ psid string }

func (l lineScrub) Mentions(raw []byte) bool { return bytes.Contains(raw, []byte(l.psid+":")) }

func (l lineScrub) ScrubBody(body []byte) ([]byte, bool) {
	var kept [][]byte
	for _, line := range bytes.Split(body, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(l.psid+":")) {
			kept = append(kept, line)
		}
	}
	return bytes.Join(kept, []byte("\n")), len(kept) > 0
}

// listed counts a filter by walking it, to hold the stored counts against.
func listed(t *testing.T, s *store.Store, f store.Filter) int {
	t.Helper()
	n := 0
	var after store.Cursor
	for {
		p, err := s.Conversations(ctx(), f, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Conversations)
		if p.Next == "" {
			return n
		}
		after = p.Next
	}
}

func checkCounts(t *testing.T, s *store.Store) store.Counts {
	t.Helper()
	c, err := s.AllCounts(ctx())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		filter store.Filter
		n      int
	}{{store.FilterAll, c.All}, {store.FilterUnread, c.Unread}, {store.FilterDone, c.Done}} {
		if got := listed(t, s, f.filter); got != f.n {
			t.Errorf("filter %s counts %d but lists %d", f.filter, f.n, got)
		}
	}
	return c
}

func TestForgetRemovesOneCustomerAndNobodyElse(t *testing.T) {
	c := newClock(t0.Add(time.Hour))
	s, path := openStore(t, c)
	// u1 is forgotten; u2 shares journal bodies and a campaign with them;
	// u3 is done (the done filter must stay right).
	if err := s.IngestJournaled(ctx(), []byte("u1:hi\nu2:hello"), []store.Event{
		msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hello", at(time.Second))}); err != nil {
		t.Fatal(err)
	}
	if err := s.IngestJournaled(ctx(), []byte("u1:my address is 1 Main St"), []store.Event{
		msg("u1", "m3", "my address is 1 Main St", at(2*time.Second)),
		echo("u1", "e1", "thanks", at(3*time.Second)),
		{Kind: store.EventUnknown, PageID: page, PSID: "u1", Time: at(4 * time.Second), Raw: []byte(`{"u1:optin":1}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.IngestJournaled(ctx(), []byte("u3:bye"), []store.Event{msg("u3", "m4", "bye", at(5*time.Second))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx(), key("u3"), store.ConvDone); err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct{ owner, psid string }{{"ana", "u1"}, {"ben", "u1"}, {"", "u1"}, {"ana", "u2"}} {
		if err := s.SaveDraft(ctx(), d.owner, key(d.psid), "draft of "+d.owner); err != nil {
			t.Fatal(err)
		}
	}
	// Four messages of u1: m1, m3, e1 and the queued reply.
	reply, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "we ship to 1 Main St"})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T", Text: "sale"},
		[]store.Recipient{{ConvKey: key("u1")}, {ConvKey: key("u2")}})
	if err != nil {
		t.Fatal(err)
	}
	before := checkCounts(t, s)

	rep, err := s.Forget(ctx(), "", "u1", lineScrub{"u1"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.ForgetReport{Pages: []string{page}, Conversations: 1, Messages: 4, Drafts: 3, OutboxItems: 2,
		UnknownEvents: 1, JournalRemoved: 1, JournalRewritten: 1, At: c.Now()}
	if rep.Conversations != want.Conversations || rep.Messages != want.Messages || rep.Drafts != want.Drafts ||
		rep.OutboxItems != want.OutboxItems || rep.UnknownEvents != want.UnknownEvents ||
		rep.JournalRemoved != want.JournalRemoved || rep.JournalRewritten != want.JournalRewritten ||
		len(rep.Pages) != 1 || !rep.At.Equal(want.At) {
		t.Errorf("report %+v\nwant   %+v", rep, want)
	}

	if _, err := s.Conversation(ctx(), key("u1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("conversation: %v, want not found", err)
	}
	if _, err := s.Thread(ctx(), key("u1"), "", 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("thread: %v, want not found", err)
	}
	for _, mid := range []string{"m1", "m3", "e1"} {
		if _, err := s.MessageByMID(ctx(), page, mid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("mid %s still indexed: %v", mid, err)
		}
	}
	for _, owner := range []string{"ana", "ben", ""} {
		if d, _ := s.Draft(ctx(), owner, key("u1")); d != "" {
			t.Errorf("%q's draft of u1 survived: %q", owner, d)
		}
	}
	if d, _ := s.Draft(ctx(), "ana", key("u2")); d != "draft of ana" {
		t.Errorf("ana's draft of u2 = %q", d)
	}
	if _, err := s.Item(ctx(), reply.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the reply to u1 is still in the outbox: %v", err)
	}
	if n, _ := s.Queued(ctx()); n != 1 {
		t.Errorf("queued = %d, want 1 (u2's campaign message)", n)
	}
	items, _ := s.CampaignItems(ctx(), camp.ID)
	got, _ := s.Campaign(ctx(), camp.ID)
	if len(items) != 1 || items[0].PSID != "u2" || got.Counts.Total != 1 || got.Counts.Queued != 1 {
		t.Errorf("campaign after forget: %+v, items %+v", got.Counts, items)
	}
	if th := thread(t, s, "u2"); len(th) != 1 || th[0].Text != "hello" { // the campaign's shows when it is claimed
		t.Errorf("u2's thread: %+v", th)
	}

	after := checkCounts(t, s)
	if after.All != before.All-1 || after.Unread != before.Unread-1 || after.Done != before.Done {
		t.Errorf("counts %+v -> %+v: want one fewer in all and unread", before, after)
	}

	entries, _, err := s.Journal(ctx(), time.Time{}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, e := range entries {
		bodies = append(bodies, string(e.Raw))
	}
	if len(bodies) != 2 || bodies[0] != "u2:hello" || bodies[1] != "u3:bye" {
		t.Errorf("journal after forget: %q", bodies)
	}

	s.Close()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if bytes.Contains(k, []byte("u1")) || bytes.Contains(v, []byte("u1")) ||
					bytes.Contains(v, []byte("1 Main St")) {
					t.Errorf("bucket %s still holds u1: %q = %q", name, k, v)
				}
				return nil
			})
		})
	})
}

// After a forget, their events from before it are dropped wherever they
// come from (a redelivery, replay, sync); a message after it starts a new
// conversation that owes nothing to the old one.
func TestForgottenCustomerComesBackAsNew(t *testing.T) {
	c := newClock(t0.Add(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "old", at(0)), msg("u1", "m2", "older news", at(time.Second)))
	if _, err := s.Forget(ctx(), page, "u1", lineScrub{"u1"}); err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, msg("u1", "m1", "old", at(0)), echo("u1", "e9", "synced reply", at(2*time.Second)),
		store.Event{Kind: store.EventRead, PageID: page, PSID: "u1", Watermark: at(3 * time.Second)})
	if _, err := s.Conversation(ctx(), key("u1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old events brought u1 back: %v", err)
	}

	c.Advance(time.Minute)
	mustIngest(t, s, msg("u1", "m5", "hello again", c.Now()))
	got := conv(t, s, "u1")
	if got.MessageCount != 1 || got.Unread != 1 || got.LastMessage != "hello again" {
		t.Errorf("new conversation = %+v", got)
	}
	if th := thread(t, s, "u1"); len(th) != 1 || th[0].MID != "m5" {
		t.Errorf("new thread = %+v", th)
	}
	checkCounts(t, s)
}

// A send to them in flight refuses the forget and changes nothing.
func TestForgetRefusedWhileSending(t *testing.T) {
	c := newClock(t0.Add(time.Minute))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "on its way"}); err != nil {
		t.Fatal(err)
	}
	if items, err := s.Claim(ctx(), 10); err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %v", items, err)
	}
	if _, err := s.Forget(ctx(), page, "u1", lineScrub{"u1"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("forget while sending: %v, want a refusal", err)
	}
	if got := conv(t, s, "u1"); got.MessageCount != 2 {
		t.Errorf("refused forget changed the conversation: %+v", got)
	}
	if _, err := s.Forget(ctx(), "NOPAGE", "u1", lineScrub{"u1"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("forget on an unknown page: %v", err)
	}
	for _, bad := range []string{"", "u1\x00x"} {
		if _, err := s.Forget(ctx(), page, bad, lineScrub{bad}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("forget %q: %v, want ErrInvalid", bad, err)
		}
	}
}

// A webhook body that brings a forgotten customer's old events again (a
// redelivery) is journaled without them, or not at all.
func TestRedeliveryAfterForgetIsJournaledWithoutThem(t *testing.T) {
	c := newClock(t0.Add(time.Hour))
	s, err := store.Open(t.TempDir()+"/inbox.db", store.Options{Now: c.Now,
		Scrubber: func(_, psid string) store.JournalScrubber { return lineScrub{psid} }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutPage(ctx(), store.Page{ID: page}); err != nil {
		t.Fatal(err)
	}
	if err := s.IngestJournaled(ctx(), []byte("u1:old"), []store.Event{msg("u1", "m1", "old", at(0))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(ctx(), page, "u1", lineScrub{"u1"}); err != nil {
		t.Fatal(err)
	}
	for _, redelivery := range []struct {
		body string
		evs  []store.Event
	}{
		{"u1:old", []store.Event{msg("u1", "m1", "old", at(0))}},
		{"u1:old\nu2:hi", []store.Event{msg("u1", "m1", "old", at(0)), msg("u2", "m2", "hi", at(time.Second))}},
	} {
		if err := s.IngestJournaled(ctx(), []byte(redelivery.body), redelivery.evs); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(time.Minute)
	if err := s.IngestJournaled(ctx(), []byte("u1:new"), []store.Event{msg("u1", "m3", "new", c.Now())}); err != nil {
		t.Fatal(err)
	}
	entries, _, _ := s.Journal(ctx(), time.Time{}, "", 10)
	var bodies []string
	for _, e := range entries {
		bodies = append(bodies, string(e.Raw))
	}
	if len(bodies) != 2 || bodies[0] != "u2:hi" || bodies[1] != "u1:new" {
		t.Errorf("journal = %q, want u2's part of the redelivery and u1's new message", bodies)
	}
}
