package list

import (
	"context"
	"sort"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/triage"
)

// Messages from the list's commands. Loads carry the seq of the request,
// so an answer to an older one is dropped.
type (
	// LoadedMsg is a page of conversations. The root, seeing one, keeps
	// the thread beside on the row under the cursor.
	LoadedMsg struct {
		seq    int
		page   store.ConversationPage
		append bool
		err    error
	}
	countsMsg       store.Counts
	countsFailedMsg struct{ err error }
	selectedMsg     struct{ keys []store.ConvKey }
)

// Load asks for the first page of the filter or search, or with more, the
// page after what is loaded.
func (m *Model) Load(more bool) tea.Cmd {
	m.seq++
	m.loading = true
	seq, q := m.seq, m.listQuery()
	q.Limit = PageSize
	if more {
		q.After = m.next
	}
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		page, err := be.Conversations(ctx, q)
		return LoadedMsg{seq: seq, page: page, append: more, err: err}
	}
}

// LoadCounts asks for the tab counts, one request at a time: changes that
// arrive meanwhile only mark them stale, and the answer asks again. A busy
// campaign then costs one count at a time, not one per burst.
func (m *Model) LoadCounts() tea.Cmd {
	if m.counting {
		m.countsStale = true
		return nil
	}
	m.counting, m.countsStale = true, false
	be, ctx, page := m.be, m.common.Ctx, m.common.Pages.Current
	return func() tea.Msg {
		count := be.Counts
		if page != "" {
			count = func(ctx context.Context) (store.Counts, error) { return be.PageCounts(ctx, page) }
		}
		c, err := count(ctx)
		if err != nil {
			return countsFailedMsg{err}
		}
		return countsMsg(c)
	}
}

// selectAll marks the whole filter or search (V).
func (m *Model) selectAll() tea.Cmd {
	be, ctx, q := m.be, m.common.Ctx, m.listQuery()
	return func() tea.Msg {
		keys, err := be.SelectAll(ctx, q)
		if err != nil {
			return common.ErrMsg{Op: "select", Err: err}
		}
		return selectedMsg{keys}
	}
}

// answer takes the answers to the list's commands.
func (m *Model) answer(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.seq != m.seq {
			return nil // an answer to an older question
		}
		m.loading = false
		if msg.err != nil {
			return common.ErrorCmd("load conversations", msg.err)
		}
		if msg.append {
			m.appendPage(msg.page)
		} else {
			m.reset(msg.page)
		}
		return m.LoadLabels()
	case countsMsg:
		m.counts = store.Counts(msg)
		m.counting = false
		if m.countsStale {
			return m.LoadCounts()
		}
	case countsFailedMsg:
		m.counting = false
		return common.ErrorCmd("count conversations", msg.err)
	case selectedMsg:
		for _, k := range msg.keys {
			m.marked[k] = true
		}
	case labelsMsg:
		return m.gotLabels(msg)
	case agentsMsg:
		return m.gotAgents(msg)
	case PagesMsg:
		return m.gotPages(msg)
	case triage.ResultMsg:
		return m.triaged(msg)
	}
	return nil
}

// ApplyUpdates takes a burst of changed conversations: each moves to its
// place by activity, enters the list if it now matches the filter, or
// leaves it. One sort and one reindex, whatever their number: a campaign
// moves thousands at a time.
func (m *Model) ApplyUpdates(convs []store.Conversation) {
	drop, added, seen := map[store.ConvKey]bool{}, map[store.ConvKey]bool{}, map[store.ConvKey]bool{}
	// Newest snapshot first: an older one of the same burst is skipped.
	for i := len(convs) - 1; i >= 0; i-- {
		c := convs[i]
		if seen[c.ConvKey] {
			continue
		}
		seen[c.ConvKey] = true
		matches := m.matches(c)
		if j, had := m.index[c.ConvKey]; had {
			if matches {
				m.convs[j] = c
			} else {
				drop[c.ConvKey] = true
			}
			continue
		}
		if matches {
			m.convs = append(m.convs, c)
			added[c.ConvKey] = true
		}
	}
	if len(drop) > 0 {
		kept := m.convs[:0]
		for _, c := range m.convs {
			if !drop[c.ConvKey] {
				kept = append(kept, c)
			}
		}
		m.convs = kept
	}
	sort.SliceStable(m.convs, func(a, b int) bool { return m.convs[a].LastActivity.After(m.convs[b].LastActivity) })
	// New rows older than everything loaded arrive with their page.
	for m.next != "" && len(m.convs) > 0 && added[m.convs[len(m.convs)-1].ConvKey] {
		m.convs = m.convs[:len(m.convs)-1]
	}
	m.reindex()
	m.follow()
}

// matches reports whether a conversation belongs in the list as filtered
// now. A search is redone on its own, so rows only update.
func (m *Model) matches(c store.Conversation) bool {
	if m.query != "" {
		_, shown := m.index[c.ConvKey]
		return shown
	}
	f, err := store.LookupFilter(m.filter)
	if err != nil {
		return true
	}
	return m.inScope(c) && f.Match(&c, m.common.Now()) || f.KeepsSelected && c.ConvKey == m.selected
}
