package tui

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Model tests of the campaign flow (selection, bulk compose, progress),
// with the driver of model_test.go over the fake backend of the campaign
// goldens (campaignBackend: 30 conversations, 11 inside the 24 h window,
// two of those blocked).

// space is the key a terminal's space bar gives Bubble Tea.
var space = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}

func campaignDriver(t *testing.T) *driver {
	t.Helper()
	d := newDriver(t, campaignBackend(), 120, 36)
	d.steadyForm()
	return d
}

// steadyForm stops the form's cursors blinking: a blink is a timer
// command the driver would wait for. The form is made anew after each
// campaign starts.
func (d *driver) steadyForm() {
	d.m.form.SetCursorMode(cursor.CursorStatic)
}

func (d *driver) marked() map[store.ConvKey]bool { return keySet(d.m.list.Marked()...) }

func keySet(keys ...store.ConvKey) map[store.ConvKey]bool {
	s := map[store.ConvKey]bool{}
	for _, k := range keys {
		s[k] = true
	}
	return s
}

// statusBar is the line under the panes.
func (d *driver) statusBar() string {
	lines := strings.Split(d.view(), "\n")
	return lines[len(lines)-2]
}

// windowKeys are the conversations inside the 24 h window, in list order
// (the "3" filter of campaignBackend): 9 to send to, Noah and Olga blocked.
func (d *driver) windowKeys() []store.ConvKey {
	d.t.Helper()
	d.runes("3")
	if len(d.m.list.Conversations()) != 11 {
		d.t.Fatalf("the window filter lists %d conversations, want 11", len(d.m.list.Conversations()))
	}
	var keys []store.ConvKey
	for _, c := range d.m.list.Conversations() {
		keys = append(keys, c.ConvKey)
	}
	return keys
}

// toForm selects the window filter with V and opens the form with text
// typed in.
func (d *driver) toForm(text string) {
	d.t.Helper()
	d.windowKeys()
	d.runes("V")
	d.runes("B")
	if d.m.mode != modeBulk || d.m.form.Ledger() == nil {
		d.t.Fatalf("B: mode %v, ledger %v; want the form with its ledger", d.m.mode, d.m.form.Ledger())
	}
	d.typeText(text)
}

// startCampaign runs the whole flow to a started campaign; its id.
func (d *driver) startCampaign(text string) uint64 {
	d.t.Helper()
	d.toForm(text)
	d.key(tea.KeyCtrlS)
	d.runes("y")
	if d.m.mode != modeCampaign || d.m.progress.Campaign().ID == 0 || len(d.m.progress.Items()) == 0 {
		d.t.Fatalf("y: mode %v, campaign %+v with %d recipients loaded", d.m.mode, d.m.progress.Campaign(), len(d.m.progress.Items()))
	}
	d.steadyForm()
	return d.m.progress.Campaign().ID
}

// --- selection

func TestSpaceTogglesAndMovesDown(t *testing.T) {
	d := campaignDriver(t)
	r0, r1, r29 := d.rowKey(0), d.rowKey(1), d.rowKey(29)
	d.send(space)
	if !reflect.DeepEqual(d.marked(), keySet(r0)) || d.m.list.Cursor() != 1 {
		t.Fatalf("space on row 0: marked %v, cursor %d; want row 0 marked, cursor 1", d.marked(), d.m.list.Cursor())
	}
	d.send(space)
	if !reflect.DeepEqual(d.marked(), keySet(r0, r1)) || d.m.list.Cursor() != 2 {
		t.Fatalf("space on row 1: marked %v, cursor %d", d.marked(), d.m.list.Cursor())
	}
	// Wide layout: the thread beside follows the cursor, as with j.
	if d.m.thread.Key() != d.rowKey(2) || !d.m.thread.Loaded() {
		t.Fatalf("after space: the thread shows %v, the cursor is on %v", d.m.thread.Key(), d.rowKey(2))
	}
	if bar := d.statusBar(); !strings.Contains(bar, "2 selected") {
		t.Errorf("status bar %q lacks the count", bar)
	}
	d.runes("k")
	d.send(space) // toggles row 1 off
	if !reflect.DeepEqual(d.marked(), keySet(r0)) || d.m.list.Cursor() != 2 {
		t.Fatalf("space again on row 1: marked %v, cursor %d; want only row 0, cursor 2", d.marked(), d.m.list.Cursor())
	}
	d.runes("G")
	d.send(space) // the last row: marked, the cursor stays
	if !d.m.list.IsMarked(r29) || d.m.list.Cursor() != 29 {
		t.Fatalf("space on the last row: marked %v, cursor %d", d.marked(), d.m.list.Cursor())
	}
	d.wantView("2 selected")
	// Marks show in the list: the cursor's row and another one.
	d.runes("g")
	d.wantView("▌●")
	d.runes("j")
	d.wantView(" ●")
	if n := d.be.callCount("SelectAll") + d.be.callCount("Eligibility"); n != 0 {
		t.Errorf("selecting called the backend %d times", n)
	}
}

