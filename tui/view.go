package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// The smallest screen the layout is drawn for; below it a note says so.
const (
	minWidth  = 40
	minHeight = 12
)

// tooSmall fills the screen exactly with a note asking for more room.
func (m *Model) tooSmall() string {
	note := fmt.Sprintf("pageinbox needs %d×%d", minWidth, minHeight)
	lines := make([]string, max(1, m.height))
	lines[0] = truncate(note, m.width)
	return strings.Join(lines, "\n")
}

// narrow terminals show one pane at a time.
func (m *Model) narrow() bool { return m.width < 80 }

func (m *Model) listOuterWidth() int {
	if m.narrow() {
		return m.width
	}
	return min(max(m.width*35/100, 28), 56)
}

func (m *Model) composeOuterHeight() int {
	if m.height < 18 {
		return 4 // one line of text, the footer, the border
	}
	return 6
}

// layout sizes the panes for the terminal.
func (m *Model) layout() {
	mainH := max(3, m.height-2)
	lw := m.listOuterWidth()
	m.list.SetSize(max(1, lw-2), max(1, mainH-2))
	rw := m.width - lw
	if m.narrow() {
		rw = m.width
	}
	ch := m.composeOuterHeight()
	m.thread.SetSize(max(1, rw-2), max(1, mainH-ch-2))
	m.compose.SetSize(max(1, rw-2), max(1, ch-2))
	for _, c := range []common.Component{m.form, m.progress, m.history} {
		c.SetSize(m.width-2, mainH-2)
	}
	m.help.SetSize(m.width, mainH)
	m.statusbar.SetSize(m.width, 1)
}

// View draws the screen. It reads only what Update stored. Every pane
// made outside text inert as it formatted it; inert.Styled on the whole
// frame is the backstop: whatever a future field lets slip, nothing but
// colours reaches the terminal.
func (m *Model) View() string { return inert.Styled(m.frame()) }

// frame is the screen as the panes draw it.
func (m *Model) frame() string {
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	mainH := max(3, m.height-2)
	var main string
	switch {
	case m.showHelp:
		main = m.help.View()
	case m.mode == modeBulk:
		main = m.box(m.form.View(), m.width-2, mainH-2, true)
	case m.mode == modeCampaign:
		main = m.box(m.progress.View(), m.width-2, mainH-2, true)
	case m.mode == modeCampaigns:
		main = m.box(m.history.View(), m.width-2, mainH-2, true)
	case m.narrow() && m.focus == paneList:
		main = m.box(m.list.View(), m.width-2, mainH-2, true)
	case m.narrow():
		main = m.rightColumn(m.width)
	default:
		lw := m.listOuterWidth()
		left := m.box(m.list.View(), lw-2, mainH-2, m.focus == paneList)
		main = lipgloss.JoinHorizontal(lipgloss.Top, left, m.rightColumn(m.width-lw))
	}
	return lipgloss.JoinVertical(lipgloss.Left, main, m.statusbar.View(), m.help.Line(m.shortHelp()))
}

func (m *Model) clock() nowTime { return m.common.Now() }

func (m *Model) rightColumn(w int) string {
	ch := m.composeOuterHeight()
	mainH := max(3, m.height-2)
	top := m.box(m.thread.View(), w-2, mainH-ch-2, m.focus == paneThread)
	var compose string
	if m.thread.IsOpen() {
		compose = m.compose.View()
	}
	return lipgloss.JoinVertical(lipgloss.Left, top, m.box(compose, w-2, ch-2, m.focus == paneCompose))
}

// box frames content in exactly w×h cells inside a border.
func (m *Model) box(content string, w, h int, focused bool) string {
	st := m.styles.Pane
	if focused {
		st = m.styles.PaneFocused
	}
	h, w = max(0, h), max(0, w)
	lines := strings.Split(content, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = padRight(truncate(l, w), w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(0, w)))
	}
	return st.Render(strings.Join(lines, "\n"))
}

// shortHelp is the keys of what has the keyboard.
func (m *Model) shortHelp() []key.Binding {
	switch {
	case m.mode == modeBulk:
		return m.form.ShortHelp()
	case m.mode == modeCampaign:
		return m.progress.ShortHelp()
	case m.mode == modeCampaigns:
		return m.history.ShortHelp()
	case m.list.Typing():
		return m.list.ShortHelp()
	case m.focus == paneCompose:
		return m.compose.ShortHelp()
	case m.focus == paneThread:
		return m.thread.ShortHelp()
	}
	return m.list.ShortHelp()
}
