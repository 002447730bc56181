package thread

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Reactions is the picker's fixed set (Messenger's own row).
var Reactions = []string{"❤️", "😆", "😮", "😢", "😠", "👍"}

// QuoteMsg asks the root to quote Message in the reply box (R): the reply
// then answers it (reply_to).
type QuoteMsg struct{ Message store.Message }

// reactedMsg is Meta's answer to a reaction.
type reactedMsg struct {
	msg   store.Message
	emoji string
	err   error
}

// reactPicker is the reaction picker's state: the message, and the
// choices (with "" first to take the Page's reaction off).
type reactPicker struct {
	open     bool
	target   store.Message
	choices  []string
	selected int
}

// Target is the message R and + act on: the focused one ([ and ]) when it
// is a customer's message Meta knows (it has a mid), else the newest such.
func (m *Model) Target() (store.Message, bool) {
	if i, ok := m.byID[m.focus]; ok && m.focus != "" { // moved to with [ and ]
		if msg := m.msgs[i]; msg.Direction == store.In && msg.MID != "" && msg.Kind == "" {
			return msg, true
		}
	}
	for i := len(m.msgs) - 1; i >= 0; i-- {
		if msg := m.msgs[i]; msg.Direction == store.In && msg.MID != "" && msg.Kind == "" {
			return msg, true
		}
	}
	return store.Message{}, false
}

// Reacting reports whether the reaction picker has the keyboard.
func (m *Model) Reacting() bool { return m.react.open }

// quote asks for the target to be quoted in the reply box.
func (m *Model) quote() tea.Cmd {
	msg, ok := m.Target()
	if !ok {
		return common.ErrorCmd("reply to", common.Error("no customer's message here to reply to"))
	}
	return func() tea.Msg { return QuoteMsg{Message: msg} }
}

// openReact opens the picker on the target; a message the Page reacted
// to offers taking it off first.
func (m *Model) openReact() tea.Cmd {
	msg, ok := m.Target()
	if !ok {
		return common.ErrorCmd("react", common.Error("no customer's message here to react to"))
	}
	choices := Reactions
	if store.PageReaction(msg) != "" {
		choices = append([]string{""}, Reactions...)
	}
	m.react = reactPicker{open: true, target: msg, choices: choices}
	return nil
}

// reactKey: ←/→ choose, enter (or the choice's number) sends, esc closes.
func (m *Model) reactKey(msg tea.KeyMsg) tea.Cmd {
	k, p := m.common.Keys, &m.react
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.PickCancel):
		m.react = reactPicker{}
		return nil
	case msg.Type == tea.KeyLeft || msg.String() == "h":
		p.selected = (p.selected + len(p.choices) - 1) % len(p.choices)
		return nil
	case msg.Type == tea.KeyRight || msg.String() == "l":
		p.selected = (p.selected + 1) % len(p.choices)
		return nil
	case msg.Type == tea.KeyEnter:
		return m.sendReaction(p.choices[p.selected])
	}
	if s := msg.String(); len(s) == 1 && s[0] >= '1' && int(s[0]-'1') < len(p.choices) {
		return m.sendReaction(p.choices[s[0]-'1'])
	}
	return nil
}

// sendReaction sends the choice ("" takes the reaction off); the thread
// shows it when the store has recorded it after Meta's 200.
func (m *Model) sendReaction(emoji string) tea.Cmd {
	target := m.react.target
	m.react = reactPicker{}
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		msg, err := be.React(ctx, target.ConvKey, target.MID, emoji)
		return reactedMsg{msg: msg, emoji: emoji, err: err}
	}
}

func (m *Model) reacted(r reactedMsg) tea.Cmd {
	if r.err != nil {
		return common.ErrorCmd("react", r.err)
	}
	m.Apply(store.MessageChanged, r.msg)
	if r.emoji == "" {
		return common.NoteCmd("reaction taken off")
	}
	return common.NoteCmd("reacted " + r.emoji)
}

// reactLine is the picker, at the foot of the thread.
func (m *Model) reactLine() string {
	s := m.common.Styles
	parts := make([]string, len(m.react.choices))
	for i, c := range m.react.choices {
		label := c
		if c == "" {
			label = "remove " + store.PageReaction(m.react.target)
		}
		label = string(rune('1'+i)) + " " + label
		if i == m.react.selected {
			label = s.Title.Render("[" + label + "]")
		}
		parts[i] = label
	}
	return common.Truncate("react: "+strings.Join(parts, "  ")+s.Dim.Render("  esc cancels"), m.width)
}