func TestSelectAllTakesTheFilterAndSearch(t *testing.T) {
	d := campaignDriver(t)
	d.runes("V")
	if got := d.be.selectAllCalls(); len(got) != 1 || got[0] != (store.ListQuery{Filter: store.FilterAll}) {
		t.Fatalf("SelectAll calls %+v, want one for the All filter", got)
	}
	if n := len(d.marked()); n != 30 {
		t.Fatalf("V in All marked %d, want 30", n)
	}
	d.wantView("30 selected")
	d.key(tea.KeyEsc)

	// The window filter, searched for "o": V takes exactly what the
	// filter and the search hold, on top of what is marked already.
	d.runes("G")
	d.send(space) // the oldest, Chiara Rossi: outside the window
	chiara := d.rowKey(29)
	window := d.windowKeys()
	d.runes("/")
	d.typeText("o")
	d.key(tea.KeyEnter)
	d.runes("V")
	calls := d.be.selectAllCalls()
	if last := calls[len(calls)-1]; len(calls) != 2 || last != (store.ListQuery{Filter: store.FilterWindow, Search: "o"}) {
		t.Fatalf("SelectAll calls %+v, want the second for the window filter searched for \"o\"", calls)
	}
	want := keySet(chiara)
	for _, k := range window {
		c := d.be.conv(k)
		if strings.Contains(strings.ToLower(c.Name+" "+c.LastMessage), "o") || strings.Contains(c.PSID, "o") {
			want[k] = true
		}
	}
	if len(want) < 4 || len(want) > 12 {
		t.Fatalf("the fixture changed: %d expected", len(want))
	}
	if got := d.marked(); !reflect.DeepEqual(got, want) {
		t.Fatalf("marked %d: %v\nwant %d: %v", len(got), got, len(want), want)
	}
}

func TestSelectionSurvivesResorting(t *testing.T) {
	d := campaignDriver(t)
	d.runes("jjjjj")
	moved := d.current() // row 5
	d.send(space)
	d.runes("j")
	other := d.current() // row 7
	d.send(space)
	d.be.touch(moved, func(c *store.Conversation) {
		c.LastActivity, c.LastMessageTime, c.LastMessage = testNow, testNow, "just wrote again"
	})
	d.settle()
	if d.rowKey(0) != moved {
		t.Fatalf("the updated conversation is at %d, want the top", d.index(moved))
	}
	if !reflect.DeepEqual(d.marked(), keySet(moved, other)) {
		t.Fatalf("after re-sorting: marked %v, want %v and %v", d.marked(), moved, other)
	}
	// The top row shows its mark; the cursor stayed on its conversation.
	d.runes("g")
	top := strings.Split(d.view(), "\n")[3]
	if !strings.Contains(top, "▌●") || !strings.Contains(top, common.DisplayName(d.be.conv(moved))) {
		t.Errorf("the top row %q does not show the moved conversation marked", top)
	}
	d.wantView("2 selected")
	// A conversation leaving the loaded rows keeps its mark too.
	d.runes("3")
	if !reflect.DeepEqual(d.marked(), keySet(moved, other)) {
		t.Errorf("a filter change dropped marks: %v", d.marked())
	}
}

