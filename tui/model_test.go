package tui

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/thread"
)

// Model tests without a program: keys and messages go straight into
// Update, and the commands it returns are run here, synchronously, with
// their messages fed back until nothing is left. What the backend
// publishes is then delivered as one changesMsg, as the subscription pump
// would, and so on until the model is quiet.

// driver runs a Model over a fakeBackend.
type driver struct {
	t     testing.TB
	m     *Model
	be    *fakeBackend
	feed  <-chan store.Change // the backend's subscription, drained by settle
	quit  bool                // a tea.Quit came out of a command
	bells int
}

// endedFeed stands in for the subscription inside the model: the pump
// command reads it, finds it closed and returns at once, so no command
// blocks. The driver reads the real subscription itself.
var endedFeed = func() <-chan store.Change {
	ch := make(chan store.Change)
	close(ch)
	return ch
}()

func newDriver(t testing.TB, be *fakeBackend, w, h int) *driver {
	t.Helper()
	return newDriverWith(t, be, asciiRenderer(), w, h)
}

// newDriverWith is newDriver drawing with renderer r.
func newDriverWith(t testing.TB, be *fakeBackend, r *lipgloss.Renderer, w, h int) *driver {
	t.Helper()
	t.Cleanup(be.close)
	d := &driver{t: t, be: be}
	d.m = New(Options{Backend: be, Renderer: r, Now: fixedClock, NoTick: true,
		Bell: func() { d.bells++ }})
	// A blinking cursor is a timer command; a steady one draws the same
	// (the Ascii profile drops the reverse video either way).
	d.m.compose.SetCursorMode(cursor.CursorStatic)
	d.m.list.SetCursorMode(cursor.CursorStatic)
	d.m.thread.SetCursorMode(cursor.CursorStatic)
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(d.m.Init())
	return d
}

func busyDriver(t testing.TB, w, h int) *driver {
	t.Helper()
	return newDriver(t, busyBackend(), w, h)
}

// send delivers msg and runs what follows.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) key(k tea.KeyType) { d.t.Helper(); d.send(tea.KeyMsg{Type: k}) }

func (d *driver) altKey(k tea.KeyType) { d.t.Helper(); d.send(tea.KeyMsg{Type: k, Alt: true}) }

// runes sends s as one KeyMsg, as Bubble Tea does for runes read together.
func (d *driver) runes(s string) {
	d.t.Helper()
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
}

// typeText sends s one rune per KeyMsg, as a person types.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// run executes cmd and its consequences, then delivers what the backend
// published, until the model is quiet.
func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	d.process(cmd)
	for !d.quit {
		changes := d.drain()
		if len(changes) == 0 {
			return
		}
		_, cmd := d.m.Update(changesMsg(changes))
		d.process(cmd)
	}
}

// settle delivers whatever the backend has published since.
func (d *driver) settle() { d.t.Helper(); d.run(nil) }

// drain takes what is queued on the subscription without waiting.
func (d *driver) drain() []store.Change {
	var out []store.Change
	for {
		select {
		case c, ok := <-d.feed:
			if !ok {
				return out
			}
			out = append(out, c)
		default:
			return out
		}
	}
}

// process runs cmd, depth first: each message goes into Update and the
// command Update returns runs before the next sibling. Batches and
// sequences are flattened in order.
func (d *driver) process(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil || d.quit {
		return
	}
	msg := d.call(cmd)
	switch msg := msg.(type) {
	case nil:
	case tea.QuitMsg:
		d.quit = true
	case tea.BatchMsg:
		for _, c := range msg {
			d.process(c)
		}
	case feedStartMsg:
		d.feed = msg.ch
		_, c := d.m.Update(feedStartMsg{ch: endedFeed})
		d.process(c)
	case feedEndMsg:
		if msg.err != nil {
			d.send(msg)
		}
		// The ended stand-in feed: nothing to tell the model.
	default:
		if cmds, ok := sequence(msg); ok {
			for _, c := range cmds {
				d.process(c)
			}
			return
		}
		_, c := d.m.Update(msg)
		d.process(c)
	}
}

// sequence unpacks tea.Sequence's unexported message.
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}

// call runs one command; one that blocks is a bug in the test setup.
func (d *driver) call(cmd tea.Cmd) tea.Msg {
	d.t.Helper()
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		return msg
	case <-time.After(5 * time.Second):
		d.t.Fatal("a command blocked for 5s")
		return nil
	}
}

