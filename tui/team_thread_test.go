package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// Private notes, the contact pane and attribution, as the agent sees them.

// openRich opens the rich conversation with the thread focused.
func openRich(t *testing.T) *driver {
	t.Helper()
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyTab) // the thread pane, on the newest: the rich one
	if !d.m.thread.IsOpen() || d.m.thread.Key() != richKey || d.m.focus != paneThread {
		t.Fatalf("the rich thread is not open and focused: open %v key %v focus %v", d.m.thread.IsOpen(), d.m.thread.Key(), d.m.focus)
	}
	return d
}

// n writes a note: saved through AddNote, shown in the thread apart from
// messages with author and time, and never sent to the customer.
func TestNoteIsSavedShownAndNeverSent(t *testing.T) {
	d := openRich(t)
	d.runes("n")
	if !d.m.thread.Noting() {
		t.Fatal("n did not open the note box")
	}
	d.typeText("customer prefers DHL, call before 5")
	d.runes("q") // typed into the note, not a quit
	d.key(tea.KeyEnter)
	d.settle()
	if d.quit {
		t.Fatal("a q typed in the note quit the TUI")
	}
	if got := d.be.callCount("AddNote"); got != 1 {
		t.Fatalf("AddNote calls = %d, want 1", got)
	}
	if got := d.be.sendCalls(); len(got) != 0 {
		t.Fatalf("a note reached Send: %+v", got)
	}
	v := d.m.View()
	for _, want := range []string{"✎ note · me · 15:30", "customer prefers DHL, call before 5q"} {
		if !strings.Contains(v, want) {
			t.Fatalf("%q is not in the thread:\n%s", want, v)
		}
	}
	if n := len(d.m.thread.Notes()); n != 1 {
		t.Fatalf("the note is in the thread %d times (its answer and the feed's change), want once", n)
	}
}

// esc closes the note box and keeps what was typed for the next n; the
// keys go back to the thread.
func TestNoteEscKeepsDraft(t *testing.T) {
	d := openRich(t)
	d.runes("n")
	d.typeText("half a thought")
	d.key(tea.KeyEsc)
	if d.m.thread.Noting() || d.m.focus != paneThread {
		t.Fatalf("esc: noting %v focus %v, want the thread without the box", d.m.thread.Noting(), d.m.focus)
	}
	if d.be.callCount("AddNote") != 0 {
		t.Fatal("esc saved the note")
	}
	d.runes("n")
	if v := d.m.View(); !strings.Contains(v, "✎ note: half a thought") {
		t.Fatalf("the draft is gone after esc:\n%s", v)
	}
}

// n on the list opens the conversation's thread with the note box.
func TestNoteFromList(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.runes("j") // the second conversation
	d.runes("n")
	if d.m.focus != paneThread || !d.m.thread.Noting() || d.m.thread.Key() == richKey {
		t.Fatalf("n on the list: focus %v noting %v key %v", d.m.focus, d.m.thread.Noting(), d.m.thread.Key())
	}
}

// Notes are interleaved with messages by time, and a colleague's note
// arrives live from the feed; @name of this agent is called out.
func TestNotesInterleavedLiveAndMentions(t *testing.T) {
	be := busyBackend()
	be.team().notes[richKey] = []store.Note{{ConvKey: richKey, Author: "ana", Time: time.Date(2026, 3, 3, 9, 14, 0, 0, time.UTC),
		Text: "she asked in the shop too"}}
	d := newDriver(t, be, 120, 100)
	d.m.common.Agent.Name = "ben"
	d.key(tea.KeyTab)
	v := d.m.View()
	ask, note, answer := strings.Index(v, "blue rain jacket"), strings.Index(v, "she asked in the shop"), strings.Index(v, "We have two left")
	if ask < 0 || note < 0 || answer < 0 || !(ask < note && note < answer) {
		t.Fatalf("the 09:14 note is not between the 09:12 question and the 09:15 answer:\n%s", v)
	}
	if strings.Contains(v, "mentions you") {
		t.Fatal("a note without @ben says it mentions ben")
	}
	// A colleague's note, live: the fake publishes NoteAdded.
	if _, err := be.AddNote(d.m.common.Ctx, richKey, "@Ben can you call her? cc @benedikt"); err != nil {
		t.Fatal(err)
	}
	d.settle()
	v = d.m.View()
	if !strings.Contains(v, "@Ben can you call her?") || !strings.Contains(v, "mentions you") {
		t.Fatalf("the live note with @Ben is not shown as mentioning ben:\n%s", v)
	}
}

// Outbound messages name who sent them: the agent, or a campaign.
func TestAttribution(t *testing.T) {
	be := newFakeBackend(fixedClock)
	k := convKey("3000000000000001")
	byAna := out("Your parcel left today.", ago(time.Hour), store.StatusDelivered)
	byAna.Agent = "ana"
	byCampaign := out("Spring sale!", ago(30*time.Minute), store.StatusDelivered)
	byCampaign.CampaignID = 7
	be.add(store.Conversation{ConvKey: k, Name: "Olga"}, in("Hi", ago(2*time.Hour)), byAna, byCampaign)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyTab)
	v := d.m.View()
	for _, want := range []string{"14:30 · ana ✓✓ delivered", "15:00 · campaign ✓✓ delivered"} {
		if !strings.Contains(v, want) {
			t.Fatalf("%q is not in the thread:\n%s", want, v)
		}
	}
}

// i shows the contact pane in the thread's place, following the open
// conversation, live with a new note; i again hides it.
func TestContactToggleFollowsAndReloads(t *testing.T) {
	be := busyBackend()
	d := newDriver(t, be, 120, 36)
	d.runes("i")
	if !d.m.contact.Visible() || d.m.contact.Key() != richKey {
		t.Fatalf("i: visible %v key %v, want the rich conversation's contact", d.m.contact.Visible(), d.m.contact.Key())
	}
	v := d.m.View()
	for _, want := range []string{"Contact  (i closes)", "PSID        " + richKey.PSID, "Notes (0)"} {
		if !strings.Contains(v, want) {
			t.Fatalf("%q is not in the contact pane:\n%s", want, v)
		}
	}
	if _, err := be.AddNote(d.m.common.Ctx, richKey, "VIP, be nice"); err != nil {
		t.Fatal(err)
	}
	d.settle()
	if v := d.m.View(); !strings.Contains(v, "Notes (1)") || !strings.Contains(v, "VIP, be nice") {
		t.Fatalf("a new note did not reach the shown contact:\n%s", v)
	}
	d.runes("j") // the next conversation: the pane follows
	if next, _ := d.m.list.Current(); d.m.contact.Key() != next.ConvKey || !strings.Contains(d.m.View(), next.PSID) {
		t.Fatalf("the contact pane stayed on %v after moving to %v", d.m.contact.Key(), next.ConvKey)
	}
	d.runes("i")
	if d.m.contact.Visible() || strings.Contains(d.m.View(), "Contact  (i closes)") {
		t.Fatal("i again did not hide the contact pane")
	}
}