func TestEscClearsSelection(t *testing.T) {
	d := campaignDriver(t)
	d.send(space)
	d.send(space)
	d.runes("/")
	d.typeText("a")
	d.key(tea.KeyEnter)
	d.key(tea.KeyEsc)
	if n := len(d.marked()); n != 0 {
		t.Fatalf("esc left %d marked", n)
	}
	if d.m.list.Query() != "a" {
		t.Errorf("the first esc cleared the search (%q) as well as the selection", d.m.list.Query())
	}
	if bar := d.statusBar(); strings.Contains(bar, "selected") {
		t.Errorf("status bar still counts a selection: %q", bar)
	}
	d.key(tea.KeyEsc) // and the next one the search
	if d.m.list.Query() != "" {
		t.Errorf("the second esc kept the search %q", d.m.list.Query())
	}
}

// --- the form

func TestBulkWithoutSelectionRefuses(t *testing.T) {
	d := campaignDriver(t)
	d.runes("B")
	if d.m.mode != modeInbox {
		t.Fatalf("B with nothing selected opened mode %v", d.m.mode)
	}
	if !strings.Contains(d.m.statusbar.Err(), "select recipients first") {
		t.Fatalf("no message: %q", d.m.statusbar.Err())
	}
	d.wantView("select recipients first: space toggles one, V takes the whole filter")
	if n := d.be.callCount("Eligibility"); n != 0 {
		t.Errorf("Eligibility called %d times", n)
	}
}

func TestBulkAsksEligibilityForTheSelection(t *testing.T) {
	d := campaignDriver(t)
	want := []store.ConvKey{d.rowKey(0), d.rowKey(2), d.rowKey(5)}
	d.send(space) // 0, to 1
	d.runes("j")
	d.send(space) // 2, to 3
	d.runes("jj")
	d.send(space) // 5
	d.runes("B")
	if d.m.mode != modeBulk || d.m.form.Field() != 1 || !d.m.form.TextFocused() {
		t.Fatalf("B: mode %v, field %d: want the form with the text focused", d.m.mode, d.m.form.Field())
	}
	calls := d.be.eligibilityCalls()
	if len(calls) != 1 {
		t.Fatalf("Eligibility called %d times, want once", len(calls))
	}
	if got := calls[0]; len(got) != 3 || !reflect.DeepEqual(keySet(got...), keySet(want...)) {
		t.Fatalf("Eligibility(%v), want exactly %v", got, want)
	}
	// The ledger arrived, and the form draws it.
	n := d.m.form.Ledger().Counts()
	d.wantView("New campaign to 3 selected", "Will send: ")
	if n.Total != 3 {
		t.Errorf("ledger of %d, want 3: %+v", n.Total, n)
	}
	// esc keeps the form; B opens it again with a fresh ledger.
	d.key(tea.KeyEsc)
	if d.m.mode != modeInbox || len(d.marked()) != 3 {
		t.Fatalf("esc from the form: mode %v, %d marked", d.m.mode, len(d.marked()))
	}
	d.runes("B")
	if got := d.be.eligibilityCalls(); len(got) != 2 || !reflect.DeepEqual(keySet(got[1]...), keySet(want...)) {
		t.Errorf("B again: Eligibility calls %v", got)
	}
}