// collect runs cmd without delivering anything: the messages it would
// produce, batches flattened.
func (d *driver) collect(cmd tea.Cmd) []tea.Msg {
	d.t.Helper()
	if cmd == nil {
		return nil
	}
	msg := d.call(cmd)
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, d.collect(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// keyNoRun delivers a key and returns its command unrun.
func (d *driver) keyNoRun(msg tea.KeyMsg) tea.Cmd {
	_, cmd := d.m.Update(msg)
	return cmd
}

func (d *driver) view() string { return d.m.View() }

func (d *driver) current() store.ConvKey {
	c, ok := d.m.list.Current()
	if !ok {
		d.t.Fatal("no conversation under the cursor")
	}
	return c.ConvKey
}

func (d *driver) names() []string {
	var out []string
	for _, c := range d.m.list.Conversations() {
		out = append(out, common.DisplayName(c))
	}
	return out
}

// index is where a conversation is in the list; -1 if it is not loaded.
func (d *driver) index(k store.ConvKey) int {
	if i, ok := d.m.list.Index(k); ok {
		return i
	}
	return -1
}

// rowKey is the key of the i-th busy conversation in list order.
func (d *driver) rowKey(i int) store.ConvKey { return d.m.list.Conversations()[i].ConvKey }

func (d *driver) wantFocus(p pane) {
	d.t.Helper()
	if d.m.focus != p {
		d.t.Fatalf("focus = %v, want %v", d.m.focus, p)
	}
	if got := d.m.compose.Focused(); got != (p == paneCompose) {
		d.t.Fatalf("compose focused = %v with focus on pane %v", got, p)
	}
}

func (d *driver) wantView(substr ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range substr {
		if !strings.Contains(v, s) {
			d.t.Fatalf("the screen lacks %q:\n%s", s, v)
		}
	}
}

// --- navigation

func TestNavigation(t *testing.T) {
	d := busyDriver(t, 120, 36)
	if n := len(d.m.list.Conversations()); n != 30 {
		t.Fatalf("loaded %d conversations, want 30", n)
	}
	steps := []struct {
		name string
		do   func()
		want int
	}{
		{"j", func() { d.runes("j") }, 1},
		{"down", func() { d.key(tea.KeyDown) }, 2},
		{"k", func() { d.runes("k") }, 1},
		{"up", func() { d.key(tea.KeyUp) }, 0},
		{"up at the top", func() { d.key(tea.KeyUp) }, 0},
		{"jjj in one message", func() { d.runes("jjj") }, 3},
		{"kk in one message", func() { d.runes("kk") }, 1},
		{"G", func() { d.runes("G") }, 29},
		{"j at the bottom", func() { d.runes("j") }, 29},
		{"g", func() { d.runes("g") }, 0},
		{"pgdown", func() { d.key(tea.KeyPgDown) }, d.m.list.VisibleRows()},
	}
	for _, s := range steps {
		s.do()
		if d.m.list.Cursor() != s.want {
			t.Fatalf("after %s: cursor %d, want %d", s.name, d.m.list.Cursor(), s.want)
		}
		// Wide layout: the thread beside follows the cursor, and is loaded.
		if d.m.thread.Key() != d.current() || !d.m.thread.Loaded() {
			t.Fatalf("after %s: thread shows %v (loaded %v), cursor on %v", s.name, d.m.thread.Key(), d.m.thread.Loaded(), d.current())
		}
	}
	if len(d.be.markReadCalls()) != 0 {
		t.Errorf("moving the cursor marked conversations read: %v", d.be.markReadCalls())
	}
}

func TestEnterOpensComposeAndMarksRead(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.wantFocus(paneCompose)
	if got := d.be.markReadCalls(); !slices.Equal(got, []store.ConvKey{richKey}) {
		t.Fatalf("MarkRead calls = %v, want [%v]", got, richKey)
	}
	if c := d.m.list.Conversations()[0]; c.ConvKey != richKey || c.Unread != 0 {
		t.Errorf("list row after MarkRead: %v unread %d, want %v unread 0", c.ConvKey, c.Unread, richKey)
	}
	if d.m.list.Counts().Unread != 15 {
		t.Errorf("unread count %d after marking one of 16 read", d.m.list.Counts().Unread)
	}
	d.wantView("enter send", "Write a reply")

	// A conversation that is already read is not marked again.
	d.key(tea.KeyEsc)
	d.wantFocus(paneList)
	d.runes("jjj") // Chen Wei: read
	d.key(tea.KeyEnter)
	if got := d.be.markReadCalls(); len(got) != 1 {
		t.Errorf("MarkRead calls = %v, want only the unread conversation", got)
	}
}

func TestEscSavesDraftThatSurvives(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("see you soon")
	d.key(tea.KeyEsc)
	d.wantFocus(paneList)
	drafts := d.be.draftCalls()
	if len(drafts) != 1 || drafts[0] != (draftCall{Key: richKey, Draft: "see you soon"}) {
		t.Fatalf("SaveDraft calls = %+v, want one for %v with the draft", drafts, richKey)
	}
	if got := d.be.draft(richKey); got != "see you soon" {
		t.Fatalf("backend draft %q", got)
	}

	// Another conversation, then back: the draft is there again.
	d.runes("j")
	if d.m.compose.Key() == richKey || d.m.compose.Value() != "" {
		t.Fatalf("compose on %v with %q after moving to another conversation", d.m.compose.Key(), d.m.compose.Value())
	}
	d.runes("k")
	d.key(tea.KeyEnter)
	d.wantFocus(paneCompose)
	if got := d.m.compose.Value(); got != "see you soon" {
		t.Fatalf("reopened compose holds %q, want the draft", got)
	}
	d.wantView("see you soon")
	if n := len(d.be.draftCalls()); n != 1 {
		t.Errorf("%d SaveDraft calls; switching conversations without edits should save nothing", n)
	}
}

func TestTabCyclesPanes(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.wantFocus(paneList)
	for _, want := range []pane{paneThread, paneCompose, paneList, paneThread} {
		d.key(tea.KeyTab)
		d.wantFocus(want)
	}
	if len(d.be.markReadCalls()) != 0 {
		t.Errorf("tab marked a conversation read: %v", d.be.markReadCalls())
	}
}

// --- search and filters

func TestSearch(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.runes("/")
	if !d.m.list.Typing() {
		t.Fatal("/ did not open the search box")
	}
	lists := len(d.be.listCalls())
	d.typeText("ol")
	calls := d.be.listCalls()[lists:]
	if len(calls) != 2 || calls[0].Search != "o" || calls[1].Search != "ol" {
		t.Fatalf("List calls while typing: %+v, want searches for o then ol", calls)
	}
	want := []string{"Dolores Ramírez-Santillana de la Cruz y Montenegro", "Olga Ivanova", "Sven Olsen"}
	if got := d.names(); !slices.Equal(got, want) {
		t.Fatalf("search results %q, want %q", got, want)
	}
	d.wantView("/ ol")

	// Enter keeps the search and gives the keys back to the list.
	d.key(tea.KeyEnter)
	if d.m.list.Typing() || d.m.list.Query() != "ol" {
		t.Fatalf("after enter: typing %v, query %q", d.m.list.Typing(), d.m.list.Query())
	}
	d.runes("j")
	if d.current() != convKey("1000000000000016") {
		t.Errorf("j in the results moved to %v", d.current())
	}
	d.wantView("/ ol  (esc clears)")

	// Esc clears it and the whole inbox comes back.
	d.key(tea.KeyEsc)
	if d.m.list.Query() != "" || len(d.m.list.Conversations()) != 30 {
		t.Fatalf("after esc: query %q, %d rows", d.m.list.Query(), len(d.m.list.Conversations()))
	}
}

func TestSearchDropsStaleResults(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.runes("/")
	slow := d.keyNoRun(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("o")})
	fast := d.keyNoRun(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("l")})
	// The answer to "ol" arrives first, the answer to "o" after it.
	newer, older := d.collect(fast), d.collect(slow)
	for _, msg := range append(newer, older...) {
		d.send(msg)
	}
	want := []string{"Dolores Ramírez-Santillana de la Cruz y Montenegro", "Olga Ivanova", "Sven Olsen"}
	if got := d.names(); !slices.Equal(got, want) {
		t.Fatalf("rows %q after a late answer to an older search; want the results for ol: %q", got, want)
	}
}

