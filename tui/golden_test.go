package tui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// Golden screens: a real tea.Program over the fake backend, driven with
// keys, waited on until the loads have landed, and the final model's
// View() compared with testdata/TestGolden/<name>.golden. Regenerate with
//
//	go test ./tui -run TestGolden -update
//
// and read the diff: every golden is meant to be looked at.

const waitLimit = 5 * time.Second

type goldenRun struct {
	t  *testing.T
	be *fakeBackend
	tm *teatest.TestModel
}

// startGolden runs the TUI over be in a w×h terminal.
func startGolden(t *testing.T, be *fakeBackend, w, h int) *goldenRun {
	t.Helper()
	t.Cleanup(be.close)
	m := New(Options{Backend: be, Renderer: asciiRenderer(), Now: fixedClock, NoTick: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	return &goldenRun{t: t, be: be, tm: tm}
}

// waitFor waits until everything in want has been drawn since the last
// wait. The renderer only writes lines that changed, so each string must
// be on a line the awaited update changes.
func (g *goldenRun) waitFor(want ...string) {
	g.t.Helper()
	teatest.WaitFor(g.t, g.tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(waitLimit), teatest.WithCheckInterval(10*time.Millisecond))
}

func (g *goldenRun) key(k tea.KeyType) { g.tm.Send(tea.KeyMsg{Type: k}) }

func (g *goldenRun) runes(s string) { g.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

// finish quits the program and compares the final model's frame with the
// golden file.
func (g *goldenRun) finish() *Model {
	g.t.Helper()
	if err := g.tm.Quit(); err != nil {
		g.t.Fatal(err)
	}
	m := g.tm.FinalModel(g.t, teatest.WithFinalTimeout(waitLimit)).(*Model)
	teatest.RequireEqualOutput(g.t, []byte(m.View()))
	return m
}

func busyBackend() *fakeBackend {
	be := newFakeBackend(fixedClock)
	be.status = testStatus()
	addBusy(be)
	return be
}

// waitBusy waits for the busy inbox's first screen in the wide layout: the
// counts, the status, and the newest conversation's thread.
func (g *goldenRun) waitBusy() {
	g.t.Helper()
	g.waitFor("All 30", "Harbour Outfitters", "what would you like to know?")
}

func TestGolden(t *testing.T) {
	t.Run("empty_inbox", func(t *testing.T) {
		be := newFakeBackend(fixedClock)
		be.status = testStatus()
		g := startGolden(t, be, 120, 36)
		g.waitFor("No conversations yet", "Harbour Outfitters")
		g.finish()
	})

	t.Run("busy_list", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 120, 36)
		g.waitBusy()
		g.finish()
	})

	t.Run("busy_list_bottom", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 120, 36)
		g.waitBusy()
		g.runes("G") // the oldest conversation: closed window, its thread opens beside
		g.waitFor("window closed", "Hi! Sure, how can we help?")
		g.finish()
	})

	t.Run("search", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 120, 36)
		g.waitBusy()
		g.runes("/")
		g.runes("ol") // one message: a single search, no stale answer to race
		// The results, and the thread of the first one, which opens beside.
		g.waitFor("Olga Ivanova", "Sven Olsen", "tracking page says nothing")
		g.finish()
	})

	t.Run("thread", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 120, 36)
		g.waitBusy()
		g.key(tea.KeyEnter) // compose focused, marked read
		g.waitFor("Unread 15", "enter send")
		m := g.finish()
		if got := g.be.markReadCalls(); len(got) != 1 || got[0] != richKey {
			t.Errorf("MarkRead calls = %v, want [%v]", got, richKey)
		}
		if m.focus != paneCompose {
			t.Errorf("focus = %v, want compose", m.focus)
		}
	})

	t.Run("thread_top", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 120, 36)
		g.waitBusy()
		g.key(tea.KeyTab) // the thread pane
		g.runes("g")      // to the oldest message
		g.waitFor("Hi! Is the blue rain jacket")
		g.finish()
	})

	t.Run("thread_tall", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 120, 100)
		g.waitFor("All 30", "Harbour Outfitters", "Hi! Is the blue rain jacket", "what would you like to know?")
		g.finish()
	})

	t.Run("compose_human_agent", func(t *testing.T) {
		be := newFakeBackend(fixedClock)
		be.status = testStatus()
		windowConv(be, "Ivan Petrov", 3*24*time.Hour)
		g := startGolden(t, be, 120, 36)
		g.waitFor("All 4", "Harbour Outfitters", "has been dispatched")
		g.key(tea.KeyEnter)
		g.tm.Type("Sorry for the wait, it arrives Friday.")
		g.waitFor("arrives Friday.", "Unread 0")
		g.finish()
	})

	t.Run("compose_human_agent_tagged", func(t *testing.T) {
		be := newFakeBackend(fixedClock)
		be.status = testStatus()
		windowConv(be, "Ivan Petrov", 3*24*time.Hour)
		g := startGolden(t, be, 120, 36)
		g.waitFor("All 4", "Harbour Outfitters", "has been dispatched")
		g.key(tea.KeyEnter)
		g.tm.Type("Sorry for the wait, it arrives Friday.")
		g.key(tea.KeyCtrlT) // a person is replying: HUMAN_AGENT
		g.waitFor("arrives Friday.", "Unread 0", "HUMAN_AGENT · a person replying")
		g.finish()
	})

	t.Run("compose_closed", func(t *testing.T) {
		be := newFakeBackend(fixedClock)
		be.status = testStatus()
		windowConv(be, "Ingrid Berg", 9*24*time.Hour)
		g := startGolden(t, be, 120, 36)
		g.waitFor("All 4", "Harbour Outfitters", "has been dispatched")
		g.key(tea.KeyEnter)
		g.tm.Type("Hello again!")
		g.key(tea.KeyEnter) // refused: the reason goes to the status bar
		g.waitFor("Hello again!", "not sent", "Unread 0")
		g.finish()
		if got := be.sendCalls(); len(got) != 0 {
			t.Errorf("Send was called outside every window: %+v", got)
		}
	})

	t.Run("narrow_list", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 60, 20)
		g.waitFor("All 30", "Harbour Outfitters", "Amara Okafor")
		g.finish()
	})

	t.Run("narrow_thread", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 60, 20)
		g.waitFor("All 30", "Harbour Outfitters", "Amara Okafor")
		g.key(tea.KeyEnter)
		g.waitFor("what would you like", "enter send")
		g.finish()
	})

	t.Run("help", func(t *testing.T) {
		g := startGolden(t, busyBackend(), 120, 36)
		g.waitBusy()
		g.runes("?")
		g.waitFor("any key closes")
		g.finish()
	})
}
