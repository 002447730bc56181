package list

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// Update takes the answers to the list's loads and the keys of the list:
// movement, search, filters, marks and done. Opening a conversation,
// quitting and the campaign keys are the root's.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		if m.picker != nil {
			return m.pickerKey(k)
		}
		if m.typing {
			return m.searchKey(k)
		}
		return m.key(k)
	}
	return m.answer(msg)
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	if nav, ok := k.Navigate(msg, m.VisibleRows()); ok {
		switch nav.Jump {
		case -1:
			m.cursor = 0
		case 1:
			m.cursor = len(m.convs) - 1
		}
		return m.Move(nav.Delta)
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.typing = true
		m.search.SetValue(m.query)
		m.search.CursorEnd()
		return m.search.Focus()
	case key.Matches(msg, k.Back):
		if len(m.marked) > 0 {
			clear(m.marked)
			return nil
		}
		if m.query != "" {
			m.query = ""
			return m.Load(false)
		}
		if m.scope != (Scope{}) {
			return m.setScope(m.scope)
		}
	case key.Matches(msg, k.Select):
		if c, ok := m.Current(); ok {
			if m.marked[c.ConvKey] {
				delete(m.marked, c.ConvKey)
			} else {
				m.marked[c.ConvKey] = true
			}
			m.move(1)
		}
	case key.Matches(msg, k.SelectAll):
		return m.selectAll()
	case key.Matches(msg, k.Done):
		return m.toggleDone()
	}
	if cmd, ok := m.triageKey(msg); ok {
		return cmd
	}
	return m.tabKey(msg)
}

// tabKey picks a filter (store.Filters): its own key, or the next one.
func (m *Model) tabKey(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	for i, tab := range k.Tabs {
		if key.Matches(msg, tab) {
			return m.setFilter(store.Filters[i].ID)
		}
	}
	if key.Matches(msg, k.NextTab) {
		for i, f := range store.Filters {
			if f.ID == m.filter {
				return m.setFilter(store.Filters[(i+1)%len(store.Filters)].ID)
			}
		}
	}
	return nil
}

func (m *Model) setFilter(f store.Filter) tea.Cmd {
	if m.filter == f {
		return nil
	}
	m.filter = f
	return m.restart()
}

// restart loads the list anew from its top, for a new filter or scope.
func (m *Model) restart() tea.Cmd {
	m.cursor, m.offset = 0, 0
	m.selected = store.ConvKey{} // a new filter starts at its top
	m.convs, m.loaded = nil, false
	m.reindex()
	return m.Load(false)
}

// searchKey edits the search box; each change searches again (in a
// command; an older answer is dropped by its seq).
func (m *Model) searchKey(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	switch {
	case key.Matches(msg, k.SearchClear):
		m.typing = false
		m.search.Blur()
		if m.query == "" {
			return nil
		}
		m.query = ""
		return m.Load(false)
	case key.Matches(msg, k.SearchKeep):
		m.typing = false
		m.search.Blur()
		return nil
	case key.Matches(msg, k.SearchLeave):
		m.typing = false
		m.search.Blur()
		return m.key(msg)
	}
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	if q := strings.TrimSpace(m.search.Value()); q != m.query {
		m.query = q
		m.cursor, m.offset = 0, 0
		return tea.Batch(cmd, m.Load(false))
	}
	return cmd
}

// ShortHelp is the list's keys, or the search box's while it is open.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	if m.picker != nil {
		return []key.Binding{k.PickUp, k.PickDown, k.Open, k.Back}
	}
	if m.typing {
		return []key.Binding{k.SearchKeep, k.SearchClear}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.NextTab, k.Select, k.Bulk, k.Help, k.Quit}
}