func TestFilterKeys(t *testing.T) {
	d := busyDriver(t, 120, 36)
	check := func(k string, f store.Filter, rows int) {
		t.Helper()
		d.runes(k)
		if d.m.list.Filter() != f {
			t.Fatalf("%s: filter %s, want %s", k, d.m.list.Filter(), f)
		}
		calls := d.be.listCalls()
		if last := calls[len(calls)-1]; last.Filter != f || last.Search != "" || last.After != "" {
			t.Fatalf("%s: last List call %+v, want a first page of %s", k, last, f)
		}
		if len(d.m.list.Conversations()) != rows {
			t.Fatalf("%s: %d rows, want %d", k, len(d.m.list.Conversations()), rows)
		}
		for _, c := range d.m.list.Conversations() {
			ok := true
			switch f {
			case store.FilterUnread:
				ok = c.Unread > 0
			case store.FilterDone:
				ok = c.Status == store.ConvDone
			case store.FilterWindow:
				ok = store.WindowAt(c.LastInboundTime, testNow).State == store.WindowOpen
			}
			if !ok {
				t.Fatalf("%s: %s does not belong in %s", k, common.DisplayName(c), f)
			}
		}
		// The cursor lands on a row of the new filter (the previous
		// selection if it is there, else the top), and the thread beside
		// follows it.
		if c, ok := d.m.list.Current(); !ok || d.m.thread.Key() != c.ConvKey {
			t.Fatalf("%s: cursor %d, thread on %v", k, d.m.list.Cursor(), d.m.thread.Key())
		}
	}
	check("2", store.FilterUnread, 16)
	check("3", store.FilterWindow, 11)
	check("4", store.FilterDone, 6)
	check("1", store.FilterAll, 30)
	check("f", store.FilterUnread, 16)
	check("f", store.FilterWindow, 11)
	check("f", store.FilterDone, 6)
	check("f", store.FilterAll, 30)
	// The same filter again does not reload.
	n := len(d.be.listCalls())
	d.runes("1")
	if len(d.be.listCalls()) != n {
		t.Error("pressing the current filter's key reloaded the list")
	}
}

