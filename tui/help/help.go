// Package help is the key help: the line under the status bar, with the
// focused pane's keys, and the screen of every key that ? opens.
package help

import (
	bhelp "github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/tui/common"
)

// Model is the help line and screen.
type Model struct {
	common        *common.Common
	help          bhelp.Model
	width, height int
}

// New returns the help of a session, styled by its renderer.
func New(c *common.Common) *Model {
	h, st := bhelp.New(), c.Styles
	h.Styles = bhelp.Styles{ShortKey: st.Help.Bold(true), ShortDesc: st.Help, ShortSeparator: st.Dim, Ellipsis: st.Dim,
		FullKey: st.Help.Bold(true), FullDesc: st.Help, FullSeparator: st.Dim}
	return &Model{common: c, help: h}
}

// SetSize: the line is the terminal's width; the screen fills w×h with
// its border.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.help.Width = w
}

// Update: the screen answers no key of its own (any key closes it, which
// the root decides).
func (m *Model) Update(tea.Msg) tea.Cmd { return nil }

// ShortHelp: while the screen is open, the line keeps the focused pane's.
func (m *Model) ShortHelp() []key.Binding { return nil }

// Line is the help line for the given keys.
func (m *Model) Line(keys []key.Binding) string {
	return common.Truncate(m.help.ShortHelpView(keys), m.width)
}

// FullHelp is every key, in groups.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.common.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.PrevMessage, k.OpenLink, k.Copy},
		{k.Open, k.Back, k.NextPane, k.Filter, k.Help, k.Quit, k.ForceQuit},
		append(append([]key.Binding{}, k.Tabs...), k.NextTab, k.Done, k.Mine, k.Unassigned, k.LabelFilter, k.PageSwitch),
		{k.Select, k.SelectAll, k.Bulk, k.Campaigns, k.Pause, k.Cancel, k.Retry,
			k.Assign, k.AssignTo, k.Snooze, k.Label, k.Repeat},
		{k.Send, k.Newline, k.Editor, k.HumanAgent, k.Attach, k.AttachRemove, k.SavedReply, k.ReplyShortcut, k.Resend, k.QuoteReply, k.React, k.Note, k.Contact, k.Template},
	}
}

// View is the screen of every key, and how replies are allowed.
func (m *Model) View() string {
	s := m.common.Styles
	title := s.Title.Render("Keys") + s.Dim.Render("  (any key closes)")
	body := title + "\n\n" + m.help.FullHelpView(m.FullHelp()) + "\n\n" +
		s.Dim.Render("The list: enter opens a conversation with the reply box focused; esc goes back, the draft is kept.\n"+
			"Replies go as RESPONSE inside the 24 h window. Between 24 h and 7 days only a person may reply,\n"+
			"tagged HUMAN_AGENT (ctrl+t confirms). Beyond 7 days Messenger allows nothing until the customer writes.")
	return m.common.Box(body, m.width-2, m.height-2, true)
}
