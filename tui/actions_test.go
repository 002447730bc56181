package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// actionsDriver opens a conversation whose customer asked two things; the
// newest (m_size) is what R and + act on.
func actionsDriver(t *testing.T) (*driver, store.ConvKey) {
	f := newFakeBackend(fixedClock)
	k := convKey("3000000000000001")
	first, second := in("Do you ship to Porto?", ago(2*time.Hour)), in("And is the jacket true to size?", ago(time.Hour))
	first.MID, second.MID = "m_ship", "m_size"
	f.add(store.Conversation{ConvKey: k, Name: "Carla", LastInboundTime: ago(time.Hour)}, first, second)
	d := newDriver(t, f, 120, 36)
	d.key(tea.KeyEnter)
	return d, k
}

// R quotes the message in the reply box; the send carries ReplyTo and
// clears the quote; esc clears a quote without leaving the box.
func TestQuoteReply(t *testing.T) {
	d, _ := actionsDriver(t)
	d.m.setFocus(paneThread)
	d.runes("R")
	d.wantFocus(paneCompose)
	d.wantView("replying to: And is the jacket true to size?")
	d.typeText("Yes, true to size")
	d.key(tea.KeyEnter)
	sends := d.be.sends
	if len(sends) != 1 || sends[0].ReplyTo != "m_size" || sends[0].Text != "Yes, true to size" {
		t.Fatalf("sent %+v, want a reply to m_size", sends)
	}
	if d.m.compose.Quoting() || strings.Contains(d.m.compose.View(), "replying to") {
		t.Fatal("the quote stayed after the send")
	}
	d.wantView("↪ replying to “And is the jacket true to size?”") // the thread shows what the reply answers

	d.m.setFocus(paneThread)
	d.runes("R")
	d.key(tea.KeyEsc)
	d.wantFocus(paneCompose)
	if d.m.compose.Quoting() || strings.Contains(d.m.compose.View(), "replying to") {
		t.Fatal("esc did not clear the quote")
	}
	d.typeText("Anything else?")
	d.key(tea.KeyEnter)
	if sends := d.be.sends; len(sends) != 2 || sends[1].ReplyTo != "" {
		t.Fatalf("after esc the reply still answers a message: %+v", sends)
	}
}

// + opens the picker; choosing sends the reaction, which the thread then
// shows as the Page's; + again offers taking it off.
func TestReactFromThread(t *testing.T) {
	d, k := actionsDriver(t)
	d.m.setFocus(paneThread)
	d.runes("+")
	d.wantView("react:", "1 ❤️", "6 👍")
	d.runes("6")
	msgs := d.be.msgs[k]
	if got := store.PageReaction(msgs[len(msgs)-1]); got != "👍" || !slices.Contains(d.be.calls, "React") {
		t.Fatalf("the Page's reaction on m_size is %q (calls %v)", got, d.be.calls)
	}
	d.wantView("👍 (Page)")
	d.runes("+")
	d.wantView("1 remove 👍")
	d.key(tea.KeyEnter)
	if got := store.PageReaction(d.be.msgs[k][len(msgs)-1]); got != "" {
		t.Fatalf("unreact left %q", got)
	}
	if strings.Contains(d.view(), "(Page)") {
		t.Fatal("the thread still shows the removed reaction")
	}
}

// Typing in the box tells the backend (which throttles typing_on); the
// box's own 3 s presence throttle keeps it from every keystroke.
func TestTypingReachesBackend(t *testing.T) {
	d, _ := actionsDriver(t)
	d.typeText("On its way")
	n := 0
	for _, c := range d.be.calls {
		if c == "Typing" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("typing 10 characters called Typing %d times, want 1 (calls %v)", n, d.be.calls)
	}
}