// --- quitting

func TestQuitFromListButTypedInCompose(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.runes("q")
	if d.quit {
		t.Fatal("q in compose quit the program")
	}
	if got := d.m.compose.Value(); got != "q" {
		t.Fatalf("compose holds %q after typing q", got)
	}
	d.key(tea.KeyEsc)
	d.runes("q")
	if !d.quit {
		t.Fatal("q in the list did not quit")
	}
}

func TestCtrlCFromComposeSavesDraftFirst(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("half a reply")
	d.key(tea.KeyCtrlC) // the driver stops at tea.Quit: a save after it never runs
	if !d.quit {
		t.Fatal("ctrl+c did not quit")
	}
	drafts := d.be.draftCalls()
	if len(drafts) != 1 || drafts[0].Key != richKey || drafts[0].Draft != "half a reply" {
		t.Fatalf("SaveDraft calls = %+v, want the draft", drafts)
	}
	if drafts[0].Err != nil {
		t.Fatalf("the draft was not saved on the way out: SaveDraft failed with %v", drafts[0].Err)
	}
	if got := d.be.draft(richKey); got != "half a reply" {
		t.Fatalf("backend draft %q after quitting", got)
	}
}

// --- sending

func TestEnterSendsResponseInsideWindow(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("Thanks for waiting!")
	d.key(tea.KeyEnter)
	sends := d.be.sendCalls()
	want := store.Send{ConvKey: richKey, Text: "Thanks for waiting!", MessagingType: store.Response}
	if len(sends) != 1 || !reflect.DeepEqual(sends[0], want) {
		t.Fatalf("Send calls = %+v, want [%+v]", sends, want)
	}
	if v := d.m.compose.Value(); v != "" {
		t.Errorf("compose holds %q after sending", v)
	}
	// The queued message arrives through the feed and ends the thread.
	last := d.m.thread.Messages()[len(d.m.thread.Messages())-1]
	if last.Text != "Thanks for waiting!" || last.Status != store.StatusQueued {
		t.Errorf("last thread message %q (%s), want the queued reply", last.Text, last.Status)
	}
	d.wantView("Thanks for waiting!", "◷ queued")
	// The draft is cleared in the backend too.
	if drafts := d.be.draftCalls(); len(drafts) == 0 || drafts[len(drafts)-1].Draft != "" {
		t.Errorf("SaveDraft calls after sending: %+v, want the draft cleared", drafts)
	}
}

