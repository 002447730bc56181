package tui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/statusbar"
)

// r in the thread sends the newest reply that may have been sent once
// more, as a new message: the agent's decision, never the program's.
func TestRSendsAgainWhatMayHaveBeenSent(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyTab) // the thread beside the list
	d.wantFocus(paneThread)
	d.wantView("? may have been sent: r sends again")
	n := len(d.m.thread.Messages())
	d.runes("r")
	if got := d.be.resends; !slices.Equal(got, []uint64{7}) {
		t.Fatalf("Resend calls = %v, want [7]", got)
	}
	last := d.m.thread.Messages()[len(d.m.thread.Messages())-1]
	if len(d.m.thread.Messages()) != n+1 || last.Text != "Our returns policy is on the website." || last.Status != store.StatusQueued {
		t.Fatalf("thread after r: %d messages, last %+v", len(d.m.thread.Messages()), last)
	}
	if !strings.Contains(d.statusBar(), "sent again as a new message") {
		t.Errorf("status bar: %q", d.statusBar())
	}
	// In the reply box r is a letter.
	d.key(tea.KeyEnter)
	d.wantFocus(paneCompose)
	d.runes("r")
	if len(d.be.resends) != 1 || d.m.compose.Value() != "r" {
		t.Errorf("r in the reply box: resends %v, text %q", d.be.resends, d.m.compose.Value())
	}
}

// Where nothing may have been lost, r says so and sends nothing.
func TestRWithNothingUnknown(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.runes("j")
	d.key(tea.KeyTab)
	d.wantFocus(paneThread)
	if _, ok := d.m.thread.LastUnknown(); ok {
		t.Fatal("the second conversation has an unknown reply; the test needs one without")
	}
	d.runes("r")
	if len(d.be.resends) != 0 || len(d.be.sendCalls()) != 0 {
		t.Errorf("r sent something: resends %v, sends %v", d.be.resends, d.be.sendCalls())
	}
	if !strings.Contains(d.statusBar(), "nothing here may have been lost") {
		t.Errorf("status bar: %q", d.statusBar())
	}
}

// Replies held by a refused token say so, on the message and in the
// status bar, until the token works again.
func TestHeldRepliesShownUntilTheTokenWorks(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	held := "◷ held: the Page token was refused; goes out when the token works"
	d.wantView("◷ queued")
	st := store.SystemStatus{Mode: "local", Connected: true, PageName: "Harbour Outfitters", Queued: 1,
		Sending: "the Page access token is invalid or expired: get a new one and set PAGE_ACCESS_TOKEN; sending is paused, nothing was lost"}
	d.send(statusbar.StatusMsg(st))
	d.wantView(held)
	if bar := d.statusBar(); !strings.Contains(bar, "✗ 1 held until it works · the Page access token is invalid") {
		t.Errorf("status bar while held: %q", bar)
	}
	st.Sending, st.TokenOK = "", true
	d.send(statusbar.StatusMsg(st))
	if strings.Contains(d.view(), held) {
		t.Error("still shown held after the token works")
	}
	d.wantView("◷ queued")
	if bar := d.statusBar(); !strings.Contains(bar, "sending works again") {
		t.Errorf("status bar after the token works: %q", bar)
	}
}

// A campaign counts the recipients who may or may not have it apart, and
// says how many still wait for the echo that settles them.
func TestCampaignProgressCountsUnknownApart(t *testing.T) {
	d := campaignDriver(t)
	id := d.startCampaign("Hello")
	d.be.progress(id, func(items []store.OutboxItem) {
		items[0].State = store.OutboxSent
		items[1].State, items[1].ErrorKind = store.OutboxUnknown, store.KindAmbiguous
		items[2].State, items[2].ErrorKind = store.OutboxUnknown, store.KindAmbiguous
		items[1].Reason = "may have been sent: HTTP 502 without Meta's error: Meta may have accepted it"
	}, func(c *store.Campaign) { c.AwaitingEcho = 2 })
	d.settle()
	d.wantView("sent 1 · failed 0 · skipped 2 · unknown 2 · left 6 of 11",
		"2 unknown: Meta's answer did not say whether they were sent; waiting for Meta's echo, which settles them.",
		"unknown   ")
	// The echoes come: sent, nothing waits.
	d.be.progress(id, func(items []store.OutboxItem) {
		items[1].State, items[2].State = store.OutboxSent, store.OutboxSent
	}, func(c *store.Campaign) { c.AwaitingEcho = 0 })
	d.settle()
	d.wantView("sent 3 · failed 0 · skipped 2 · unknown 0 · left 6 of 11")
	if strings.Contains(d.view(), "waiting for Meta's echo") {
		t.Error("still waiting for echoes that came")
	}
}
