package thread

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/tui/keymap"
)

// The focused message is the one o and y act on: the newest, until the
// agent moves the focus with [ and ]; only a moved focus is marked.

// OpenLinkMsg asks the root to open a link the agent chose (o): with the
// desktop opener where the TUI may start programs, else in the footer.
// URL is from common.SafeURL.
type OpenLinkMsg struct{ URL string }

// CopyMsg asks the root to put Text on the agent's clipboard (y). What
// is copied leaves as base64 inside our own OSC 52, never as raw bytes.
type CopyMsg struct{ Text string }

// isFocused reports whether msg carries the focus mark.
func (m *Model) isFocused(msg store.Message) bool { return m.focus != "" && msg.ID == m.focus }

// Focused is the message o and y act on; ok is false in an empty thread.
func (m *Model) Focused() (store.Message, bool) {
	if i, ok := m.byID[m.focus]; ok && m.focus != "" {
		return m.msgs[i], true
	}
	if len(m.msgs) == 0 {
		return store.Message{}, false
	}
	return m.msgs[len(m.msgs)-1], true
}

// messageKey handles [, ], o and y; handled is false for any other key.
func (m *Model) messageKey(msg tea.KeyMsg) (cmd tea.Cmd, handled bool) {
	k := m.common.Keys
	if n := keymap.Count(msg, k.PrevMessage); n > 0 {
		m.moveFocus(-n)
		if m.before != "" && !m.loading && len(m.msgs) > 0 && m.focus == m.msgs[0].ID {
			return m.load(true), true // at the oldest loaded: older next
		}
		return nil, true
	}
	if n := keymap.Count(msg, k.NextMessage); n > 0 {
		m.moveFocus(n)
		return nil, true
	}
	switch {
	case key.Matches(msg, k.OpenLink):
		return m.openLink(), true
	case key.Matches(msg, k.Copy):
		return m.copyFocused(), true
	}
	return nil, false
}

// moveFocus moves the focus by delta messages, and the scroll so that
// the focused message is on screen. Past the newest it is unmarked again.
func (m *Model) moveFocus(delta int) {
	if len(m.msgs) == 0 {
		return
	}
	i := len(m.msgs) - 1
	if j, ok := m.byID[m.focus]; ok && m.focus != "" {
		i = j
	}
	i = max(0, i+delta)
	if i >= len(m.msgs) {
		m.focus = ""
	} else {
		m.focus = m.msgs[i].ID
	}
	m.redraw()
	m.showFocus()
}

// showFocus scrolls the least that puts the focused message's lines on
// screen.
func (m *Model) showFocus() {
	if m.focus == "" {
		return
	}
	first, last := m.focusLines[0], m.focusLines[1]
	body := max(1, m.height-1)
	end := len(m.lines) - m.scroll // one past the bottom line on screen
	switch {
	case last > end:
		m.scroll = max(0, len(m.lines)-last)
	case first < end-body:
		m.scroll = max(0, len(m.lines)-(first+body))
	}
	m.clampScroll()
}

// openLink asks to open the focused message's first attachment link.
func (m *Model) openLink() tea.Cmd {
	msg, _ := m.Focused()
	for _, a := range msg.Attachments {
		if link, ok := common.SafeURL(a.URL); ok {
			return func() tea.Msg { return OpenLinkMsg{URL: link} }
		}
	}
	return common.NoteCmd("this message has no attachment to open: [ and ] move to another")
}

// copyFocused asks to copy the focused message's text, else its first
// attachment link.
func (m *Model) copyFocused() tea.Cmd {
	msg, ok := m.Focused()
	text := inert.String(msg.Text) // a paste of it drives no terminal either
	for _, a := range msg.Attachments {
		if link, ok := common.SafeURL(a.URL); ok && text == "" {
			text = link
		}
	}
	if !ok || text == "" {
		return common.NoteCmd("nothing to copy in this message")
	}
	return func() tea.Msg { return CopyMsg{Text: text} }
}