func TestNewlineKeysDoNotSend(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("line one")
	d.altKey(tea.KeyEnter)
	d.typeText("line two")
	d.key(tea.KeyCtrlJ)
	d.typeText("line three")
	if n := len(d.be.sendCalls()); n != 0 {
		t.Fatalf("alt+enter or ctrl+j sent %d messages", n)
	}
	if got, want := d.m.compose.Value(), "line one\nline two\nline three"; got != want {
		t.Fatalf("compose holds %q, want %q", got, want)
	}
	d.key(tea.KeyEnter)
	if sends := d.be.sendCalls(); len(sends) != 1 || sends[0].Text != "line one\nline two\nline three" {
		t.Fatalf("Send calls = %+v, want the three lines", sends)
	}
}

func TestEnterOnEmptyComposeSendsNothing(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("   ")
	d.key(tea.KeyEnter)
	if n := len(d.be.sendCalls()); n != 0 {
		t.Fatalf("%d sends of blank text", n)
	}
}

func TestSendRefusedOutsideWindow(t *testing.T) {
	t.Run("human_agent_only", func(t *testing.T) {
		be := newFakeBackend(fixedClock)
		k := windowConv(be, "Ivan Petrov", 3*24*time.Hour)
		d := newDriver(t, be, 120, 36)
		d.key(tea.KeyEnter)
		d.typeText("Sorry for the wait")
		d.key(tea.KeyEnter)
		if n := len(be.sendCalls()); n != 0 {
			t.Fatalf("Send called %d times outside the 24 h window without HUMAN_AGENT", n)
		}
		d.wantView("✗ not sent: blocked: outside 24 h")
		if d.m.compose.Value() != "Sorry for the wait" {
			t.Fatalf("the refused reply was lost: %q", d.m.compose.Value())
		}
		// ctrl+t: a person replies, tagged HUMAN_AGENT.
		d.key(tea.KeyCtrlT)
		d.wantView("↵ HUMAN_AGENT · a person replying")
		d.key(tea.KeyEnter)
		want := store.Send{ConvKey: k, Text: "Sorry for the wait", MessagingType: store.MessageTag, Tag: store.TagHumanAgent}
		if sends := be.sendCalls(); len(sends) != 1 || !reflect.DeepEqual(sends[0], want) {
			t.Fatalf("Send calls = %+v, want [%+v]", sends, want)
		}
		if d.m.compose.HumanAgent() {
			t.Error("the HUMAN_AGENT confirmation outlived the send")
		}
	})
	t.Run("closed", func(t *testing.T) {
		be := newFakeBackend(fixedClock)
		windowConv(be, "Ingrid Berg", 9*24*time.Hour)
		d := newDriver(t, be, 120, 36)
		d.key(tea.KeyEnter)
		d.typeText("Hello again")
		d.key(tea.KeyCtrlT) // not allowed beyond 7 days
		d.wantView("✗ HUMAN_AGENT: only outside the 24 h window and within 7 days")
		d.key(tea.KeyEnter)
		if n := len(be.sendCalls()); n != 0 {
			t.Fatalf("Send called %d times beyond the 7-day window", n)
		}
		d.wantView("✗ not sent: blocked: last wrote")
	})
	t.Run("never_wrote", func(t *testing.T) {
		d := busyDriver(t, 120, 36)
		for d.m.list.Conversations()[d.m.list.Cursor()].Name != "Pierre Dubois" {
			d.runes("j")
		}
		d.key(tea.KeyEnter)
		d.typeText("Your order is ready")
		d.key(tea.KeyEnter)
		if n := len(d.be.sendCalls()); n != 0 {
			t.Fatalf("Send called %d times to a customer who never wrote", n)
		}
		d.wantView("✗ not sent: blocked: the customer never wrote")
	})
}

func TestSendErrorShownAndReplyKept(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.be.fail["Send"] = errFake
	d.key(tea.KeyEnter)
	d.typeText("Hello")
	d.key(tea.KeyEnter)
	d.wantView("✗ send: fake backend: induced failure")
	if got := d.m.compose.Value(); got != "Hello" {
		t.Fatalf("compose holds %q after a failed send, want the reply kept", got)
	}
}

// --- live updates

func TestConversationUpdatedResortsAndKeepsSelection(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.runes("jjj")
	sel := d.current() // Chen Wei
	moved := d.rowKey(5)
	d.be.touch(moved, func(c *store.Conversation) {
		c.LastActivity, c.LastMessageTime, c.LastMessage = testNow, testNow, "just now"
	})
	d.settle()
	if d.rowKey(0) != moved {
		t.Fatalf("the updated conversation is at %d, want the top", d.index(moved))
	}
	if d.current() != sel {
		t.Fatalf("selection moved from %v to %v", sel, d.current())
	}
	if d.m.list.Cursor() != 4 {
		t.Errorf("cursor %d, want 4 (one row down, following the selection)", d.m.list.Cursor())
	}
	d.wantView("just now")
}

