package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/pageinbox/pageinbox/store"
)

// startGoldenAs runs the TUI over be as agent ana.
func startGoldenAs(t *testing.T, be *fakeBackend, w, h int) *goldenRun {
	t.Helper()
	t.Cleanup(be.close)
	m := New(Options{Backend: be, Renderer: asciiRenderer(), Now: fixedClock, NoTick: true,
		Agent: store.Agent{ID: "a", Name: "ana"}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	return &goldenRun{t: t, be: be, tm: tm}
}

// teamBackend is the busy inbox with some conversations assigned and
// labelled: long names and many labels, to show how they give way.
func triageBackend(t *testing.T) *fakeBackend {
	be := busyBackend()
	ctx := t.Context()
	must := func(_ store.Conversation, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(be.Assign(ctx, richKey, "ana"))
	must(be.SetLabels(ctx, richKey, []string{"vip"}, nil))
	must(be.Assign(ctx, bjornKey, "benedikt-the-night-shift"))
	must(be.SetLabels(ctx, chenKey, []string{"wholesale", "returns", "priority"}, nil))
	must(be.Assign(ctx, convKey("1000000000000005"), "ana")) // Dolores' long name
	must(be.SetLabels(ctx, convKey("1000000000000005"), []string{"wholesale"}, nil))
	return be
}

func TestGoldenTriage(t *testing.T) {
	t.Run("chips", func(t *testing.T) {
		g := startGoldenAs(t, triageBackend(t), 120, 36)
		g.waitFor("All 30", "Harbour Outfitters", "#priority", "what would you like to know?")
		g.finish()
	})
	t.Run("mine", func(t *testing.T) {
		g := startGoldenAs(t, triageBackend(t), 120, 36)
		g.waitBusy()
		g.runes("M")
		g.waitFor("[Mine]", "Dolores")
		g.finish()
	})
	t.Run("unassigned", func(t *testing.T) {
		g := startGoldenAs(t, triageBackend(t), 120, 36)
		g.waitBusy()
		g.runes("U")
		g.waitFor("[Unassigned]", "Chen Wei", "I have a question about an order")
		g.finish()
	})
	t.Run("snooze_menu", func(t *testing.T) {
		g := startGoldenAs(t, triageBackend(t), 120, 36)
		g.waitBusy()
		g.runes("z")
		g.waitFor("Snooze Amara Okafor", "next Monday 9:00")
		g.finish()
	})
	t.Run("snooze_typed", func(t *testing.T) {
		g := startGoldenAs(t, triageBackend(t), 120, 36)
		g.waitBusy()
		g.runes("z")
		g.waitFor("Snooze Amara Okafor")
		g.runes("fri 14:00")
		g.waitFor("until Fri 6 Mar 14:00")
		g.finish()
	})
	t.Run("label_picker", func(t *testing.T) {
		g := startGoldenAs(t, triageBackend(t), 120, 36)
		g.waitBusy()
		g.runes("l")
		g.waitFor("Labels Amara Okafor", "wholesale")
		g.runes("w")
		g.waitFor("+ new label")
		g.finish()
	})
	t.Run("agent_picker", func(t *testing.T) {
		g := startGoldenAs(t, triageBackend(t), 120, 36)
		g.waitBusy()
		g.runes(" ")
		g.runes(" ")
		g.waitFor("I have a question about an order") // the thread beside follows
		g.runes("A")
		g.waitFor("Assign 2 selected", "nobody (unassign)")
		g.key(tea.KeyDown)
		g.waitFor("benedikt")
		g.finish()
	})
}
