package store_test

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func listKeys(t *testing.T, s *store.Store, q store.ListQuery) []string {
	t.Helper()
	p, err := s.List(ctx(), q)
	if err != nil {
		t.Fatalf("list %+v: %v", q, err)
	}
	var out []string
	for _, c := range p.Conversations {
		out = append(out, c.PSID)
	}
	return out
}

// A snooze holds until its time or the customer's next message; done holds
// until the customer writes; both come back open, in the open index.
func TestStatesReopenOnInboundAndWake(t *testing.T) {
	c := newClock(at(time.Hour))
	s, path := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(time.Minute)), msg("u3", "m3", "hi", at(2*time.Minute)))
	if _, err := s.SetState(ctx(), key("u1"), store.ConvSnoozed, at(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetState(ctx(), key("u2"), store.ConvSnoozed, at(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx(), key("u3"), store.ConvDone); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetState(ctx(), key("u3"), store.ConvSnoozed, time.Time{}); err == nil {
		t.Error("a snooze without a time was taken")
	}
	if got := listKeys(t, s, store.ListQuery{Filter: store.FilterSnoozed}); !slices.Equal(got, []string{"u2", "u1"}) {
		t.Errorf("snoozed = %v", got)
	}
	if got := listKeys(t, s, store.ListQuery{Filter: store.FilterOpen}); len(got) != 0 {
		t.Errorf("open = %v", got)
	}
	mustIngest(t, s, msg("u3", "m4", "again", at(3*time.Minute)))
	s.Close()
	s = reopen(t, path, c) // the snoozes survive a restart
	if next, err := s.NextWake(ctx()); err != nil || !next.Equal(at(2*time.Hour)) {
		t.Errorf("next wake = %v %v", next, err)
	}
	if woke, err := s.WakeDue(ctx(), at(90*time.Minute)); err != nil || len(woke) != 0 {
		t.Errorf("woke early: %v %v", woke, err)
	}
	woke, err := s.WakeDue(ctx(), at(2*time.Hour))
	if err != nil || !slices.Equal(woke, []store.ConvKey{key("u2")}) {
		t.Fatalf("woke = %v %v", woke, err)
	}
	mustIngest(t, s, msg("u1", "m5", "parcel?", at(4*time.Minute)))
	if got := listKeys(t, s, store.ListQuery{Filter: store.FilterOpen}); !slices.Equal(got, []string{"u1", "u3", "u2"}) {
		t.Errorf("open after wake and inbound = %v", got)
	}
	if n, _ := s.Count(ctx(), store.FilterSnoozed); n != 0 {
		t.Errorf("snoozed count = %d", n)
	}
	if conv, _ := s.Conversation(ctx(), key("u1")); conv.Status != store.ConvOpen || !conv.SnoozedUntil.IsZero() {
		t.Errorf("u1 = %+v", conv)
	}
	if next, _ := s.NextWake(ctx()); !next.IsZero() {
		t.Errorf("a woken snooze is still due at %v", next)
	}
}

// Mine, Unassigned and a label filter list what they hold, newest first,
// page by page, and follow a conversation's activity, assignee and labels.
func TestAssigneeAndLabelIndexes(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	for i, p := range []string{"u1", "u2", "u3", "u4"} {
		mustIngest(t, s, msg(p, "m"+p, "hi", at(time.Duration(i)*time.Minute)))
	}
	for _, p := range []string{"u1", "u3", "u4"} {
		if _, err := s.Assign(ctx(), key(p), "ana"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Assign(ctx(), key("u4"), "ben"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeLabels(ctx(), key("u2"), []string{"wholesale", "vip"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ToggleLabel(ctx(), key("u3"), "wholesale"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ToggleLabel(ctx(), key("u2"), "vip"); err != nil { // off again
		t.Fatal(err)
	}
	mustIngest(t, s, msg("u1", "m9", "again", at(10*time.Minute))) // u1 moves to the top
	if got := listKeys(t, s, store.ListQuery{Assignee: "ana"}); !slices.Equal(got, []string{"u1", "u3"}) {
		t.Errorf("ana = %v", got)
	}
	if got := listKeys(t, s, store.ListQuery{Assignee: "ana", Limit: 1}); !slices.Equal(got, []string{"u1"}) {
		t.Errorf("ana first page = %v", got)
	}
	p, _ := s.List(ctx(), store.ListQuery{Assignee: "ana", Limit: 1})
	if got := listKeys(t, s, store.ListQuery{Assignee: "ana", Limit: 1, After: p.Next}); !slices.Equal(got, []string{"u3"}) {
		t.Errorf("ana second page = %v", got)
	}
	if got := listKeys(t, s, store.ListQuery{Unassigned: true}); !slices.Equal(got, []string{"u2"}) {
		t.Errorf("unassigned = %v", got)
	}
	if got := listKeys(t, s, store.ListQuery{Label: "wholesale"}); !slices.Equal(got, []string{"u3", "u2"}) {
		t.Errorf("wholesale = %v", got)
	}
	if got := listKeys(t, s, store.ListQuery{Label: "vip"}); len(got) != 0 {
		t.Errorf("vip = %v", got)
	}
	if _, err := s.SetStatus(ctx(), key("u3"), store.ConvDone); err != nil {
		t.Fatal(err)
	}
	if got := listKeys(t, s, store.ListQuery{Filter: store.FilterOpen, Label: "wholesale"}); !slices.Equal(got, []string{"u2"}) {
		t.Errorf("open wholesale = %v", got)
	}
	labels, err := s.Labels(ctx(), page)
	if err != nil || len(labels) != 2 || labels[0].Name != "vip" || labels[1].Color == "" {
		t.Errorf("page labels = %+v %v", labels, err)
	}
	if _, err := s.Assign(ctx(), key("u1"), "a\x00b"); err == nil {
		t.Error("an agent name with NUL was taken")
	}
}

// Forget takes the conversation out of every team index and drops its
// notes; the other conversations keep theirs.
func TestForgetDropsNotesAndTeamRows(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(time.Minute)))
	for _, p := range []string{"u1", "u2"} {
		s.Assign(ctx(), key(p), "ana")
		s.ChangeLabels(ctx(), key(p), []string{"vip"}, nil)
		if _, err := s.AddNote(ctx(), key(p), "ana", "call back "+p); err != nil {
			t.Fatal(err)
		}
	}
	s.SetState(ctx(), key("u1"), store.ConvSnoozed, at(5*time.Hour))
	rep, err := s.Forget(ctx(), page, "u1", lineScrub{"u1"})
	if err != nil || rep.Notes != 1 {
		t.Fatalf("forget = %+v %v", rep, err)
	}
	for _, q := range []store.ListQuery{{Assignee: "ana"}, {Label: "vip"}, {Filter: store.FilterSnoozed}, {Filter: store.FilterOpen}} {
		if got := listKeys(t, s, q); slices.Contains(got, "u1") {
			t.Errorf("%+v still lists u1: %v", q, got)
		}
	}
	if next, _ := s.NextWake(ctx()); !next.IsZero() {
		t.Errorf("forgotten snooze still due at %v", next)
	}
	if notes, _ := s.Notes(ctx(), key("u2")); len(notes) != 1 || notes[0].Text != "call back u2" || notes[0].Author != "ana" {
		t.Errorf("u2 notes = %+v", notes)
	}
	mustIngest(t, s, msg("u1", "m3", "new", at(2*time.Hour))) // starts afresh
	if notes, _ := s.Notes(ctx(), key("u1")); len(notes) != 0 {
		t.Errorf("a new conversation shows the forgotten notes: %+v", notes)
	}
}

func TestSavedRepliesAndAttribution(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	if _, err := s.SaveReply(ctx(), store.SavedReply{PageID: page, Shortcut: "where", Text: "Hi {first_name}, {agent} from {page} here"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveReply(ctx(), store.SavedReply{PageID: page, Shortcut: "two words", Text: "x"}); err == nil {
		t.Error("a shortcut with a space was taken")
	}
	rs, err := s.Replies(ctx(), page)
	if err != nil || len(rs) != 1 {
		t.Fatalf("replies = %+v %v", rs, err)
	}
	if got := store.FillReply(rs[0].Text, "Maria Lopez", "ana", "Shop"); got != "Hi Maria, ana from Shop here" {
		t.Errorf("filled = %q", got)
	}
	item, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "on it", Agent: "ben", Claim: true})
	if err != nil || item.Agent != "ben" {
		t.Fatalf("enqueue = %+v %v", item, err)
	}
	if m, _ := s.Message(ctx(), item.MessageID); m.Agent != "ben" {
		t.Errorf("message agent = %q", m.Agent)
	}
	if c, _ := s.Conversation(ctx(), key("u1")); c.Assignee != "ben" {
		t.Errorf("replying did not claim: %+v", c)
	}
	s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "me too", Agent: "ana", Claim: true})
	if c, _ := s.Conversation(ctx(), key("u1")); c.Assignee != "ben" {
		t.Errorf("a second replier took an assigned conversation: %+v", c)
	}
	if err := s.DeleteReply(ctx(), page, "where"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteReply(ctx(), page, "where"); err == nil {
		t.Error("deleting a missing reply succeeded")
	}
}

// A file written by the schema-4 code (testdata/schema4.db.gz: u1, u2
// done, u3) opens with states, an open index and everyone unassigned.
func TestMigrateSchema4File(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	unzip(t, "testdata/schema4.db.gz", path)
	s := reopen(t, path, newClock(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)))
	k := func(p string) store.ConvKey { return store.ConvKey{PageID: "100", PSID: p} }
	if c, err := s.Conversation(ctx(), k("u1")); err != nil || c.Status != store.ConvOpen {
		t.Errorf("u1 = %+v %v", c, err)
	}
	if c, _ := s.Conversation(ctx(), k("u2")); c.Status != store.ConvDone {
		t.Errorf("u2 = %+v", c)
	}
	if got := listKeys(t, s, store.ListQuery{Filter: store.FilterOpen}); !slices.Equal(got, []string{"u3", "u1"}) {
		t.Errorf("open = %v", got)
	}
	if got := listKeys(t, s, store.ListQuery{Unassigned: true}); !slices.Equal(got, []string{"u3", "u2", "u1"}) {
		t.Errorf("unassigned = %v", got)
	}
	if n, _ := s.Count(ctx(), store.FilterOpen); n != 2 {
		t.Errorf("open count = %d", n)
	}
	if _, err := s.Assign(ctx(), k("u1"), "ana"); err != nil {
		t.Fatal(err)
	}
	if got := listKeys(t, s, store.ListQuery{Unassigned: true}); !slices.Equal(got, []string{"u3", "u2"}) {
		t.Errorf("unassigned after assigning u1 = %v", got)
	}
}

func unzip(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
