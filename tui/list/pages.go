package list

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/tui/picker"
)

// The Page switcher (P): the list, its counts, search and select-all
// narrow to one Page (ListQuery.PageID), or widen back to all of them.
// The choice lives in common.Pages for the session, where the status bar,
// the rows and the thread header read it.

// PagesMsg answers LoadPages and the switcher: the inbox's Pages and, for
// the switcher, each one's unread count.
type PagesMsg struct {
	Pages  []store.Page
	Unread map[string]int // by Page id; nil unless the switcher asked
	pick   bool
	Err    error
}

// pageTagWidth is the most a row's Page name takes, in cells.
const pageTagWidth = 14

// LoadPages asks for the Pages, so rows can name theirs when there are
// several.
func (m *Model) LoadPages() tea.Cmd { return m.askPages(false) }

// openPages asks for the Pages and their unread counts, then picks one.
func (m *Model) openPages() tea.Cmd { return m.askPages(true) }

func (m *Model) askPages(pick bool) tea.Cmd {
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		pages, err := be.Pages(ctx)
		msg := PagesMsg{Pages: pages, pick: pick, Err: err}
		if err != nil || !pick {
			return msg
		}
		msg.Unread = make(map[string]int, len(pages))
		for _, p := range pages {
			c, err := be.PageCounts(ctx, p.ID)
			if err != nil {
				msg.Err = err
				return msg
			}
			msg.Unread[p.ID] = c.Unread
		}
		return msg
	}
}

// gotPages keeps the Pages (by name) and, for P, opens the switcher.
func (m *Model) gotPages(msg PagesMsg) tea.Cmd {
	if msg.Err != nil {
		return common.ErrorCmd("pages", msg.Err)
	}
	pages := slices.Clone(msg.Pages)
	slices.SortFunc(pages, func(a, b store.Page) int {
		return strings.Compare(strings.ToLower(a.Name+"\x00"+a.ID), strings.ToLower(b.Name+"\x00"+b.ID))
	})
	m.common.Pages.List = pages
	var cmd tea.Cmd
	if cur := m.common.Pages.Current; cur != "" && !slices.ContainsFunc(pages, func(p store.Page) bool { return p.ID == cur }) {
		cmd = m.setPage("") // the chosen Page was removed
	}
	if !msg.pick {
		return cmd
	}
	return tea.Batch(cmd, m.open(m.pageSwitcher(msg.Unread), func(it picker.Item) tea.Cmd { return m.setPage(it.Value) }))
}

// pageSwitcher lists every Page, then each Page by name with its unread
// count; the current one is ticked.
func (m *Model) pageSwitcher(unread map[string]int) *picker.Model {
	s, cur := m.common.Styles, m.common.Pages.Current
	count := func(n int) string { return s.Dim.Render(fmt.Sprintf("  %d unread", n)) }
	total := 0
	for _, n := range unread {
		total += n
	}
	items := []picker.Item{{Title: common.AllPages, View: common.AllPages + count(total), Mark: cur == ""}}
	for _, p := range m.common.Pages.List {
		name := m.common.Pages.Name(p.ID)
		items = append(items, picker.Item{Title: name, Value: p.ID, View: inert.Line(name) + count(unread[p.ID]), Mark: cur == p.ID})
	}
	return picker.New(m.common, "Show the conversations of", "type a Page's name", items, nil)
}

// setPage narrows the list to a Page ("" every Page), from its top. The
// selection keeps only that Page's conversations: a campaign is one Page's.
func (m *Model) setPage(id string) tea.Cmd {
	if m.common.Pages.Current == id {
		return nil
	}
	m.common.Pages.Current = id
	if id != "" {
		maps.DeleteFunc(m.marked, func(k store.ConvKey, _ bool) bool { return k.PageID != id })
	}
	return tea.Batch(m.restart(), m.LoadCounts())
}

// pageTag is a row's Page name when rows name theirs: several Pages, all
// of them shown. Inert and short.
func (m *Model) pageTag(c store.Conversation) string {
	p := &m.common.Pages
	if !p.Several() || p.Current != "" {
		return ""
	}
	return common.Truncate(inert.Line(p.Name(c.PageID)), pageTagWidth)
}

// LoadNewPages asks for the Pages again when a conversation of a Page not
// known yet arrives (one connected since the start), once per Page.
func (m *Model) LoadNewPages(convs []store.Conversation) tea.Cmd {
	p := &m.common.Pages
	if p.List == nil {
		return nil // the first answer is on its way
	}
	for _, c := range convs {
		if m.askedPages[c.PageID] || slices.ContainsFunc(p.List, func(pg store.Page) bool { return pg.ID == c.PageID }) {
			continue
		}
		if m.askedPages == nil {
			m.askedPages = map[string]bool{}
		}
		m.askedPages[c.PageID] = true
		return m.LoadPages()
	}
	return nil
}
