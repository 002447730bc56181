package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/campaign/form"
	"github.com/pageinbox/pageinbox/tui/campaign/progress"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/templates"
)

// mode is what fills the screen.
type mode int

const (
	modeInbox     mode = iota
	modeBulk           // the campaign form
	modeCampaign       // one campaign's progress
	modeCampaigns      // the campaign history
)

// openBulk shows the campaign form for the selection, with a fresh ledger.
// A campaign goes from one Page: a selection of several is refused here,
// before the inbox refuses it.
func (m *Model) openBulk() tea.Cmd {
	keys := m.list.Marked()
	if pages := pagesOf(keys); len(pages) > 1 {
		m.setErr("campaign", common.Error(fmt.Sprintf("the selection spans %d Pages: P picks one, then V", len(pages))))
		return nil
	}
	m.mode = modeBulk
	return m.form.Open(keys)
}

// pagesOf is the Pages of keys, each once.
func pagesOf(keys []store.ConvKey) map[string]bool {
	pages := map[string]bool{}
	for _, k := range keys {
		pages[k.PageID] = true
	}
	return pages
}

// openCampaign shows one campaign's progress and recipients.
func (m *Model) openCampaign(c store.Campaign) tea.Cmd {
	m.mode = modeCampaign
	return m.progress.Open(c)
}

func (m *Model) openHistory() tea.Cmd {
	m.mode = modeCampaigns
	return m.history.Load()
}

// campaignUpdate handles the campaign messages that reach past their
// screen; ok is false for the others.
func (m *Model) campaignUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case form.StartedMsg:
		cmd := m.form.Update(msg)
		if msg.Err != nil {
			return cmd, true
		}
		m.list.ClearMarks()
		return tea.Batch(cmd, m.openCampaign(msg.Campaign)), true
	case templates.ChosenMsg:
		m.form.SetTemplate(&msg.Template, msg.Body)
		return nil, true
	case progress.CampaignMsg:
		m.applyCampaign(msg.Campaign)
		return nil, true
	}
	return nil, false
}

// applyCampaign takes a newer state of a campaign wherever it is shown.
func (m *Model) applyCampaign(c store.Campaign) {
	m.progress.Apply(c)
	m.history.Apply(c)
}

// formKey: esc leaves an idle form, which is kept (B brings it back).
func (m *Model) formKey(msg tea.KeyMsg) tea.Cmd {
	if m.templates.Choosing() {
		return m.templates.Update(msg) // the campaign's template chooser has every key
	}
	if key.Matches(msg, m.common.Keys.Template) && m.form.Idle() {
		return m.chooseCampaignTemplate()
	}
	if key.Matches(msg, m.common.Keys.Back) && m.form.Idle() {
		m.mode = modeInbox
		return nil
	}
	return m.form.Update(msg)
}

// progressKey: leaving goes back to the history if it was open, else to
// the inbox; a pending cancel takes any key first.
func (m *Model) progressKey(msg tea.KeyMsg) tea.Cmd {
	if !m.progress.Confirming() {
		switch {
		case key.Matches(msg, m.common.Keys.Back), key.Matches(msg, m.common.Keys.Quit):
			if m.history.Loaded() {
				return m.openHistory()
			}
			m.mode = modeInbox
			return nil
		case key.Matches(msg, m.common.Keys.Campaigns):
			return m.openHistory()
		}
	}
	return m.progress.Update(msg)
}

// historyKey: enter opens the campaign under the cursor.
func (m *Model) historyKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.common.Keys.Back), key.Matches(msg, m.common.Keys.Quit):
		m.mode = modeInbox
		m.history.Close()
		return nil
	case key.Matches(msg, m.common.Keys.Open):
		if c, ok := m.history.Selected(); ok {
			return m.openCampaign(c)
		}
		return nil
	}
	return m.history.Update(msg)
}
