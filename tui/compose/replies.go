package compose

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Saved replies: ctrl+r, or ; at the start of a word, opens a picker of
// the Page's replies filtered by what follows; enter puts the chosen one,
// its variables filled, where the cursor is. The ; and the filter are the
// picker's, not the text's: esc gives them back to the text.

// picker is the saved-reply picker's state.
type picker struct {
	open     bool
	semi     bool // opened by ;: esc puts ";query" back in the text
	query    string
	replies  []store.SavedReply
	loaded   bool
	selected int
}

// repliesMsg is a Page's saved replies, for the picker.
type repliesMsg struct {
	pageID  string
	replies []store.SavedReply
	err     error
}

// Picking reports whether the picker has the keyboard.
func (m *Model) Picking() bool { return m.pick.open }

// SetPageName is the Page's name, for {page}.
func (m *Model) SetPageName(name string) { m.pageName = name }

func (m *Model) openPicker(semi bool) tea.Cmd {
	m.pick = picker{open: true, semi: semi}
	be, ctx, page := m.be, m.common.Ctx, m.key.PageID
	return func() tea.Msg {
		rs, err := be.Replies(ctx, page)
		return repliesMsg{pageID: page, replies: rs, err: err}
	}
}

// atWordStart: the cursor is at the start of the text, or after a space.
func (m *Model) atWordStart() bool {
	lines := strings.Split(m.area.Value(), "\n")
	row := m.area.Line()
	if row >= len(lines) {
		return true
	}
	li := m.area.LineInfo()
	col := li.StartColumn + li.ColumnOffset
	line := []rune(lines[row])
	return col == 0 || col > len(line) || col <= len(line) && strings.ContainsRune(" \t", line[col-1])
}

// matches are the replies whose shortcut starts with the query, then
// those whose shortcut or text holds it.
func (p *picker) matches() []store.SavedReply {
	q := strings.ToLower(p.query)
	var first, then []store.SavedReply
	for _, r := range p.replies {
		sc := strings.ToLower(r.Shortcut)
		switch {
		case strings.HasPrefix(sc, q):
			first = append(first, r)
		case strings.Contains(sc, q), strings.Contains(strings.ToLower(r.Text), q):
			then = append(then, r)
		}
	}
	return append(first, then...)
}

// fill is a reply's text for this conversation and agent.
func (m *Model) fill(r store.SavedReply) string {
	page := m.pageName
	if m.common.Pages.Several() { // {page} is the conversation's Page
		page = m.common.Pages.Name(m.key.PageID)
	}
	return store.FillReply(r.Text, m.conv.Name, m.common.Agent.Name, page)
}

func (m *Model) pickKey(msg tea.KeyMsg) tea.Cmd {
	k, p := m.common.Keys, &m.pick
	matches := p.matches()
	switch {
	case key.Matches(msg, k.PickCancel):
		m.closePicker(true)
	case key.Matches(msg, k.PickChoose):
		if len(matches) == 0 {
			return nil
		}
		text := m.fill(matches[min(p.selected, len(matches)-1)])
		m.closePicker(false)
		m.area.InsertString(text)
		m.dirty, m.editedAt = true, m.common.Now()
	case key.Matches(msg, k.PickUp):
		p.selected = max(0, p.selected-1)
	case key.Matches(msg, k.PickDown):
		p.selected = min(max(0, len(matches)-1), p.selected+1)
	case msg.Type == tea.KeyBackspace:
		if p.query == "" {
			m.closePicker(false)
			return nil
		}
		r := []rune(p.query)
		p.query, p.selected = string(r[:len(r)-1]), 0
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		if msg.Type == tea.KeySpace || slices.Contains(msg.Runes, ' ') {
			// A space ends a shortcut: what was typed is text after all.
			m.closePicker(true)
			m.area.InsertString(string(msg.Runes))
			return nil
		}
		p.query, p.selected = p.query+string(msg.Runes), 0
	}
	return nil
}

// closePicker closes it; back: the ; and the query go into the text.
func (m *Model) closePicker(back bool) {
	if back && m.pick.semi {
		m.area.InsertString(";" + m.pick.query)
		m.dirty, m.editedAt = true, m.common.Now()
	}
	m.pick = picker{}
}

// PickerView is the picker, w×h: the filter, then one reply a line with
// its text filled as it would go in.
func (m *Model) PickerView(w, h int) string {
	s, p := m.common.Styles, &m.pick
	lines := []string{s.Title.Render("Saved replies") + s.Dim.Render("  ;"+inert.Line(p.query)+"  (enter inserts, esc cancels)")}
	matches := p.matches()
	switch {
	case !p.loaded:
		lines = append(lines, s.Dim.Render("Loading…"))
	case len(p.replies) == 0:
		lines = append(lines, s.Dim.Render("No saved replies yet: pageinbox replies add SHORTCUT TEXT"))
	case len(matches) == 0:
		lines = append(lines, s.Dim.Render("No saved reply matches."))
	}
	for i, r := range matches[:min(len(matches), max(0, h-1))] {
		row := "  ;" + inert.Line(r.Shortcut) + "  " + s.Dim.Render(common.OneLine(m.fill(r)))
		if i == p.selected {
			row = s.Cursor.Render("› ;"+inert.Line(r.Shortcut)) + "  " + common.OneLine(m.fill(r))
		}
		lines = append(lines, common.Truncate(row, w))
	}
	return strings.Join(lines, "\n")
}
