// Package list is the conversation list: filter tabs with counts, a
// search box, and the conversations, newest activity first, loaded a page
// at a time and drawn only as far as the screen shows.
package list

import (
	"context"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/picker"
	"github.com/pageinbox/pageinbox/tui/triage"
)

// PageSize is how many conversations one load brings. The list holds
// what was loaded and renders only the rows on screen, so 100k
// conversations cost what one screen costs.
const PageSize = 200

// RowHeight: a name line and a preview line.
const RowHeight = 2

// chrome is the lines above the rows: tabs and the search line.
const chrome = 2

// Backend is what the list asks of the inbox.
type Backend interface {
	// Conversations lists a filter, or a search, after a cursor.
	Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error)
	Counts(ctx context.Context) (store.Counts, error)
	// PageCounts and Pages serve the Page switcher (P).
	PageCounts(ctx context.Context, pageID string) (store.Counts, error)
	Pages(ctx context.Context) ([]store.Page, error)
	// SelectAll is every conversation of a filter or search (V).
	SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error)
	SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error
	// Triage: assignment, states and labels, one conversation at a time.
	triage.Backend
	Labels(ctx context.Context, pageID string) ([]store.Label, error)
	Agents(ctx context.Context) ([]string, error)
}

// Model is the list pane.
type Model struct {
	common *common.Common
	be     Backend

	convs   []store.Conversation
	index   map[store.ConvKey]int // position of each loaded conversation
	next    store.Cursor          // where the next load starts; "" when all is loaded
	loading bool
	loaded  bool // the first page arrived
	seq     int  // the load in flight; older answers are dropped

	counts      store.Counts
	counting    bool // a counts request is out
	countsStale bool // changes came in since it left

	filter   store.Filter
	query    string
	search   textinput.Model
	typing   bool // the search box has the keyboard
	cursor   int
	offset   int
	selected store.ConvKey          // survives re-sorting
	marked   map[store.ConvKey]bool // chosen for a campaign; survives re-sorting too
	focused  bool
	width    int
	height   int

	scope       Scope
	colours     map[string]string // label colours by colourKey
	askedColour map[string]bool   // colours asked for, each once
	agents      map[string]bool   // agents seen in presence, for the agent picker
	picker      *picker.Model     // an open snooze, label or agent picker
	pick        func(picker.Item) tea.Cmd
	last        triage.Action   // what `.` repeats
	askedPages  map[string]bool // Pages met in the feed and asked for (LoadNewPages)
	cursorMode  cursor.Mode
}

// New returns an empty list showing every conversation.
func New(c *common.Common, be Backend) *Model {
	ti := c.Input("/ ", "name or text", c.Styles.App)
	ti.CharLimit = 100
	return &Model{common: c, be: be, filter: store.FilterAll, search: ti, focused: true,
		index: map[store.ConvKey]int{}, marked: map[store.ConvKey]bool{},
		colours: map[string]string{}, askedColour: map[string]bool{}, agents: map[string]bool{}}
}

// SetSize gives the list w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.search.Width = max(1, w-4)
	if m.picker != nil {
		m.picker.SetSize(w, h-1)
	}
	m.clamp()
}

// SetFocused: the row under the cursor is highlighted only with the focus.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetCursorMode sets how the search box's cursor blinks.
// A picker opened later takes the same mode.
func (m *Model) SetCursorMode(mode cursor.Mode) tea.Cmd {
	m.cursorMode = mode
	return m.search.Cursor.SetMode(mode)
}

// VisibleRows is how many conversations fit.
func (m *Model) VisibleRows() int { return max(1, (m.height-chrome)/RowHeight) }

// Current is the conversation under the cursor.
func (m *Model) Current() (store.Conversation, bool) {
	if m.cursor < 0 || m.cursor >= len(m.convs) {
		return store.Conversation{}, false
	}
	return m.convs[m.cursor], true
}

// Conversations are the loaded rows, in order.
func (m *Model) Conversations() []store.Conversation { return m.convs }

// Index is where a loaded conversation is.
func (m *Model) Index(k store.ConvKey) (int, bool) {
	i, ok := m.index[k]
	return i, ok
}

func (m *Model) Cursor() int                   { return m.cursor }
func (m *Model) Filter() store.Filter          { return m.filter }
func (m *Model) Query() string                 { return m.query }
func (m *Model) Typing() bool                  { return m.typing || m.picker != nil } // the list has the keyboard
func (m *Model) Counts() store.Counts          { return m.counts }
func (m *Model) Loaded() bool                  { return m.loaded }
func (m *Model) Loading() bool                 { return m.loading }
func (m *Model) MarkedCount() int              { return len(m.marked) }
func (m *Model) IsMarked(k store.ConvKey) bool { return m.marked[k] }

// Marked is the conversations chosen for a campaign, in a fixed order
// (not the map's): the ledger and the campaign's recipients follow it.
func (m *Model) Marked() []store.ConvKey {
	keys := make([]store.ConvKey, 0, len(m.marked))
	for k := range m.marked {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b store.ConvKey) int { return strings.Compare(a.String(), b.String()) })
	return keys
}

// ClearMarks forgets the selection (a campaign started with it).
func (m *Model) ClearMarks() { clear(m.marked) }

// reset replaces the list with a first page.
func (m *Model) reset(page store.ConversationPage) {
	m.convs = page.Conversations
	m.next = page.Next
	m.loaded = true
	m.reindex()
	m.follow()
}

func (m *Model) appendPage(page store.ConversationPage) {
	for _, c := range page.Conversations {
		if _, dup := m.index[c.ConvKey]; !dup {
			m.convs = append(m.convs, c)
		}
	}
	m.next = page.Next
	m.reindex()
}

func (m *Model) reindex() {
	clear(m.index)
	for i, c := range m.convs {
		m.index[c.ConvKey] = i
	}
}

// follow puts the cursor back on the selected conversation after the
// rows moved.
func (m *Model) follow() {
	if i, ok := m.index[m.selected]; ok {
		m.cursor = i
	}
	m.clamp()
	m.selectCurrent()
}

func (m *Model) selectCurrent() {
	if c, ok := m.Current(); ok {
		m.selected = c.ConvKey
	}
}

func (m *Model) clamp() {
	m.cursor = min(max(m.cursor, 0), max(len(m.convs)-1, 0))
	rows := m.VisibleRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(0, min(m.offset, max(0, len(m.convs)-rows)))
}

// Move moves the cursor by delta rows, loading more when it nears the end
// of what is loaded.
func (m *Model) Move(delta int) tea.Cmd {
	m.move(delta)
	if m.wantsMore() {
		return m.Load(true)
	}
	return nil
}

func (m *Model) move(delta int) {
	m.cursor += delta
	m.clamp()
	m.selectCurrent()
}

// Click puts the cursor on the row drawn at line y of the pane; false if
// no row is there.
func (m *Model) Click(y int) bool {
	row := (y - chrome) / RowHeight
	if row < 0 || m.offset+row >= len(m.convs) {
		return false
	}
	m.cursor = m.offset + row
	m.move(0)
	return true
}

// wantsMore reports whether the cursor is near the end of what is loaded.
func (m *Model) wantsMore() bool {
	return m.next != "" && !m.loading && m.cursor >= len(m.convs)-m.VisibleRows()*2
}

// Selected is the conversation the list is on; it survives re-sorting.
func (m *Model) Selected() store.ConvKey { return m.selected }
