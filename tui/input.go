package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/tui/common"
)

// key routes a key to the focused pane, then tells the other agents if
// this one moved in or out of a conversation.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	before := m.focus
	cmd := m.routeKey(msg)
	if m.focus != before && !m.quitting() {
		return tea.Batch(cmd, m.followFocus())
	}
	return cmd
}

func (m *Model) routeKey(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	if key.Matches(msg, k.ForceQuit) {
		return m.quit()
	}
	if m.showHelp {
		m.showHelp = false // any key closes the help
		return nil
	}
	switch m.mode {
	case modeBulk:
		return m.formKey(msg)
	case modeCampaign:
		return m.progressKey(msg)
	case modeCampaigns:
		return m.historyKey(msg)
	}
	if m.list.Typing() {
		return m.toList(msg)
	}
	if m.focus == paneCompose {
		return m.composeKey(msg)
	}
	if m.focus == paneThread && (m.thread.Noting() || m.thread.Reacting()) {
		return m.thread.Update(msg) // the note box, or the reaction picker, has every key
	}
	switch {
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, k.NextPane):
		return m.cycleFocus()
	}
	if m.focus == paneThread {
		return m.threadKey(msg)
	}
	return m.listKey(msg)
}

// cycleFocus moves the keyboard to the next pane: list, thread, reply.
func (m *Model) cycleFocus() tea.Cmd {
	switch m.focus {
	case paneList:
		if c, ok := m.list.Current(); ok {
			cmd := m.openThread(c, false)
			m.setFocus(paneThread)
			return cmd
		}
	case paneThread:
		m.setFocus(paneCompose)
	default:
		m.setFocus(paneList)
		return m.saveDraft()
	}
	return nil
}

// listKey: opening, quitting and the campaign keys are the root's; the
// rest is the list's, and the thread beside follows its selection.
func (m *Model) listKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.common.Keys.Quit):
		return m.quit()
	case key.Matches(msg, m.common.Keys.Open):
		if c, ok := m.list.Current(); ok {
			return m.openThread(c, true)
		}
		return nil
	case key.Matches(msg, m.common.Keys.Bulk):
		if m.list.MarkedCount() == 0 {
			m.setErr("campaign", common.Error("select recipients first: space toggles one, V takes the whole filter"))
			return nil
		}
		return m.openBulk()
	case key.Matches(msg, m.common.Keys.Campaigns):
		return m.openHistory()
	case key.Matches(msg, m.common.Keys.Note):
		return m.noteOnCurrent()
	case key.Matches(msg, m.common.Keys.Contact):
		return m.toggleContact()
	}
	return m.toList(msg)
}

// noteOnCurrent opens the list's conversation in the thread and its note
// box there.
func (m *Model) noteOnCurrent() tea.Cmd {
	c, ok := m.list.Current()
	if !ok {
		return nil
	}
	cmd := m.openThread(c, false)
	m.setFocus(paneThread)
	return tea.Batch(cmd, m.thread.StartNote())
}

// toggleContact shows the open conversation's contact pane, or hides it.
// While shown it follows the conversation that is open.
func (m *Model) toggleContact() tea.Cmd {
	if m.contact.Visible() {
		m.contact.Hide()
		return nil
	}
	if m.thread.IsOpen() {
		return m.contact.Show(m.thread.Key())
	}
	if c, ok := m.list.Current(); ok {
		return tea.Batch(m.openThread(c, false), m.contact.Show(c.ConvKey))
	}
	return nil
}

// toList hands msg to the list; when its selection moved, the thread
// beside follows.
func (m *Model) toList(msg tea.Msg) tea.Cmd {
	before := m.list.Selected()
	cmd := m.list.Update(msg)
	if m.list.Selected() == before {
		return cmd
	}
	return tea.Batch(cmd, m.syncThreadToList())
}

// threadKey: leaving the thread is the root's, the rest the thread's.
func (m *Model) threadKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.common.Keys.Back), key.Matches(msg, m.common.Keys.Quit):
		m.setFocus(paneList)
		return m.saveDraft()
	case key.Matches(msg, m.common.Keys.Open):
		m.setFocus(paneCompose)
		return nil
	case key.Matches(msg, m.common.Keys.Contact):
		return m.toggleContact()
	case key.Matches(msg, m.common.Keys.Template):
		return m.openTemplates()
	}
	return m.thread.Update(msg)
}

// composeKey: leaving the box and the editor are the root's; typing is
// the box's, and the others hear whether this agent is writing.
func (m *Model) composeKey(msg tea.KeyMsg) tea.Cmd {
	if m.compose.Picking() || m.compose.Attaching() {
		return m.composeType(msg) // the saved-reply picker and the path input have every key
	}
	if m.sendingTemplate() {
		return m.templates.Update(msg) // the template screen has every key
	}
	switch {
	case key.Matches(msg, m.common.Keys.Template):
		return m.openTemplates()
	case key.Matches(msg, m.common.Keys.Back) && m.compose.Quoting():
		m.compose.ClearQuote() // the first esc drops the quote, the reply stays
		return nil
	case key.Matches(msg, m.common.Keys.Back):
		m.setFocus(paneList)
		return m.saveDraft()
	case key.Matches(msg, m.common.Keys.NextPane):
		return m.cycleFocus()
	case key.Matches(msg, m.common.Keys.Editor):
		return m.openEditor()
	}
	return m.composeType(msg)
}

// composeType hands a key to the box; the others hear whether this agent
// is writing.
func (m *Model) composeType(msg tea.KeyMsg) tea.Cmd {
	before := m.compose.Value()
	cmd := m.compose.Update(msg)
	if after := m.compose.Value(); after != before {
		return tea.Batch(cmd, m.announce(m.compose.Key(), after != ""))
	}
	return cmd
}

// mouse: the wheel scrolls what is under it, a click focuses or selects.
func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	inList := !m.narrow() && msg.X < m.listOuterWidth() || m.narrow() && m.focus == paneList
	switch msg.Button {
	case tea.MouseButtonWheelUp, tea.MouseButtonWheelDown:
		delta := 3
		if msg.Button == tea.MouseButtonWheelUp {
			delta = -3
		}
		if inList {
			// The selection follows the wheel, so the keyboard goes to the
			// list: a reply being typed never changes recipient underneath.
			if m.focus == paneCompose {
				m.setFocus(paneList)
			}
			return tea.Batch(m.saveDraft(), m.list.Move(delta), m.syncThreadToList())
		}
		return m.thread.Scroll(-delta)
	}
	if msg.Action != tea.MouseActionPress || msg.Button != tea.MouseButtonLeft {
		return nil
	}
	if inList {
		if m.list.Click(msg.Y - 1) { // the border's line, then the list's
			m.setFocus(paneList)
			return m.syncThreadToList()
		}
		return nil
	}
	if msg.Y >= m.common.Height-2-m.composeOuterHeight() {
		m.setFocus(paneCompose)
	} else {
		m.setFocus(paneThread)
	}
	return nil
}

// setFocus gives pane p the keyboard.
func (m *Model) setFocus(p pane) {
	m.focus = p
	m.list.SetFocused(p == paneList)
	if p == paneCompose {
		m.compose.Focus()
	} else {
		m.compose.Blur()
	}
	m.layout()
}
