package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// sendingTemplate: the template screen is open over the reply box's
// conversation, in the thread's place, with the keyboard.
func (m *Model) sendingTemplate() bool {
	return m.focus == paneCompose && m.templates.IsOpen() && m.templates.Key() == m.compose.Key()
}

// openTemplates opens "send a template" for the open conversation when a
// template is what it needs: outside the 24 h window, after the customer
// wrote at least once.
func (m *Model) openTemplates() tea.Cmd {
	conv := m.compose.Conversation()
	if conv.PSID == "" {
		return nil
	}
	switch store.WindowAt(conv.LastInboundTime, m.common.Refresh()).State {
	case store.WindowOpen:
		m.setNote("inside the 24 h window: write the reply itself; templates are for customers outside it")
		return nil
	case store.WindowNever:
		m.setErr("template", common.Error("the customer never wrote to the Page: nothing may be sent, not even a template"))
		return nil
	}
	m.setFocus(paneCompose)
	return m.templates.Open(conv.ConvKey)
}

// chooseCampaignTemplate opens the template chooser over the campaign
// form, for its Page, once the ledger says which Page that is.
func (m *Model) chooseCampaignTemplate() tea.Cmd {
	l := m.form.Ledger()
	if l == nil {
		m.setErr("template", common.Error("the eligibility ledger is still loading"))
		return nil
	}
	cmd := m.templates.OpenChooser(l.PageID)
	m.layout()
	return cmd
}