func TestSubmitWithNobodyToSendRefuses(t *testing.T) {
	d := campaignDriver(t)
	// "Ivan": Ivan Petrov (3 days: outside the window) and Olga Ivanova
	// (blocked).
	d.runes("/")
	d.typeText("Ivan")
	d.key(tea.KeyEnter)
	d.runes("V")
	d.runes("B")
	if n := d.m.form.Ledger().Counts(); n.Total != 2 || n.Send != 0 || n.Skip != 1 || n.Blocked != 1 {
		t.Fatalf("ledger %+v, want Ivan skipped and Olga blocked", n)
	}
	d.typeText("Hello")
	d.key(tea.KeyCtrlS)
	if d.m.form.Confirming() {
		t.Fatal("ctrl+s asks to confirm a campaign to nobody")
	}
	if !strings.Contains(d.m.statusbar.Err(), "nobody selected can receive a campaign now") {
		t.Fatalf("no message: %q", d.m.statusbar.Err())
	}
	d.runes("y")
	if n := d.be.callCount("StartCampaign"); n != 0 {
		t.Fatalf("StartCampaign called %d times", n)
	}
	if got := d.m.form.Text(); got != "Helloy" {
		t.Errorf("y after the refusal went elsewhere than the text: %q", got)
	}
}

func TestSubmitThenAnotherKeyGoesBack(t *testing.T) {
	d := campaignDriver(t)
	d.toForm("Spring sale")
	for _, k := range []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune{'n'}}, {Type: tea.KeyEsc}, {Type: tea.KeyEnter}, {Type: tea.KeyRunes, Runes: []rune{'Y'}}} {
		d.key(tea.KeyCtrlS)
		if !d.m.form.Confirming() {
			t.Fatalf("ctrl+s did not ask to confirm")
		}
		d.wantView("Send this message to 9 recipients now? y to send, any other key to go back")
		d.send(k)
		if d.m.form.Confirming() || d.m.mode != modeBulk {
			t.Fatalf("%s after ctrl+s: confirming %v, mode %v; want the form again", k, d.m.form.Confirming(), d.m.mode)
		}
		if got := d.m.form.Text(); got != "Spring sale" {
			t.Fatalf("%s after ctrl+s changed the text to %q", k, got)
		}
		d.wantView("ctrl+s: review and send")
	}
	if n := d.be.callCount("StartCampaign"); n != 0 {
		t.Fatalf("StartCampaign called %d times", n)
	}
}

func TestConfirmStartsTheCampaignOfTheLedger(t *testing.T) {
	d := campaignDriver(t)
	text := "Spring sale: 20% off until Sunday"
	d.toForm(text)
	d.key(tea.KeyTab)
	d.key(tea.KeyTab) // the title
	d.typeText("Spring")
	ledger := *d.m.form.Ledger()
	d.key(tea.KeyCtrlS)
	d.runes("y")
	starts := d.be.startCalls()
	if len(starts) != 1 {
		t.Fatalf("StartCampaign called %d times, want once", len(starts))
	}
	got := starts[0]
	if got.Campaign.Text != text || got.Campaign.Title != "Spring" || got.Campaign.PageID != testPage {
		t.Errorf("StartCampaign(%+v), want text %q, title Spring, page %s", got.Campaign, text, testPage)
	}
	if !reflect.DeepEqual(got.Ledger, ledger) {
		t.Errorf("StartCampaign's ledger is not the one shown:\n got %+v\nwant %+v", got.Ledger, ledger)
	}
	if len(got.Ledger.Send) != 9 || len(got.Ledger.Blocked) != 2 {
		t.Errorf("ledger send %d, blocked %d; want 9 and 2", len(got.Ledger.Send), len(got.Ledger.Blocked))
	}
	// The progress view opens; the selection and the form are done with.
	if d.m.mode != modeCampaign || d.m.progress.Campaign().ID != 1 || len(d.m.progress.Items()) != 11 {
		t.Fatalf("after y: mode %v, campaign %d, %d recipients", d.m.mode, d.m.progress.Campaign().ID, len(d.m.progress.Items()))
	}
	if len(d.marked()) != 0 || d.m.form.Text() != "" {
		t.Errorf("after y: %d still marked, form text %q", len(d.marked()), d.m.form.Text())
	}
	d.wantView("Spring", "RUNNING", "sent 0 · failed 0 · skipped 2 · unknown 0 · left 9 of 11")

	// Without a title, one is made from the date.
	d.key(tea.KeyEsc)
	d.steadyForm()
	d.toForm("Again")
	d.key(tea.KeyCtrlS)
	d.runes("y")
	if starts := d.be.startCalls(); len(starts) != 2 || starts[1].Campaign.Title != "Campaign 4 Mar 15:30" {
		t.Errorf("untitled campaign: %+v", starts)
	}
}

