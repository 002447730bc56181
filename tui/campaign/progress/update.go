package progress

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Update takes the recipients, replies and retries of the campaign shown,
// the clock (replies are counted again every 5 s), and the screen's keys;
// leaving it is the root's.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case itemsMsg:
		if m.c.ID == msg.id {
			m.items = msg.items
			clear(m.byID)
			for i, it := range msg.items {
				m.byID[it.ID] = i
			}
			m.sort()
		}
	case repliesMsg:
		if m.c.ID == msg.id {
			m.replies = msg.n
		}
	case retriedMsg:
		return tea.Batch(note("%d failed recipients queued again", msg.n), m.loadItems(msg.id))
	case common.TickMsg:
		if m.common.Now().Second()%5 == 0 {
			return m.LoadReplies()
		}
	case tea.KeyMsg:
		return m.press(msg)
	}
	return nil
}

func (m *Model) press(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	if m.cancel {
		m.cancel = false
		if key.Matches(msg, k.Confirm) {
			return m.setStatus(store.CampaignCancelled)
		}
		return nil
	}
	if nav, ok := k.Navigate(msg, 10); ok {
		m.offset = max(0, min(m.offset+nav.Delta, len(m.items)-1))
		return nil
	}
	st := m.c.Status
	switch {
	case key.Matches(msg, k.Pause):
		switch st {
		case store.CampaignRunning:
			return m.setStatus(store.CampaignPaused)
		case store.CampaignPaused:
			return m.setStatus(store.CampaignRunning)
		}
	case key.Matches(msg, k.Resume):
		if st == store.CampaignPaused || st == store.CampaignInterrupted {
			return m.setStatus(store.CampaignRunning)
		}
	case key.Matches(msg, k.Cancel):
		if st != store.CampaignDone && st != store.CampaignCancelled {
			m.cancel = true
		}
	case key.Matches(msg, k.Retry):
		if m.c.Counts.Failed > 0 {
			return m.retryFailed()
		}
	}
	return nil
}