func TestMessageAddedAppendsToOpenThread(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	n := len(d.m.thread.Messages())
	marks := len(d.be.markReadCalls())
	d.be.receive(richKey, "Is delivery free?", testNow)
	d.settle()
	if len(d.m.thread.Messages()) != n+1 || d.m.thread.Messages()[n].Text != "Is delivery free?" {
		t.Fatalf("thread has %d messages, last %q", len(d.m.thread.Messages()), d.m.thread.Messages()[len(d.m.thread.Messages())-1].Text)
	}
	d.wantView("Is delivery free?")
	// Read where it arrived: the open, focused thread is marked read again.
	if got := d.be.markReadCalls(); len(got) != marks+1 {
		t.Errorf("MarkRead calls %v: a message arriving in the thread being read was not marked read", got)
	}
	// A message for another conversation stays out of this thread.
	d.be.receive(convKey("1000000000000002"), "Wrong thread?", testNow)
	d.settle()
	if len(d.m.thread.Messages()) != n+1 || d.m.thread.Key() != richKey {
		t.Fatal("another conversation's message landed in the open thread")
	}
}

func TestChangesWhileComposingKeepDraftAndCursor(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("hello world")
	for range 5 {
		d.key(tea.KeyLeft)
	}
	d.be.receive(richKey, "are you there?", testNow)
	d.be.receive(convKey("1000000000000002"), "ping", testNow)
	d.be.touch(convKey("1000000000000004"), func(c *store.Conversation) { c.Name = "Chen Wei (VIP)" })
	d.settle()
	d.wantFocus(paneCompose)
	d.typeText("big ")
	if got, want := d.m.compose.Value(), "hello big world"; got != want {
		t.Fatalf("compose holds %q, want %q: the draft or its cursor moved", got, want)
	}
	if d.current() != richKey {
		t.Fatalf("list selection moved to %v while composing", d.current())
	}
}

func TestResyncReloadsListAndThread(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	lists, threads, counts := d.be.callCount("Conversations"), d.be.callCount("Thread"), d.be.callCount("Counts")
	// Something changed that the feed dropped: only a reload shows it.
	d.be.mu.Lock()
	d.be.convs[richKey].Name = "Amara O. (renamed while away)"
	d.be.mu.Unlock()
	d.be.push(store.Change{Kind: store.Resync})
	d.settle()
	if d.be.callCount("Conversations") != lists+1 || d.be.callCount("Thread") != threads+1 || d.be.callCount("Counts") != counts+1 {
		t.Fatalf("after Resync: List %d→%d, Thread %d→%d, Counts %d→%d; want one more of each",
			lists, d.be.callCount("Conversations"), threads, d.be.callCount("Thread"), counts, d.be.callCount("Counts"))
	}
	if tc := d.be.threadCalls(); tc[len(tc)-1].Key != richKey || tc[len(tc)-1].Before != "" {
		t.Fatalf("the reload read %+v, want the open thread's newest page", tc[len(tc)-1])
	}
	d.wantView("Amara O. (renamed while away)")
	d.wantFocus(paneCompose)
}

func TestSubscriberOverflowBecomesResync(t *testing.T) {
	// The fake, like the store, replaces a full subscriber's queue with one
	// Resync; the model then reloads instead of applying a partial burst.
	d := busyDriver(t, 120, 36)
	lists := d.be.callCount("Conversations")
	for i := range 300 {
		d.be.receive(convKey("1000000000000002"), "spam "+strings.Repeat("!", i%5), testNow)
	}
	d.settle()
	if d.be.callCount("Conversations") <= lists {
		t.Fatal("no reload after the subscription overflowed")
	}
}

func TestBell(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter) // Amara's thread is open and being read
	d.be.receive(richKey, "one more thing", testNow)
	d.settle()
	if d.bells != 0 {
		t.Fatalf("the bell rang %d times for the thread being read", d.bells)
	}
	d.be.receive(convKey("1000000000000002"), "hello from elsewhere", testNow)
	d.settle()
	if d.bells != 1 {
		t.Fatalf("the bell rang %d times for a message in another conversation, want 1", d.bells)
	}
	// Our own send is not news.
	d.typeText("ok")
	d.key(tea.KeyEnter)
	if d.bells != 1 {
		t.Fatalf("the bell rang for our own reply (%d rings)", d.bells)
	}
}