// --- progress

func TestProgressViewFollowsChanges(t *testing.T) {
	d := campaignDriver(t)
	id := d.startCampaign("Hello")
	// Three sent.
	d.be.progress(id, func(items []store.OutboxItem) {
		for i := range items[:3] {
			items[i].State = store.OutboxSent
		}
	})
	d.settle()
	if n := d.m.progress.Campaign().Counts; n.Sent != 3 || n.Queued != 6 {
		t.Fatalf("counts %+v after three sent", n)
	}
	for i, it := range d.m.progress.Items()[:3] {
		if it.State != store.OutboxSent {
			t.Fatalf("recipient %d is %s on screen, sent in the store", i, it.State)
		}
	}
	d.wantView("sent 3 · failed 0 · skipped 2 · unknown 0 · left 6 of 11", " 33%") // 3 of the 9 to send

	// A failure with its reason, and one in flight.
	reason := "(#551) This person isn't available right now"
	d.be.progress(id, func(items []store.OutboxItem) {
		items[3].State, items[3].Reason = store.OutboxFailed, reason
		items[4].State = store.OutboxSending
	})
	d.settle()
	row := func(state string, it store.OutboxItem) string {
		who := it.Name
		if who == "" {
			who = it.PSID
		}
		return fmt.Sprintf("%-9s %-22s ", state, common.Truncate(who, 22))
	}
	d.wantView("sent 3 · failed 1", row("failed", d.m.progress.Items()[3])+reason, row("sending", d.m.progress.Items()[4]))

	// An OutboxChanged on its own moves the row; a campaign's change for
	// another campaign moves nothing.
	it := d.m.progress.Items()[4]
	it.State = store.OutboxSent
	other := store.Campaign{ID: id + 7, Title: "Other", Status: store.CampaignDone, Counts: store.CampaignCounts{Total: 99, Sent: 99}}
	d.be.push(store.Change{Kind: store.OutboxChanged, Outbox: &it}, store.Change{Kind: store.CampaignProgress, Campaign: &other})
	d.settle()
	if d.m.progress.Items()[4].State != store.OutboxSent || d.m.progress.Campaign().ID != id || d.m.progress.Campaign().Counts.Total != 11 {
		t.Fatalf("row %s, campaign %+v", d.m.progress.Items()[4].State, d.m.progress.Campaign())
	}

	// The rest: done.
	d.be.progress(id, func(items []store.OutboxItem) {
		for i := range items {
			if !items[i].State.Done() {
				items[i].State = store.OutboxSent
			}
		}
	})
	d.settle()
	d.wantView("DONE", "sent 8 · failed 1 · skipped 2 · unknown 0 · left 0 of 11", "100%")
}

