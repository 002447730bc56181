// Package picker is a small menu that filters as you type: the snooze
// menu, the label picker and the agent picker. What was typed can be a
// choice of its own (a new label, an agent not seen yet, "fri 14:00").
package picker

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Item is one choice. Title is what typing filters on; View, if set, is
// how the row draws it (made inert and styled by the caller).
type Item struct {
	Title string
	View  string
	Value string
	Mark  bool // drawn with a tick: a label the conversation has
	// Invalid is why a typed choice cannot be taken ("" when it can).
	Invalid string
}

// Outcome is what a key did to the picker.
type Outcome int

const (
	Open Outcome = iota // still choosing
	Cancelled
	Picked
)

// Model is one open picker.
type Model struct {
	common *common.Common
	title  string
	items  []Item
	// typed turns what was typed into a choice of its own; nil: none.
	typed  func(text string) (Item, bool)
	input  textinput.Model
	shown  []Item
	cursor int
	width  int
	height int
}

// New opens a picker titled title over items.
func New(c *common.Common, title, placeholder string, items []Item, typed func(string) (Item, bool)) *Model {
	ti := c.Input("> ", placeholder, c.Styles.App)
	ti.CharLimit = 60
	m := &Model{common: c, title: title, items: items, typed: typed, input: ti}
	m.input.Focus()
	m.refilter()
	return m
}

// SetSize gives the picker w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(1, w-4)
}

// SetCursorMode sets how the input's cursor blinks.
func (m *Model) SetCursorMode(mode cursor.Mode) tea.Cmd { return m.input.Cursor.SetMode(mode) }

// Text is what was typed.
func (m *Model) Text() string { return strings.TrimSpace(m.input.Value()) }

// Shown is the choices as filtered now, in order.
func (m *Model) Shown() []Item { return m.shown }

// Current is the choice under the cursor.
func (m *Model) Current() (Item, bool) {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return Item{}, false
	}
	return m.shown[m.cursor], true
}

// Update takes a key: movement, enter, esc, or typing.
func (m *Model) Update(msg tea.KeyMsg) (Outcome, tea.Cmd) {
	k := m.common.Keys
	switch {
	case key.Matches(msg, k.Back):
		return Cancelled, nil
	case key.Matches(msg, k.Open):
		if it, ok := m.Current(); ok && it.Invalid == "" {
			return Picked, nil
		}
		return Open, nil
	case key.Matches(msg, k.PickUp):
		m.cursor = max(0, m.cursor-1)
		return Open, nil
	case key.Matches(msg, k.PickDown):
		m.cursor = min(len(m.shown)-1, m.cursor+1)
		return Open, nil
	}
	var cmd tea.Cmd
	before := m.input.Value()
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() != before {
		m.refilter()
	}
	return Open, cmd
}

// refilter keeps the items whose title holds what was typed, and adds the
// typed choice when no item is exactly it: first when nothing else
// matches, else last, so enter takes the closest item.
func (m *Model) refilter() {
	text := strings.ToLower(m.Text())
	m.shown = m.shown[:0]
	exact := false
	for _, it := range m.items {
		t := strings.ToLower(it.Title)
		if strings.Contains(t, text) {
			m.shown = append(m.shown, it)
			exact = exact || t == text
		}
	}
	if text != "" && !exact && m.typed != nil {
		if it, ok := m.typed(m.Text()); ok {
			m.shown = append(m.shown, it)
		}
	}
	m.cursor = 0
}

// View draws the title, the input and the choices that fit.
func (m *Model) View() string {
	s := m.common.Styles
	lines := []string{s.Title.Render(m.title), common.Truncate(m.input.View(), m.width)}
	rows := max(1, m.height-len(lines))
	first := max(0, m.cursor-rows+1)
	for i := first; i < len(m.shown) && i < first+rows; i++ {
		lines = append(lines, m.row(m.shown[i], i == m.cursor))
	}
	if len(m.shown) == 0 {
		lines = append(lines, s.Dim.Render("  nothing matches"))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) row(it Item, current bool) string {
	s := m.common.Styles
	marker, tick := "  ", "  "
	if current {
		marker = s.Cursor.Render("▌ ")
	}
	if it.Mark {
		tick = s.Ok.Render("✓ ")
	}
	text := it.View
	if text == "" {
		text = inert.Line(it.Title)
	}
	if it.Invalid != "" {
		text += " " + s.Failed.Render(inert.Line(it.Invalid))
	}
	line := common.Truncate(marker+tick+text, m.width)
	if current {
		line = s.Selected.Render(common.PadRight(line, m.width))
	}
	return line
}