// --- older history

func TestThreadLoadsOlderHistory(t *testing.T) {
	be := newFakeBackend(fixedClock)
	k := convKey("3000000000000001")
	var msgs []store.Message
	for i := range 120 {
		msgs = append(msgs, in("message number "+strings.Repeat("x", i%3)+string(rune('A'+i%26)), ago(time.Duration(120-i)*time.Minute)))
	}
	be.add(store.Conversation{ConvKey: k, Name: "Long Thread"}, msgs...)
	d := newDriver(t, be, 120, 36)
	if n := len(d.m.thread.Messages()); n != thread.PageSize {
		t.Fatalf("first thread page has %d messages, want %d", n, thread.PageSize)
	}
	d.key(tea.KeyTab) // the thread pane
	for i := 0; i < 3 && d.m.thread.Before() != ""; i++ {
		d.runes("g") // to the top: the older page loads
	}
	calls := d.be.threadCalls()
	if len(d.m.thread.Messages()) != 120 || d.m.thread.Before() != "" {
		t.Fatalf("after scrolling to the top: %d messages loaded, before %q; Thread calls %+v", len(d.m.thread.Messages()), d.m.thread.Before(), calls)
	}
	for i, c := range calls[1:] {
		if c.Before == "" {
			t.Errorf("Thread call %d went back to the newest page: %+v", i+1, c)
		}
	}
	if !slices.IsSortedFunc(d.m.thread.Messages(), func(a, b store.Message) int { return a.Time.Compare(b.Time) }) {
		t.Error("the thread is out of time order after loading older pages")
	}
}

// --- the rest of the list keys

func TestDoneToggles(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.runes("d")
	d.runes("d")
	want := []statusCall{{richKey, store.ConvDone}, {richKey, store.ConvActive}}
	if got := d.be.statusCalls(); !slices.Equal(got, want) {
		t.Fatalf("SetStatus calls %+v, want %+v", got, want)
	}
}

func TestLoadErrorInStatusBar(t *testing.T) {
	be := busyBackend()
	be.fail["Conversations"] = errFake
	d := newDriver(t, be, 120, 36)
	d.wantView("✗ load conversations: fake backend: induced failure")
}

// --- sizes

// TestViewFitsTerminal draws every screen at several sizes: each line at
// most the width, exactly the height in lines, and no panic.
func TestViewFitsTerminal(t *testing.T) {
	sizes := [][2]int{{40, 12}, {200, 50}, {60, 20}, {79, 24}, {80, 24}, {120, 36}, {30, 9}, {80, 9}}
	for _, sz := range sizes {
		for _, sc := range sizeScreens {
			w, h := sz[0], sz[1]
			t.Run(fmt.Sprintf("%s/%dx%d", sc.name, w, h), func(t *testing.T) {
				d := busyDriver(t, 120, 36)
				sc.keys(d)
				d.send(tea.WindowSizeMsg{Width: w, Height: h})
				checkFits(t, d, w, h)
				// Back and forth: resizing must not leave stale layout.
				d.send(tea.WindowSizeMsg{Width: 120, Height: 36})
				checkFits(t, d, 120, 36)
				d.send(tea.WindowSizeMsg{Width: w, Height: h})
				checkFits(t, d, w, h)
			})
		}
	}
	t.Run("empty/40x12", func(t *testing.T) {
		d := newDriver(t, newFakeBackend(fixedClock), 40, 12)
		checkFits(t, d, 40, 12)
	})
}

// TestViewShortTerminal: 5 to 8 rows. View panics (slice bounds out of
// range in box) at 5-7 rows whenever the thread column is drawn, and
// draws 9 lines at 8 rows. Reported; skipped until fixed.
func TestViewShortTerminal(t *testing.T) {
	for h := 5; h <= 8; h++ {
		for _, w := range []int{30, 80, 120} {
			for _, sc := range sizeScreens {
				t.Run(fmt.Sprintf("%s/%dx%d", sc.name, w, h), func(t *testing.T) {
					d := busyDriver(t, 120, 36)
					sc.keys(d)
					d.send(tea.WindowSizeMsg{Width: w, Height: h})
					checkFits(t, d, w, h)
				})
			}
		}
	}
}