func TestCampaignKeys(t *testing.T) {
	d := campaignDriver(t)
	id := d.startCampaign("Hello")
	wantCalls := func(want ...campStatusCall) {
		t.Helper()
		if got := d.be.campStatusCalls(); !slices.Equal(got, want) {
			t.Fatalf("SetCampaignStatus calls %v, want %v", got, want)
		}
	}
	wantStatus := func(st store.CampaignStatus) {
		t.Helper()
		if d.m.progress.Campaign().Status != st {
			t.Fatalf("status on screen %s, want %s", d.m.progress.Campaign().Status, st)
		}
		d.wantView(strings.ToUpper(string(st)))
	}
	paused := campStatusCall{id, store.CampaignPaused}
	running := campStatusCall{id, store.CampaignRunning}

	d.runes("R") // running: nothing to resume
	wantCalls()
	d.runes("p")
	wantCalls(paused)
	wantStatus(store.CampaignPaused)
	d.wantView("Paused. p or R resumes.")
	d.runes("p")
	wantCalls(paused, running)
	wantStatus(store.CampaignRunning)
	d.runes("p")
	d.runes("R")
	wantCalls(paused, running, paused, running)
	wantStatus(store.CampaignRunning)

	// r: nothing failed, nothing to retry; then one retryable failure.
	d.runes("r")
	if n := len(d.be.retryCalls()); n != 0 {
		t.Fatalf("r without failures called RetryFailed %d times", n)
	}
	d.be.progress(id, func(items []store.OutboxItem) {
		items[0].State, items[0].Retryable, items[0].Reason = store.OutboxFailed, true, "(#613) rate limit: gave up after 6 attempts"
	})
	d.settle()
	loads := d.be.callCount("CampaignItems")
	d.runes("r")
	if got := d.be.retryCalls(); !slices.Equal(got, []uint64{id}) {
		t.Fatalf("RetryFailed calls %v, want [%d]", got, id)
	}
	if d.m.progress.Items()[0].State != store.OutboxQueued || d.m.progress.Campaign().Counts.Failed != 0 {
		t.Errorf("after r: recipient %s, counts %+v", d.m.progress.Items()[0].State, d.m.progress.Campaign().Counts)
	}
	if d.be.callCount("CampaignItems") != loads+1 {
		t.Errorf("r did not reload the recipients")
	}
	d.wantView("1 failed recipients queued again")

	// x asks; anything but y keeps going; x y cancels.
	d.runes("x")
	d.wantView("Cancel: the 9 recipients not sent yet will be skipped. y to cancel, any other key to keep going")
	d.runes("n")
	wantCalls(paused, running, paused, running)
	if d.m.progress.Confirming() || strings.Contains(d.view(), "y to cancel") {
		t.Fatal("the cancel question stayed after n")
	}
	d.runes("x")
	d.runes("y")
	wantCalls(paused, running, paused, running, campStatusCall{id, store.CampaignCancelled})
	wantStatus(store.CampaignCancelled)
	if n := d.m.progress.Campaign().Counts; n.Queued != 0 || n.Skipped != 11 {
		t.Errorf("after cancelling: %+v", n)
	}
	// A cancelled campaign takes no more orders.
	d.runes("x")
	d.runes("p")
	d.runes("R")
	wantCalls(paused, running, paused, running, campStatusCall{id, store.CampaignCancelled})
	if d.m.progress.Confirming() {
		t.Error("x on a cancelled campaign asks to cancel it")
	}
}

func TestResumeInterrupted(t *testing.T) {
	be := campaignBackend()
	addHistory(be) // #2 is interrupted
	d := newDriver(t, be, 120, 36)
	d.runes("C")
	d.runes("jjj") // newest first: #5, #4, #3, #2
	d.key(tea.KeyEnter)
	if d.m.progress.Campaign().ID != 2 || d.m.progress.Campaign().Status != store.CampaignInterrupted {
		t.Fatalf("opened %+v", d.m.progress.Campaign())
	}
	d.wantView("Interrupted: pageinbox stopped while it ran", "R resume")
	d.runes("p") // p pauses or resumes a running or paused one only
	if n := len(d.be.campStatusCalls()); n != 0 {
		t.Fatalf("p on an interrupted campaign: %d calls", n)
	}
	d.runes("R")
	if got := d.be.campStatusCalls(); !slices.Equal(got, []campStatusCall{{2, store.CampaignRunning}}) {
		t.Fatalf("R: %v", got)
	}
	if d.m.progress.Campaign().Status != store.CampaignRunning {
		t.Errorf("status %s after R", d.m.progress.Campaign().Status)
	}
	// esc goes back to the history, which shows it running.
	d.key(tea.KeyEsc)
	if d.m.mode != modeCampaigns || d.m.history.Campaigns()[3].Status != store.CampaignRunning {
		t.Errorf("esc: mode %v, history %+v", d.m.mode, d.m.history.Campaigns())
	}
}

