package form

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Update takes the ledger, the answer to y, and the form's keys; esc
// while the form is idle is the root's.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ledgerMsg:
		if msg.seq == m.seq { // else: for an older selection
			l := msg.ledger
			m.ledger, m.loading = &l, false
		}
	case StartedMsg:
		if msg.Err != nil {
			m.starting = false // the form stays, with its text, to try again
			return common.ErrorCmd("start campaign", msg.Err)
		}
		m.Reset()
	case tea.KeyMsg:
		return m.press(msg)
	}
	return nil
}

func (m *Model) press(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	if m.starting {
		return nil // the campaign is being written: one confirmation, one campaign
	}
	if m.confirming {
		m.confirming = false
		if key.Matches(msg, k.Confirm) {
			m.starting = true
			return m.start()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.NextPane):
		m.field = (m.field + 1) % fields
		return m.focus()
	case key.Matches(msg, k.Submit):
		return m.submit()
	}
	var cmd tea.Cmd
	switch m.field {
	case fieldTitle:
		m.title, cmd = m.title.Update(msg)
	case fieldText:
		m.text, cmd = m.text.Update(msg)
	default:
		m.image, cmd = m.image.Update(msg)
	}
	return cmd
}

// submit asks to confirm, when there is someone to send to and the
// message can go.
func (m *Model) submit() tea.Cmd {
	switch {
	case m.ledger == nil:
		return common.ErrorCmd("campaign", common.Error("the eligibility ledger is still loading"))
	case len(m.routed().Send) == 0:
		return common.ErrorCmd("campaign", common.Error("nobody selected can receive a campaign now"))
	}
	if err := store.CheckText(m.text.Value(), strings.TrimSpace(m.image.Value())); err != nil {
		return common.ErrorCmd("campaign", err)
	}
	m.confirming = true
	return nil
}
