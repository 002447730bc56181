// Package keymap is every key of the TUI, in one place, so that a config
// file can rebind them: panes match keys only through a KeyMap, never by
// comparing a key's name.
package keymap

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// KeyMap is every binding of the TUI. Help is built from it, so a binding
// without help text does not exist for the user.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom             key.Binding
	Open, Back, NextPane, Filter, Help, Quit, ForceQuit key.Binding
	Tabs                                                []key.Binding // store.Filters[i] is Tabs[i]
	NextTab                                             key.Binding
	Done                                                key.Binding
	Send, Newline, Editor, HumanAgent                   key.Binding
	Select, SelectAll, Bulk, Campaigns                  key.Binding
	Pause, Cancel, Retry, Resume, Confirm, Submit       key.Binding
	Resend                                              key.Binding
	// QuoteReply answers a message of the thread (reply_to); React puts
	// the Page's reaction on one.
	QuoteReply, React key.Binding
	// Template sends a Utility template: outside the 24 h window.
	Template key.Binding
	// The search box: keep the search, clear it, or leave it with an
	// arrow (which then moves in the list).
	SearchKeep, SearchClear, SearchLeave key.Binding
	// FormNewline breaks a line in the campaign's message, where enter
	// does not send.
	FormNewline key.Binding
	// The team's keys: a private note (n, saved with NoteSave), the
	// contact pane (i), and saved replies in the reply box (ctrl+r, or
	// ; at the start of a word), picked with PickUp/PickDown/PickChoose.
	Note, NoteSave, Contact   key.Binding
	SavedReply, ReplyShortcut key.Binding
	// Files in the reply box: ctrl+a attaches one by path (tab completes
	// it), AttachRemove takes the last one off (so does backspace in the
	// empty path).
	Attach, AttachComplete, AttachRemove     key.Binding
	PickUp, PickDown, PickChoose, PickCancel key.Binding
	// The thread's message keys: move the focus to the message before or
	// after (the newest has it to begin with), open the focused message's
	// attachment, copy its text or link.
	PrevMessage, NextMessage, OpenLink, Copy key.Binding
	TriageKeys
}

// Default is vim keys and arrows.
func Default() KeyMap {
	return KeyMap{
		Up:             key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:           key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:         key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:       key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:            key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:         key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Open:           key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:           key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextPane:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Filter:         key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Help:           key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
		Quit:           key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Tabs:           filterTabs(),
		NextTab:        key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "next filter")),
		Done:           key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "done/undone")),
		Select:         key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "select")),
		SelectAll:      key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "select all in filter")),
		Bulk:           key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "campaign to selected")),
		Campaigns:      key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "campaigns")),
		Pause:          key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Cancel:         key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel campaign")),
		Retry:          key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry failed")),
		Resume:         key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resume")),
		Resend:         key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "send again")),
		QuoteReply:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reply to message")),
		React:          key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "react")),
		Template:       key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "send a template")),
		Confirm:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		Submit:         key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "review and send")),
		Send:           key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
		Newline:        key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"), key.WithHelp("alt+enter", "newline")),
		Editor:         key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "$EDITOR")),
		HumanAgent:     key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "HUMAN_AGENT")),
		SearchKeep:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")),
		SearchClear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		SearchLeave:    key.NewBinding(key.WithKeys("up", "down")),
		FormNewline:    key.NewBinding(key.WithKeys("enter", "alt+enter", "ctrl+j")),
		Note:           key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "private note")),
		NoteSave:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save note")),
		Contact:        key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "contact")),
		SavedReply:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "saved reply")),
		ReplyShortcut:  key.NewBinding(key.WithKeys(";"), key.WithHelp(";name", "saved reply")),
		Attach:         key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("ctrl+a", "attach file")),
		AttachComplete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete path")),
		AttachRemove:   key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "remove last file")),
		PickUp:         key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		PickDown:       key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		PickChoose:     key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "insert")),
		PickCancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		PrevMessage:    key.NewBinding(key.WithKeys("["), key.WithHelp("[/]", "pick msg")),
		NextMessage:    key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next message")),
		OpenLink:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open link")),
		Copy:           key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		TriageKeys:     defaultTriage(),
	}
}

// filterTabs binds 1 to 9 to the filters of store.Filters, in its order;
// any after the ninth are reached with NextTab.
func filterTabs() []key.Binding {
	var tabs []key.Binding
	for i, f := range store.Filters[:min(len(store.Filters), 9)] {
		k := strconv.Itoa(i + 1)
		tabs = append(tabs, key.NewBinding(key.WithKeys(k), key.WithHelp(k, strings.ToLower(f.Label))))
	}
	return tabs
}

// Navigation is a key read as a movement in a list of rows.
type Navigation struct {
	Delta int // rows to move; negative is up
	Jump  int // -1: to the top, 1: to the bottom, 0: neither
}

// Navigate reads msg as a movement, page rows to a page. Bubble Tea can
// deliver several typed runes in one message ("jjj"): when each of them
// is Up, or each is Down, each counts.
func (k *KeyMap) Navigate(msg tea.KeyMsg, page int) (Navigation, bool) {
	switch {
	case key.Matches(msg, k.Up):
		return Navigation{Delta: -repeat(msg)}, true
	case key.Matches(msg, k.Down):
		return Navigation{Delta: repeat(msg)}, true
	case key.Matches(msg, k.PageUp):
		return Navigation{Delta: -page}, true
	case key.Matches(msg, k.PageDown):
		return Navigation{Delta: page}, true
	case key.Matches(msg, k.Top):
		return Navigation{Jump: -1}, true
	case key.Matches(msg, k.Bottom):
		return Navigation{Jump: 1}, true
	}
	if n := eachRune(msg, k.Down); n > 0 {
		return Navigation{Delta: n}, true
	}
	if n := eachRune(msg, k.Up); n > 0 {
		return Navigation{Delta: -n}, true
	}
	return Navigation{}, false
}

func repeat(msg tea.KeyMsg) int {
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 {
		return len(msg.Runes)
	}
	return 1
}

// eachRune is how many runes msg holds when it holds several and each,
// as a key of its own, matches b; 0 otherwise.
func eachRune(msg tea.KeyMsg, b key.Binding) int {
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 {
		return 0
	}
	for _, r := range msg.Runes {
		if !key.Matches(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}, b) {
			return 0
		}
	}
	return len(msg.Runes)
}

// Count is how many times msg presses b: 1 for a match, n for n runes
// read together that each match it ("[[["), else 0.
func Count(msg tea.KeyMsg, b key.Binding) int {
	if key.Matches(msg, b) {
		return 1
	}
	return eachRune(msg, b)
}
