package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// Two agents on one store (two SSH sessions of a daemon): each sees the
// other in the conversation, and sees when the other is typing a reply.
func TestPresenceShowsWhoElseIsReplying(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	st.EnsurePages(ctx, []string{"P"})
	st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: "P", PSID: "u1", MID: "m1", Text: "Where is my parcel?", Time: time.Now()}})
	st.SetName(ctx, store.ConvKey{PageID: "P", PSID: "u1"}, "Carla")

	base := &inbox.Local{Store: st, Board: inbox.NewPresenceBoard()}
	ana, ben := store.Agent{ID: "a", Name: "Ana"}, store.Agent{ID: "b", Name: "Ben"}
	mA := New(Options{Backend: base.As(ana), Agent: ana, NoTick: true})
	mB := New(Options{Backend: base.As(ben), Agent: ben, NoTick: true})
	// B listens to the feed directly, as its change pump would.
	sub := st.Subscribe(256)
	defer sub.Close()
	run := func(m *Model, msg tea.Msg) { runCmd(t, m, m.updateCmd(msg)) }
	for _, m := range []*Model{mA, mB} {
		run(m, tea.WindowSizeMsg{Width: 120, Height: 36})
		runCmd(t, m, m.list.Load(false))
	}
	feed := func() {
		for {
			select {
			case ch := <-sub.C:
				run(mB, changesMsg{ch})
			default:
				return
			}
		}
	}

	run(mB, tea.KeyMsg{Type: tea.KeyEnter}) // Ben opens Carla
	run(mA, tea.KeyMsg{Type: tea.KeyEnter}) // so does Ana
	feed()
	if v := mB.View(); !strings.Contains(v, "also here: Ana") {
		t.Fatalf("Ben does not see Ana in the thread:\n%s", v)
	}
	run(mA, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("On its way")})
	feed()
	if v := mB.View(); !strings.Contains(v, "Ana is replying") {
		t.Fatalf("Ben does not see Ana typing:\n%s", v)
	}
	run(mA, tea.KeyMsg{Type: tea.KeyEsc}) // Ana goes back to the list
	feed()
	if v := mB.View(); strings.Contains(v, "Ana") {
		t.Fatalf("Ana still shown after she left:\n%s", v)
	}
	if v := mA.View(); strings.Contains(v, "also here") {
		t.Errorf("an agent sees itself as someone else")
	}
}

// updateCmd is Update for tests: the model and the command.
func (m *Model) updateCmd(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// runCmd runs a command and feeds what it returns back, batches flattened;
// ticks and the change subscription are left out.
func runCmd(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(200 * time.Millisecond):
		return // a waiting command (ticks, the feed)
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(t, m, c)
		}
	case feedStartMsg:
	case nil:
	default:
		runCmd(t, m, m.updateCmd(msg))
	}
}

// Drafts are each agent's own: Ben never sees, nor overwrites, Ana's.
func TestDraftsAreEachAgentsOwn(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	st.EnsurePages(ctx, []string{"P"})
	st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: "P", PSID: "u1", MID: "m1", Text: "Where is my parcel?", Time: time.Now()}})

	base := &inbox.Local{Store: st, Board: inbox.NewPresenceBoard()}
	ana, ben := store.Agent{ID: "a", Name: "Ana"}, store.Agent{ID: "b", Name: "Ben"}
	open := func(agent store.Agent) *Model {
		m := New(Options{Backend: base.As(agent), Agent: agent, NoTick: true})
		runCmd(t, m, m.updateCmd(tea.WindowSizeMsg{Width: 120, Height: 36}))
		runCmd(t, m, m.list.Load(false))
		runCmd(t, m, m.updateCmd(tea.KeyMsg{Type: tea.KeyEnter}))
		return m
	}
	mA := open(ana)
	runCmd(t, mA, mA.updateCmd(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("It left on Monday")}))
	runCmd(t, mA, mA.updateCmd(tea.KeyMsg{Type: tea.KeyEsc})) // saves the draft

	mB := open(ben)
	if got := mB.compose.Value(); got != "" {
		t.Fatalf("Ben's reply box shows %q", got)
	}
	if got := open(ana).compose.Value(); got != "It left on Monday" {
		t.Errorf("Ana's draft on reopening = %q", got)
	}
}
