package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// Saved replies in the reply box: ;shortcut and ctrl+r.

// repliesBackend is a small inbox, Ivan's window open, with three saved
// replies of the Page.
func repliesBackend() *fakeBackend {
	be := newFakeBackend(fixedClock)
	be.status = testStatus()
	windowConv(be, "Ivan Petrov", time.Hour)
	for _, r := range []store.SavedReply{
		{PageID: testPage, Shortcut: "thx", Text: "Thank you {first_name}! {agent} at {page}"},
		{PageID: testPage, Shortcut: "track", Text: "Your tracking link: https://example.com/t"},
		{PageID: testPage, Shortcut: "hours", Text: "We are open 9 to 5, {first_name}."},
	} {
		be.team().replies[testPage] = append(be.team().replies[testPage], r)
	}
	return be
}

func replyDriver(t *testing.T) *driver {
	t.Helper()
	d := newDriver(t, repliesBackend(), 120, 36)
	d.m.common.Agent.Name = "ana"
	d.key(tea.KeyEnter) // the reply box of Ivan
	if d.m.focus != paneCompose {
		t.Fatalf("focus = %v, want compose", d.m.focus)
	}
	return d
}

// ;th at the start of a word opens the picker on "thx"; enter puts the
// reply in with its variables filled, where the ; was.
func TestSemicolonShortcutInsertsFilledReply(t *testing.T) {
	d := replyDriver(t)
	d.typeText("Hi ")
	d.runes(";")
	if !d.m.compose.Picking() {
		t.Fatal("; at the start of a word did not open the picker")
	}
	d.typeText("th")
	if v := d.m.View(); !strings.Contains(v, "› ;thx  Thank you Ivan! ana at Harbour Outfitters") {
		t.Fatalf("the picker does not offer ;thx filled:\n%s", v)
	}
	d.key(tea.KeyEnter)
	if got, want := d.m.compose.Value(), "Hi Thank you Ivan! ana at Harbour Outfitters"; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
	if d.m.compose.Picking() || len(d.be.sendCalls()) != 0 {
		t.Fatalf("after enter: picking %v, sends %d; want the text in the box, nothing sent", d.m.compose.Picking(), len(d.be.sendCalls()))
	}
}

// A ; inside a word is text; esc in the picker gives ;query back; a space
// ends the shortcut as text.
func TestSemicolonIsTextWhenNotAShortcut(t *testing.T) {
	d := replyDriver(t)
	d.typeText("a")
	d.runes(";")
	if d.m.compose.Picking() {
		t.Fatal("; inside a word opened the picker")
	}
	d.typeText(" ")
	d.runes(";")
	d.typeText("tr")
	d.key(tea.KeyEsc)
	if d.m.compose.Picking() || d.m.focus != paneCompose {
		t.Fatalf("esc: picking %v focus %v, want the box without the picker", d.m.compose.Picking(), d.m.focus)
	}
	if got := d.m.compose.Value(); got != "a; ;tr" {
		t.Fatalf("text = %q, want %q", got, "a; ;tr")
	}
	d.typeText(" ")
	d.runes(";")
	d.typeText("x")
	d.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")})
	if got := d.m.compose.Value(); got != "a; ;tr ;x " || d.m.compose.Picking() {
		t.Fatalf("text = %q (picking %v), want %q", got, d.m.compose.Picking(), "a; ;tr ;x ")
	}
}

// ctrl+r opens the whole library; arrows pick; the filter matches text too.
func TestCtrlRPicksReply(t *testing.T) {
	d := replyDriver(t)
	d.key(tea.KeyCtrlR)
	if !d.m.compose.Picking() {
		t.Fatal("ctrl+r did not open the picker")
	}
	d.typeText("open") // in the text of ;hours only
	d.key(tea.KeyEnter)
	if got, want := d.m.compose.Value(), "We are open 9 to 5, Ivan."; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
	d.key(tea.KeyCtrlR)
	d.key(tea.KeyDown)
	d.key(tea.KeyEnter) // the second of all: ;track
	if got := d.m.compose.Value(); !strings.HasSuffix(got, "Your tracking link: https://example.com/t") {
		t.Fatalf("text = %q, want the tracking reply after the first", got)
	}
}
