package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// The smallest screen the layout is drawn for; below it a note says so.
const (
	minWidth  = 40
	minHeight = 12
)

// The layout: the status bar and the help line under the main area; in
// it the list on the left and, on the right, the thread above the reply
// box. Narrow terminals show one pane at a time; the campaign screens and
// the help fill the main area.

// narrow terminals show one pane at a time.
func (m *Model) narrow() bool { return m.common.Width < 80 }

// mainHeight is the rows above the status bar and the help line.
func (m *Model) mainHeight() int { return max(3, m.common.Height-2) }

func (m *Model) listOuterWidth() int {
	w := m.common.Width
	if m.narrow() {
		return w
	}
	return min(max(w*35/100, 28), 56)
}

func (m *Model) composeOuterHeight() int {
	if m.common.Height < 18 {
		return 4 // one line of text, the footer, the border
	}
	return 6
}

// layout sizes the panes for the terminal: each gets the cells inside
// its border.
func (m *Model) layout() {
	w, mainH := m.common.Width, m.mainHeight()
	lw := m.listOuterWidth()
	m.list.SetSize(max(1, lw-2), max(1, mainH-2))
	rw := w - lw
	if m.narrow() {
		rw = w
	}
	ch := m.composeOuterHeight()
	m.thread.SetSize(max(1, rw-2), max(1, mainH-ch-2))
	m.contact.SetSize(max(1, rw-2), max(1, mainH-ch-2))
	m.compose.SetSize(max(1, rw-2), max(1, ch-2))
	m.templates.SetSize(max(1, rw-2), max(1, mainH-ch-2))
	if m.mode == modeBulk {
		m.templates.SetSize(w-2, mainH-2) // the campaign's chooser fills the screen
	}
	for _, c := range []common.Component{m.form, m.progress, m.history} {
		c.SetSize(w-2, mainH-2)
	}
	m.help.SetSize(w, mainH)
	m.statusbar.SetSize(w, 1)
}

// View draws the screen. It reads only what Update stored. Every pane
// made outside text inert as it formatted it; inert.Styled on the whole
// frame is the backstop: whatever a future field lets slip, nothing but
// colours reaches the terminal.
func (m *Model) View() string { return inert.Styled(m.frame()) }

// frame is the screen as the panes draw it.
func (m *Model) frame() string {
	w, h, mainH := m.common.Width, m.common.Height, m.mainHeight()
	if w < minWidth || h < minHeight {
		return m.tooSmall()
	}
	full := func(c common.Component) string { return m.common.Box(c.View(), w-2, mainH-2, true) }
	var main string
	switch {
	case m.showHelp:
		main = m.help.View()
	case m.mode != modeInbox:
		main = full(m.active())
	case m.narrow() && m.focus == paneList:
		main = full(m.list)
	case m.narrow():
		main = m.rightColumn(w)
	default:
		lw := m.listOuterWidth()
		left := m.common.Box(m.list.View(), lw-2, mainH-2, m.focus == paneList)
		main = lipgloss.JoinHorizontal(lipgloss.Top, left, m.rightColumn(w-lw))
	}
	return lipgloss.JoinVertical(lipgloss.Left, main, m.statusbar.View(), m.help.Line(m.active().ShortHelp()))
}

// rightColumn is the thread above the reply box, w cells wide.
func (m *Model) rightColumn(w int) string {
	ch, mainH := m.composeOuterHeight(), m.mainHeight()
	top := m.common.Box(m.thread.View(), w-2, mainH-ch-2, m.focus == paneThread)
	if m.contact.Visible() {
		top = m.common.Box(m.contact.View(), w-2, mainH-ch-2, m.focus == paneThread)
	}
	if m.sendingTemplate() {
		top = m.common.Box(m.templates.View(), w-2, mainH-ch-2, true)
	}
	if m.compose.Picking() {
		top = m.common.Box(m.compose.PickerView(w-2, mainH-ch-2), w-2, mainH-ch-2, true)
	}
	var reply string
	if m.thread.IsOpen() {
		reply = m.compose.View()
	}
	return lipgloss.JoinVertical(lipgloss.Left, top, m.common.Box(reply, w-2, ch-2, m.focus == paneCompose))
}

// tooSmall fills the screen exactly with a note asking for more room.
func (m *Model) tooSmall() string {
	note := fmt.Sprintf("pageinbox needs %d×%d", minWidth, minHeight)
	lines := make([]string, max(1, m.common.Height))
	lines[0] = common.Truncate(note, m.common.Width)
	return strings.Join(lines, "\n")
}

// active is the component with the keyboard: a campaign screen, or the
// focused pane of the inbox.
func (m *Model) active() common.Component {
	switch m.mode {
	case modeBulk:
		if m.templates.Choosing() {
			return m.templates
		}
		return m.form
	case modeCampaign:
		return m.progress
	case modeCampaigns:
		return m.history
	}
	switch m.focus {
	case paneCompose:
		if m.sendingTemplate() {
			return m.templates
		}
		return m.compose
	case paneThread:
		return m.thread
	}
	return m.list
}