func TestEscLeavesTheCampaignRunning(t *testing.T) {
	d := campaignDriver(t)
	id := d.startCampaign("Hello")
	d.key(tea.KeyEsc)
	if d.m.mode != modeInbox {
		t.Fatalf("esc: mode %v, want the inbox", d.m.mode)
	}
	if got := d.be.campStatusCalls(); len(got) != 0 {
		t.Fatalf("leaving the view changed the campaign: %v", got)
	}
	if st := d.be.campaign(id).Status; st != store.CampaignRunning {
		t.Fatalf("campaign %s after esc", st)
	}
	// It goes on meanwhile; the inbox takes its changes without a fuss.
	d.be.progress(id, func(items []store.OutboxItem) {
		for i := range items[:5] {
			items[i].State = store.OutboxSent
		}
	})
	d.settle()
	if d.m.mode != modeInbox {
		t.Fatalf("progress moved the screen to %v", d.m.mode)
	}
	// Back in through the history: the counts are the store's now.
	d.runes("C")
	d.wantView("Campaigns", "#1", "running", "sent 5 · failed 0 · skipped 2 · unknown 0 of 11")
	d.key(tea.KeyEnter)
	if d.m.mode != modeCampaign || d.m.progress.Campaign().Counts.Sent != 5 || d.m.progress.Items()[4].State != store.OutboxSent {
		t.Fatalf("re-entered: mode %v, counts %+v", d.m.mode, d.m.progress.Campaign().Counts)
	}
	d.wantView("RUNNING", "sent 5 · failed 0 · skipped 2 · unknown 0 · left 4 of 11")
	if got := d.be.campStatusCalls(); len(got) != 0 {
		t.Errorf("re-entering changed the campaign: %v", got)
	}
	// esc now goes back to the history, and esc again to the inbox.
	d.key(tea.KeyEsc)
	if d.m.mode != modeCampaigns {
		t.Fatalf("esc from a campaign opened from the history: mode %v", d.m.mode)
	}
	d.key(tea.KeyEsc)
	if d.m.mode != modeInbox {
		t.Fatalf("esc from the history: mode %v", d.m.mode)
	}
}

func TestCampaignScreensFitTerminal(t *testing.T) {
	for _, sz := range [][2]int{{120, 36}, {80, 24}, {60, 20}, {40, 12}} {
		w, h := sz[0], sz[1]
		be := campaignBackend()
		addHistory(be)
		d := newDriver(t, be, w, h)
		d.steadyForm()
		d.runes("V")
		d.runes("B")
		d.typeText(strings.Repeat("long text ", 30))
		checkFits(t, d, w, h)
		d.key(tea.KeyCtrlS)
		checkFits(t, d, w, h)
		d.runes("y")
		checkFits(t, d, w, h)
		d.runes("C")
		checkFits(t, d, w, h)
		d.key(tea.KeyEnter)
		checkFits(t, d, w, h)
	}
}

// --- regressions of reported bugs, fixed

// TestConfirmTwiceStartsOnce: between y and the campaign's answer the form
// stays up, with its ledger; ctrl+s y again returns a second StartCampaign,
// and the same recipients would get the same message twice (two campaigns).
// Over an attached daemon writing 10,000 recipients that is a real gap.
func TestConfirmTwiceStartsOnce(t *testing.T) {
	d := campaignDriver(t)
	d.toForm("Hello")
	d.key(tea.KeyCtrlS)
	first := d.keyNoRun(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'y'}}) // StartCampaign in flight
	if first == nil {
		t.Fatal("y returned no command")
	}
	d.keyNoRun(tea.KeyMsg{Type: tea.KeyCtrlS})
	second := d.keyNoRun(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'y'}})
	d.process(first)
	d.process(second)
	if n := d.be.callCount("StartCampaign"); n != 1 {
		t.Fatalf("StartCampaign called %d times for one confirmation form", n)
	}
}

