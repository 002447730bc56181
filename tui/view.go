package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

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
	m.list.setSize(max(1, lw-2), max(1, mainH-2))
	rw := m.width - lw
	if m.narrow() {
		rw = m.width
	}
	ch := m.composeOuterHeight()
	m.thread.setSize(max(1, rw-2), max(1, mainH-ch-2))
	m.compose.setSize(max(1, rw-2), max(1, ch-2))
	m.bulk.setSize(m.width-2, mainH-2)
	m.help.Width = m.width
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
		main = m.helpView(mainH)
	case m.mode == modeBulk:
		main = m.box(m.bulkView(m.width-2, mainH-2), m.width-2, mainH-2, true)
	case m.mode == modeCampaign:
		main = m.box(m.campaignViewStr(m.width-2, mainH-2), m.width-2, mainH-2, true)
	case m.mode == modeCampaigns:
		main = m.box(m.campaignsViewStr(m.width-2, mainH-2), m.width-2, mainH-2, true)
	case m.narrow() && m.focus == paneList:
		main = m.box(m.list.view(m.styles, true, m.clock), m.width-2, mainH-2, true)
	case m.narrow():
		main = m.rightColumn(m.width)
	default:
		lw := m.listOuterWidth()
		left := m.box(m.list.view(m.styles, m.focus == paneList, m.clock), lw-2, mainH-2, m.focus == paneList)
		main = lipgloss.JoinHorizontal(lipgloss.Top, left, m.rightColumn(m.width-lw))
	}
	return lipgloss.JoinVertical(lipgloss.Left, main, m.statusLine(), m.helpLine())
}

func (m *Model) clock() nowTime { return m.now }

func (m *Model) rightColumn(w int) string {
	ch := m.composeOuterHeight()
	mainH := max(3, m.height-2)
	others, typing := m.others(m.thread.key)
	thread := m.box(m.thread.view(m.styles, m.now, others, typing), w-2, mainH-ch-2, m.focus == paneThread)
	var compose string
	if m.thread.open {
		compose = m.compose.view(m.styles, m.thread.conv, m.now, m.focus == paneCompose)
	}
	return lipgloss.JoinVertical(lipgloss.Left, thread, m.box(compose, w-2, ch-2, m.focus == paneCompose))
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

// statusLine is the bottom bar. The Page's name comes from Graph and the
// reasons from Meta's answers or a daemon: all made inert here.
func (m *Model) statusLine() string {
	s := m.status
	s.Mode, s.Webhook, s.PageName, s.Sending = inert.Line(s.Mode), inert.Line(s.Webhook), inert.Line(s.PageName), inert.Line(s.Sending)
	left := "● " + s.Mode
	if s.Mode == "" {
		left = "● local"
	}
	if !s.Connected && strings.HasPrefix(s.Mode, "attached") {
		left = "○ reconnecting to " + strings.TrimPrefix(s.Mode, "attached to ")
	}
	if s.Webhook != "" {
		left += " · webhook " + s.Webhook
	}
	left += fmt.Sprintf(" · %d events", s.Events)
	if !s.LastEvent.IsZero() {
		left += " · last " + relTime(s.LastEvent, m.now) + " ago"
	}
	right := s.PageName
	switch {
	case s.Sending != "":
		right += " · sending paused"
	case s.TokenOK:
		right += " · token ok"
	}
	if s.Queued > 0 {
		right += fmt.Sprintf(" · %d queued", s.Queued)
	}
	if n := len(m.list.marked); n > 0 {
		right = fmt.Sprintf("%d selected · ", n) + right
	}
	line := spread(left, strings.TrimPrefix(right, " · "), m.width)
	if m.errText != "" {
		return m.styles.StatusErr.Render(padRight(truncate("✗ "+inert.Line(m.errText), m.width), m.width))
	}
	if m.noteText != "" {
		return m.styles.Status.Render(padRight(truncate("● "+inert.Line(m.noteText), m.width), m.width))
	}
	if s.Sending != "" {
		held := ""
		if s.Queued > 0 {
			held = fmt.Sprintf("%d held until it works · ", s.Queued)
		}
		return m.styles.StatusErr.Render(padRight(truncate("✗ "+held+s.Sending, m.width), m.width))
	}
	return m.styles.Status.Render(padRight(truncate(line, m.width), m.width))
}

func (m *Model) helpLine() string {
	return truncate(m.help.ShortHelpView(m.shortHelp()), m.width)
}

func (m *Model) shortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.mode == modeBulk:
		return []key.Binding{k.NextPane, k.Submit, k.Back}
	case m.mode == modeCampaign:
		return []key.Binding{k.Pause, k.Resume, k.Cancel, k.Retry, k.Campaigns, k.Back}
	case m.mode == modeCampaigns:
		return []key.Binding{k.Up, k.Down, k.Open, k.Back}
	case m.list.typing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	case m.focus == paneCompose:
		return []key.Binding{k.Send, k.Newline, k.Editor, k.HumanAgent, k.Back, k.NextPane}
	case m.focus == paneThread:
		return []key.Binding{k.Up, k.Down, k.Open, k.Resend, k.Back, k.NextPane, k.Help}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.NextTab, k.Select, k.Bulk, k.Help, k.Quit}
}

func (m *Model) fullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Back, k.NextPane, k.Filter, k.Help, k.Quit, k.ForceQuit},
		append(append([]key.Binding{}, k.Tabs...), k.NextTab, k.Done),
		{k.Select, k.SelectAll, k.Bulk, k.Campaigns, k.Pause, k.Cancel, k.Retry},
		{k.Send, k.Newline, k.Editor, k.HumanAgent, k.Resend},
	}
}

func (m *Model) helpView(h int) string {
	title := m.styles.Title.Render("Keys") + m.styles.Dim.Render("  (any key closes)")
	body := title + "\n\n" + m.help.FullHelpView(m.fullHelp()) + "\n\n" +
		m.styles.Dim.Render("The list: enter opens a conversation with the reply box focused; esc goes back, the draft is kept.\n"+
			"Replies go as RESPONSE inside the 24 h window. Between 24 h and 7 days only a person may reply,\n"+
			"tagged HUMAN_AGENT (ctrl+t confirms). Beyond 7 days Messenger allows nothing until the customer writes.")
	return m.box(body, m.width-2, h-2, true)
}
