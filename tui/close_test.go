package tui

import (
	"context"
	"slices"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

func (f *fakeBackend) presenceCalls() []presenceCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.presence)
}

// A session whose program ended without q (the SSH connection dropped
// while the agent typed): Close saves the draft as it stands, says the
// agent left, and ends the model's context (the change feed with it).
func TestCloseKeepsTheDraftAndLeaves(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("I will check and")
	if p := d.be.presenceCalls(); len(p) == 0 || p[len(p)-1].Key != richKey {
		t.Fatalf("presence before Close: %+v, want the agent in %v", p, richKey)
	}
	if err := d.m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := d.be.draft(richKey); got != "I will check and" {
		t.Errorf("draft after Close: %q", got)
	}
	if p := d.be.presenceCalls(); p[len(p)-1] != (presenceCall{}) {
		t.Errorf("last presence after Close: %+v, want nowhere", p[len(p)-1])
	}
	if d.m.common.Ctx.Err() == nil {
		t.Error("the model's context is still live after Close: its feed and calls go on")
	}
}

// After q the draft was saved and the agent left on the way out: Close
// writes nothing more.
func TestCloseAfterQuitWritesNothing(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("see you")
	d.key(tea.KeyCtrlC)
	if !d.quit {
		t.Fatal("ctrl+c did not quit")
	}
	drafts, presence := len(d.be.draftCalls()), len(d.be.presenceCalls())
	if err := d.m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(d.be.draftCalls()); n != drafts {
		t.Errorf("Close after quit saved the draft again (%d calls, was %d)", n, drafts)
	}
	if n := len(d.be.presenceCalls()); n != presence {
		t.Errorf("Close after quit announced again (%d calls, was %d)", n, presence)
	}
}

// A save or announcement decided before Close but run after it (a command
// of the ended program still under way) does not put back the older
// draft or presence.
func TestCloseWinsOverEarlierWritesRunLate(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("first")
	lateSave := d.m.saveDraft()
	d.m.said.typing = false // so the next keystroke's announcement is decided now
	lateAnnounce := d.m.announce(richKey, true)
	if lateSave == nil || lateAnnounce == nil {
		t.Fatal("no save or announcement to run late")
	}
	d.typeText(" and second")
	if err := d.m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.call(lateSave)
	d.call(lateAnnounce)
	if got := d.be.draft(richKey); got != "first and second" {
		t.Errorf("draft %q: an earlier save ran over Close's", got)
	}
	if p := d.be.presenceCalls(); p[len(p)-1] != (presenceCall{}) {
		t.Errorf("last presence %+v: an earlier announcement ran over Close's", p[len(p)-1])
	}
}

// A program that is killed drops the commands it had not started: a
// draft save and an announcement decided (the draft no longer dirty, the
// agent "in" the thread) but never run are made by Close.
func TestCloseMakesWritesTheProgramNeverRan(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("decided")
	presence := len(d.be.presenceCalls())
	d.m.saveDraft()                      // the tick's save, dropped unrun
	d.m.announce(richKey, false)         // stopped typing, dropped unrun
	d.m.announce(store.ConvKey{}, false) // left for the list, dropped unrun
	if d.m.compose.Dirty() || d.m.said.key != (store.ConvKey{}) || len(d.be.presenceCalls()) != presence {
		t.Fatal("setup: the writes should be decided, not made")
	}
	if err := d.m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := d.be.draft(richKey); got != "decided" {
		t.Errorf("draft %q: the decided save was never made", got)
	}
	p := d.be.presenceCalls()
	if len(p) != presence+1 || p[len(p)-1] != (presenceCall{}) {
		t.Errorf("presence calls after Close: %+v; want one more, leaving (the newest decided)", p[presence:])
	}
}

// Writes of different things are not ordered against each other, and a
// write whose ticket is older than one made is dropped.
func TestLastWinsOrdersEachThingApart(t *testing.T) {
	w := newLastWins()
	var got []string
	rec := func(s string) func(context.Context) error {
		return func(context.Context) error { got = append(got, s); return nil }
	}
	a, b := store.ConvKey{PSID: "a"}, store.ConvKey{PSID: "b"}
	ta, tb := w.decide(a, rec("a")), w.decide(b, rec("b"))
	w.do(context.Background(), b, tb, rec("b"))
	w.do(context.Background(), a, ta, rec("a"))
	ta2 := w.decide(a, rec("a2"))
	w.do(context.Background(), a, ta2, rec("a2"))
	w.do(context.Background(), a, ta, rec("a-late"))
	if err := w.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"b", "a", "a2"}) {
		t.Errorf("writes %v, want [b a a2] (nothing left for flush)", got)
	}
}