var sizeScreens = []struct {
	name string
	keys func(d *driver)
}{
	{"list", func(d *driver) {}},
	{"thread", func(d *driver) { d.key(tea.KeyTab) }},
	{"compose", func(d *driver) {
		d.key(tea.KeyEnter)
		d.typeText("a reply long enough to wrap in a narrow pane, and then some more words")
		d.altKey(tea.KeyEnter)
		d.typeText("second line")
	}},
	{"help", func(d *driver) { d.runes("?") }},
	{"search", func(d *driver) { d.runes("/"); d.typeText("ol") }},
	{"error", func(d *driver) {
		d.key(tea.KeyEnter)
		d.be.fail["Send"] = errFake
		d.typeText("x")
		d.key(tea.KeyEnter)
	}},
}

// checkFits draws the model and checks the frame fills the terminal
// exactly; a panic in View fails the test instead of the binary.
func checkFits(t *testing.T, d *driver, w, h int) {
	t.Helper()
	var v string
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("View panicked at %dx%d: %v", w, h, r)
			}
		}()
		v = d.view()
	}()
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d cells wide, terminal %d: %q", i, lw, w, l)
		}
	}
	if len(lines) != h {
		t.Errorf("%d lines, terminal height %d:\n%s", len(lines), h, v)
	}
}

// --- reported bugs, skipped until fixed

// TestWheelOverListKeepsReplyTarget: scrolling the wheel over the list
// while the reply box has the keyboard switches the reply box to another
// conversation and leaves it focused, so what is typed next, and enter,
// go to another customer. Whatever the fix (keep the reply where it is,
// or move the focus to the list), a focused reply box must not change
// recipient under the user.
func TestWheelOverListKeepsReplyTarget(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("reply for Amara")
	d.send(tea.MouseMsg{X: 5, Y: 10, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if d.m.focus == paneCompose && d.m.compose.Key() != richKey {
		t.Fatalf("the focused reply box now answers %v (holding %q), not %v", d.m.compose.Key(), d.m.compose.Value(), richKey)
	}
}

// TestOlderPageAfterReloadLeavesNoGap: a reload (Resync) that lands
// while an older page is in flight takes the newest page; the older page
// then lands and is prepended to it. If a message arrived meanwhile, the
// reload's page starts one message later than the page the older load
// was asked for, and the message between is lost from the screen.
// threadMsg carries no seq, so the stale older page is not recognised.
func TestOlderPageAfterReloadLeavesNoGap(t *testing.T) {
	be := newFakeBackend(fixedClock)
	k := convKey("3000000000000001")
	var msgs []store.Message
	for i := range 120 {
		msgs = append(msgs, in(fmt.Sprintf("message %03d", i), ago(time.Duration(200-i)*time.Minute)))
	}
	be.add(store.Conversation{ConvKey: k, Name: "Long Thread"}, msgs...)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyTab) // the thread pane
	be.receive(k, "message 120", testNow)
	d.settle()
	older := d.keyNoRun(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("g")}) // asks for the page before message 070
	be.push(store.Change{Kind: store.Resync})
	d.settle() // the reload: messages 071..120
	for _, msg := range d.collect(older) {
		d.send(msg) // messages 020..069
	}
	for i, m := range d.m.thread.Messages()[1:] {
		prev := d.m.thread.Messages()[i]
		if m.Time.Sub(prev.Time) > time.Minute && m.Text != "message 120" {
			t.Fatalf("the thread jumps from %q to %q", prev.Text, m.Text)
		}
	}
}

// TestComposeFooterKeepsTheHint: at 120 columns the compose footer is
// cut at the pane width minus 10, so the HUMAN_AGENT case loses its
// "ctrl+t" hint and the closed case loses how long ago the customer wrote
// (see testdata/TestGolden/compose_*.golden).
func TestComposeFooterKeepsTheHint(t *testing.T) {
	be := newFakeBackend(fixedClock)
	windowConv(be, "Ivan Petrov", 3*24*time.Hour)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	for _, line := range strings.Split(d.view(), "\n") {
		if strings.Contains(line, "blocked:") && !strings.Contains(line, "ctrl+t") {
			t.Fatalf("the footer lacks the ctrl+t hint: %q", line)
		}
	}
}

// TestTabsFitAt120: at 120 columns the list pane is 40 cells inside and
// the four filter tabs need 42 with these counts: "Done" is cut to "Don…"
// and its count is hidden (see testdata/TestGolden/busy_list.golden).
func TestTabsFitAt120(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.wantView("Done 6")
}
