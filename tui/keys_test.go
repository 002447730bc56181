package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"slices"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Every pane reads the session's one KeyMap: rebound there, a key moves
// the list, switches the pane and sends again in the thread, and the old
// keys do nothing.
func TestReboundKeysReachThePanes(t *testing.T) {
	d := busyDriver(t, 120, 36)
	k := d.m.common.Keys
	k.Down = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "down"))
	k.NextPane = key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next pane"))
	k.Resend = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "send again"))

	d.runes("nn")
	if d.m.list.Cursor() != 2 {
		t.Fatalf("nn: cursor %d, want 2", d.m.list.Cursor())
	}
	d.runes("j")
	if d.m.list.Cursor() != 2 {
		t.Fatalf("j still moved the list after Down was rebound: cursor %d", d.m.list.Cursor())
	}
	d.wantView("n down")

	d.runes("g")
	d.key(tea.KeyTab)
	d.wantFocus(paneList)
	d.key(tea.KeyCtrlN)
	d.wantFocus(paneThread)
	d.runes("r")
	if len(d.be.resends) != 0 {
		t.Fatalf("r still sent again after Resend was rebound: %v", d.be.resends)
	}
	d.runes("S")
	if !slices.Equal(d.be.resends, []uint64{7}) {
		t.Fatalf("S: Resend calls %v, want [7]", d.be.resends)
	}
}

// Options.TZ reaches the panes: the thread's times and days are the
// agent's.
func TestTimeZoneOption(t *testing.T) {
	be := busyBackend()
	t.Cleanup(be.close)
	tokyo := time.FixedZone("JST", 9*60*60)
	d := &driver{t: t, be: be}
	d.m = New(Options{Backend: be, Renderer: asciiRenderer(), Now: fixedClock, NoTick: true, TZ: tokyo})
	d.m.compose.SetCursorMode(cursor.CursorStatic)
	d.m.list.SetCursorMode(cursor.CursorStatic)
	d.m.thread.SetCursorMode(cursor.CursorStatic)
	d.send(tea.WindowSizeMsg{Width: 120, Height: 36})
	d.run(d.m.Init())
	d.key(tea.KeyTab) // the rich thread beside the list
	// The last replies, 14:30 to 15:29 UTC on Wednesday, are 23:30 on
	// Wednesday to 00:29 on Thursday in Tokyo: Thursday is today there.
	d.wantView("23:30 ? may have been sent", "── Today ──", "00:29 ◷ queued")
	if v := d.view(); strings.Contains(v, "15:29") {
		t.Fatalf("a time in UTC on screen:\n%s", v)
	}
}