// TestStartErrorLeavesTheFormUsable: when StartCampaign fails the form
// keeps saying "Writing the campaign…" (starting is never reset), though
// nothing is being written and ctrl+s works again.
func TestStartErrorLeavesTheFormUsable(t *testing.T) {
	d := campaignDriver(t)
	d.be.fail["StartCampaign"] = errFake
	d.toForm("Hello")
	d.key(tea.KeyCtrlS)
	d.runes("y")
	d.wantView("start campaign: fake backend: induced failure")
	if strings.Contains(d.view(), "Writing the campaign") {
		t.Fatalf("the form still says it is writing the campaign after it failed:\n%s", d.view())
	}
}

// TestStaleLedgerIsDropped: the ledger has no request number. B, esc, a
// change of selection, B again: if the first Eligibility answers last, the
// form shows (and y would start) the ledger of the old selection.
func TestStaleLedgerIsDropped(t *testing.T) {
	d := campaignDriver(t)
	d.send(space)
	old := d.keyNoRun(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'B'}})
	d.key(tea.KeyEsc)
	d.send(space)
	d.send(space) // three selected now
	cur := d.keyNoRun(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'B'}})
	d.process(cur)
	d.process(old) // the older answer lands last
	if n := d.m.form.Ledger().Counts().Total; n != 3 {
		t.Fatalf("the form for 3 selected shows a ledger of %d", n)
	}
}

// TestInterruptedNoteFits: the note of an interrupted campaign (133
// characters) was one line cut at the screen's edge: at 120 columns the
// instruction it ends with, "R resumes the rest.", was lost. It wraps now.
func TestInterruptedNoteFits(t *testing.T) {
	be := busyBackend()
	addHistory(be)
	d := newDriver(t, be, 120, 36)
	d.runes("C")
	d.runes("jjj")
	d.key(tea.KeyEnter)
	// The words on screen, in order, whatever the wrapping and the borders.
	words := strings.Fields(strings.NewReplacer("┃", " ", "│", " ").Replace(d.view()))
	text := strings.Join(words, " ")
	for _, want := range []string{"Interrupted: pageinbox stopped while it ran", "R resumes the rest."} {
		if !strings.Contains(text, want) {
			t.Errorf("the screen lacks %q:\n%s", want, d.view())
		}
	}
}

// TestBulkTextUsesTheFormWidth: the form's textarea is never sized, so it
// keeps bubbles' default (Width() 34) on a screen of any width: a
// 92-character message wraps into three lines of about 30 characters in
// a 118-cell form (see testdata/TestGoldenCampaign/bulk_form.golden).
func TestBulkTextUsesTheFormWidth(t *testing.T) {
	d := campaignDriver(t)
	d.toForm("Hello")
	if w := d.m.form.TextWidth(); w < 80 {
		t.Fatalf("the message box is %d cells wide in a %d-cell form", w, d.m.common.Width-2)
	}
}

// TestProgressUsesEveryRow: the progress view keeps one row empty at the
// bottom (rows = h - lines - 1, though the last row has no newline), so
// at 120x40 a 30-recipient campaign shows 29 of them with a blank line
// below (see testdata/TestGoldenCampaign/progress.golden).
func TestProgressUsesEveryRow(t *testing.T) {
	d := newDriver(t, campaignBackend(), 120, 40)
	d.steadyForm()
	d.runes("V")
	d.runes("B")
	d.typeText("Hello")
	d.key(tea.KeyCtrlS)
	d.runes("y")
	rows := 0
	for _, l := range strings.Split(d.view(), "\n") {
		if strings.Contains(l, "queued    ") || strings.Contains(l, "skipped   ") {
			rows++
		}
	}
	if rows != 30 {
		t.Fatalf("%d of 30 recipients on screen, with room for 30:\n%s", rows, d.view())
	}
}
