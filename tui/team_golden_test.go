package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/pageinbox/pageinbox/store"
)

// Goldens of the team's views in the thread's place: a note in a thread,
// the saved-reply picker, the contact pane. Regenerate with
//
//	go test ./tui -run TestGoldenTeam -update

// startTeamGolden is startGolden for the agent ana.
func startTeamGolden(t *testing.T, be *fakeBackend) *goldenRun {
	t.Helper()
	t.Cleanup(be.close)
	m := New(Options{Backend: be, Renderer: asciiRenderer(), Now: fixedClock, NoTick: true, Agent: store.Agent{ID: "s1", Name: "ana"}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 36))
	return &goldenRun{t: t, be: be, tm: tm}
}

// teamBackend is Ivan's small inbox with a note by ben that mentions ana,
// one of ana's replies attributed, a label and an assignee.
func teamBackend() *fakeBackend {
	be := repliesBackend()
	k := convKey("2000000000000001")
	be.team().notes[k] = []store.Note{
		{ConvKey: k, Author: "ben", Time: ago(90 * time.Minute), Text: "@ana he called the shop: parcel is with DHL, tracking 00340434"},
	}
	be.mu.Lock()
	c := be.convs[k]
	c.Assignee, c.Labels = "ana", store.Labels("vip", "wholesale")
	be.mu.Unlock()
	return be
}

func TestGoldenTeam(t *testing.T) {
	t.Run("note_in_thread", func(t *testing.T) {
		g := startTeamGolden(t, teamBackend())
		g.waitFor("All 4", "Harbour Outfitters", "00340434")
		g.key(tea.KeyTab)
		g.runes("n")
		g.tm.Type("asked him to wait until Friday")
		g.waitFor("asked him to wait until Friday")
		g.finish()
	})

	t.Run("saved_reply_picker", func(t *testing.T) {
		g := startTeamGolden(t, teamBackend())
		g.waitFor("All 4", "Harbour Outfitters", "00340434")
		g.key(tea.KeyEnter)
		g.tm.Type("Hi ")
		g.runes(";")
		g.runes("t")
		g.waitFor("Thank you Ivan! ana at Harbour Outfitters", "Your tracking link", "Unread 0")
		g.finish()
	})

	t.Run("contact_pane", func(t *testing.T) {
		be := teamBackend()
		k := convKey("2000000000000001")
		be.camps.list = []store.Campaign{{ID: 1, Title: "Spring sale", Status: store.CampaignDone},
			{ID: 2, Title: "Restock", Status: store.CampaignDone}}
		be.camps.items = map[uint64][]store.OutboxItem{
			1: {{ID: 10, ConvKey: k, CampaignID: 1, State: store.OutboxSent, UpdatedAt: ago(48 * time.Hour)}},
			2: {{ID: 20, ConvKey: k, CampaignID: 2, State: store.OutboxSkipped, Reason: "outside the 24 h window",
				UpdatedAt: ago(3 * time.Hour)}},
		}
		g := startTeamGolden(t, be)
		g.waitFor("All 4", "Harbour Outfitters", "00340434")
		g.runes("i")
		g.waitFor("First seen", "vip, wholesale", "Restock")
		g.finish()
	})
}
