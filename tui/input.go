package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// key routes a key to the focused pane, then tells the other agents if
// this one moved in or out of a conversation.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	before := m.focus
	cmd := m.routeKey(msg)
	if m.focus != before && !m.quitting() {
		return tea.Batch(cmd, m.followFocus())
	}
	return cmd
}

func (m *Model) quitting() bool { return m.ctx.Err() != nil }

func (m *Model) routeKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.quit()
	}
	if m.showHelp {
		m.showHelp = false // any key closes the help
		return nil
	}
	switch m.mode {
	case modeBulk:
		return m.bulkKey(msg)
	case modeCampaign:
		return m.campaignKey(msg)
	case modeCampaigns:
		return m.campaignsKey(msg)
	}
	if m.list.typing {
		return m.searchKey(msg)
	}
	if m.focus == paneCompose {
		return m.composeKey(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.keys.NextPane):
		return m.cycleFocus()
	}
	if m.focus == paneThread {
		return m.threadKey(msg)
	}
	return m.listKey(msg)
}

func (m *Model) quit() tea.Cmd {
	save, leave := m.saveDraft(), m.announce(store.ConvKey{}, false)
	m.cancel()
	// The draft is written, and the others told we left, before the end.
	return tea.Sequence(tea.Batch(save, leave), tea.Quit)
}

func (m *Model) cycleFocus() tea.Cmd {
	switch m.focus {
	case paneList:
		if c, ok := m.list.current(); ok {
			cmd := m.openThread(c, false)
			m.setFocus(paneThread)
			return cmd
		}
	case paneThread:
		m.setFocus(paneCompose)
	default:
		m.setFocus(paneList)
		return m.saveDraft()
	}
	return nil
}

// navigation reads a key as a movement; Bubble Tea can deliver several
// typed runes in one message ("jjj"), and each counts.
func (m *Model) navigation(msg tea.KeyMsg, page int) (delta int, jump int, ok bool) {
	switch {
	case key.Matches(msg, m.keys.Up):
		return -repeat(msg), 0, true
	case key.Matches(msg, m.keys.Down):
		return repeat(msg), 0, true
	case key.Matches(msg, m.keys.PageUp):
		return -page, 0, true
	case key.Matches(msg, m.keys.PageDown):
		return page, 0, true
	case key.Matches(msg, m.keys.Top):
		return 0, -1, true
	case key.Matches(msg, m.keys.Bottom):
		return 0, 1, true
	}
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 {
		s := string(msg.Runes)
		if strings.Trim(s, "j") == "" {
			return len(msg.Runes), 0, true
		}
		if strings.Trim(s, "k") == "" {
			return -len(msg.Runes), 0, true
		}
	}
	return 0, 0, false
}

func repeat(msg tea.KeyMsg) int {
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 {
		return len(msg.Runes)
	}
	return 1
}

func (m *Model) listKey(msg tea.KeyMsg) tea.Cmd {
	if delta, jump, ok := m.navigation(msg, m.list.visibleRows()); ok {
		switch jump {
		case -1:
			m.list.cursor = 0
		case 1:
			m.list.cursor = len(m.list.convs) - 1
		}
		m.list.move(delta)
		var cmds []tea.Cmd
		if m.list.wantsMore() {
			cmds = append(cmds, m.loadList(true))
		}
		return tea.Batch(append(cmds, m.syncThreadToList())...)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Open):
		if c, ok := m.list.current(); ok {
			return m.openThread(c, true)
		}
	case key.Matches(msg, m.keys.Filter):
		m.list.typing = true
		m.list.search.SetValue(m.list.query)
		m.list.search.CursorEnd()
		return m.list.search.Focus()
	case key.Matches(msg, m.keys.Back):
		if len(m.list.marked) > 0 {
			clear(m.list.marked)
			return nil
		}
		if m.list.query != "" {
			m.list.query = ""
			return m.loadList(false)
		}
	case key.Matches(msg, m.keys.Select):
		if c, ok := m.list.current(); ok {
			if m.list.marked[c.ConvKey] {
				delete(m.list.marked, c.ConvKey)
			} else {
				m.list.marked[c.ConvKey] = true
			}
			m.list.move(1)
			return m.syncThreadToList() // the thread beside follows the cursor, as with j
		}
	case key.Matches(msg, m.keys.SelectAll):
		return m.selectAll()
	case key.Matches(msg, m.keys.Bulk):
		if len(m.list.marked) == 0 {
			m.setErr("campaign", errString("select recipients first: space toggles one, V takes the whole filter"))
			return nil
		}
		return m.openBulk()
	case key.Matches(msg, m.keys.Campaigns):
		m.mode = modeCampaigns
		return m.loadCampaigns()
	case key.Matches(msg, m.keys.Tabs...):
		for i, tab := range m.keys.Tabs {
			if key.Matches(msg, tab) {
				return m.setFilter(store.Filters[i].ID)
			}
		}
	case key.Matches(msg, m.keys.NextTab):
		for i, f := range store.Filters {
			if f.ID == m.list.filter {
				return m.setFilter(store.Filters[(i+1)%len(store.Filters)].ID)
			}
		}
	case key.Matches(msg, m.keys.Done):
		if c, ok := m.list.current(); ok {
			st := store.ConvDone
			if c.Status == store.ConvDone {
				st = store.ConvActive
			}
			be, ctx := m.be, m.ctx
			return func() tea.Msg {
				if err := be.SetStatus(ctx, c.ConvKey, st); err != nil {
					return errMsg{"mark done", err}
				}
				return nil
			}
		}
	}
	return nil
}

// openBulk shows the campaign form for the selection, with a fresh ledger.
func (m *Model) openBulk() tea.Cmd {
	keys := make([]store.ConvKey, 0, len(m.list.marked))
	for k := range m.list.marked {
		keys = append(keys, k)
	}
	// In a fixed order, not the map's: the ledger and the campaign's
	// recipients are listed in it.
	slices.SortFunc(keys, func(a, b store.ConvKey) int { return strings.Compare(a.String(), b.String()) })
	m.mode = modeBulk
	m.bulk.keys, m.bulk.ledger, m.bulk.loading = keys, nil, true
	m.bulk.confirming, m.bulk.starting = false, false
	m.bulk.field = 1
	return tea.Batch(m.bulk.focus(), m.loadLedger(keys))
}

func (m *Model) setFilter(f store.Filter) tea.Cmd {
	if m.list.filter == f {
		return nil
	}
	m.list.filter = f
	m.list.cursor, m.list.offset = 0, 0
	m.list.selected = store.ConvKey{} // a new filter starts at its top
	m.list.convs, m.list.loaded = nil, false
	m.list.reindex()
	return m.loadList(false)
}

// searchKey edits the search box; each change searches again (in a
// command; an older answer is dropped by its seq).
func (m *Model) searchKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		m.list.typing = false
		m.list.search.Blur()
		if m.list.query == "" {
			return nil
		}
		m.list.query = ""
		return m.loadList(false)
	case tea.KeyEnter:
		m.list.typing = false
		m.list.search.Blur()
		return nil
	case tea.KeyUp, tea.KeyDown:
		m.list.typing = false
		m.list.search.Blur()
		return m.listKey(msg)
	}
	var cmd tea.Cmd
	m.list.search, cmd = m.list.search.Update(msg)
	if q := strings.TrimSpace(m.list.search.Value()); q != m.list.query {
		m.list.query = q
		m.list.cursor, m.list.offset = 0, 0
		return tea.Batch(cmd, m.loadList(false))
	}
	return cmd
}

func (m *Model) threadKey(msg tea.KeyMsg) tea.Cmd {
	if delta, jump, ok := m.navigation(msg, max(1, m.thread.height-2)); ok {
		switch jump {
		case -1:
			m.thread.scroll = 1 << 30
		case 1:
			m.thread.scroll = 0
		}
		m.thread.scroll = max(0, m.thread.scroll-delta)
		if m.thread.before != "" && !m.thread.loading && m.thread.atTop(m.styles, m.now) {
			return m.loadThread(true)
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Back), key.Matches(msg, m.keys.Quit):
		m.setFocus(paneList)
		return m.saveDraft()
	case key.Matches(msg, m.keys.Open):
		m.setFocus(paneCompose)
	case key.Matches(msg, m.keys.Resend):
		return m.resend()
	}
	return nil
}

// resend sends the newest message of ours that may have been sent once
// more, as a new message: the agent decides, having looked.
func (m *Model) resend() tea.Cmd {
	msg, ok := m.thread.lastUnknown()
	if !ok {
		m.setErr("send again", errString("nothing here may have been lost: r sends again a reply marked \"may have been sent\""))
		return nil
	}
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		_, err := be.Resend(ctx, msg.OutboxID)
		return resentMsg{err: err}
	}
}

// resentMsg is the answer to r.
type resentMsg struct{ err error }

func (m *Model) composeKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.setFocus(paneList)
		return m.saveDraft()
	case key.Matches(msg, m.keys.NextPane):
		return m.cycleFocus()
	case key.Matches(msg, m.keys.Editor):
		return m.openEditor()
	case key.Matches(msg, m.keys.HumanAgent):
		p := m.compose.plan(m.thread.conv, m.now)
		if p.canTag {
			m.compose.humanAgent = !m.compose.humanAgent
		} else {
			m.setErr("HUMAN_AGENT", errString("only outside the 24 h window and within 7 days"))
		}
		return nil
	case key.Matches(msg, m.keys.Send) && !key.Matches(msg, m.keys.Newline):
		if strings.TrimSpace(m.compose.area.Value()) == "" {
			return nil
		}
		// Checked against the clock of this moment, not of the last frame.
		m.now = m.opts.Now()
		p := m.compose.plan(m.thread.conv, m.now)
		if !p.ok {
			m.setErr("not sent", errString(p.line))
			return nil
		}
		return m.send(p)
	}
	before := m.compose.area.Value()
	var cmd tea.Cmd
	m.compose.area, cmd = m.compose.area.Update(msg)
	if m.compose.area.Value() != before {
		m.compose.dirty, m.compose.editedAt = true, m.now
		return tea.Batch(cmd, m.announce(m.compose.key, m.compose.area.Value() != ""))
	}
	return cmd
}

type errString string

func (e errString) Error() string { return string(e) }

// mouse: the wheel scrolls what is under it, a click focuses or selects.
func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	inList := !m.narrow() && msg.X < m.listOuterWidth() || m.narrow() && m.focus == paneList
	switch msg.Button {
	case tea.MouseButtonWheelUp, tea.MouseButtonWheelDown:
		delta := 3
		if msg.Button == tea.MouseButtonWheelUp {
			delta = -3
		}
		if inList {
			// The selection follows the wheel, so the keyboard goes to the
			// list: a reply being typed never changes recipient underneath.
			if m.focus == paneCompose {
				m.setFocus(paneList)
			}
			m.list.move(delta)
			cmds := []tea.Cmd{m.saveDraft()}
			if m.list.wantsMore() {
				cmds = append(cmds, m.loadList(true))
			}
			return tea.Batch(append(cmds, m.syncThreadToList())...)
		}
		m.thread.scroll = max(0, m.thread.scroll-delta)
		if delta < 0 && m.thread.before != "" && !m.thread.loading && m.thread.atTop(m.styles, m.now) {
			return m.loadThread(true)
		}
		return nil
	}
	if msg.Action != tea.MouseActionPress || msg.Button != tea.MouseButtonLeft {
		return nil
	}
	if inList {
		row := (msg.Y - 1 - m.list.chrome()) / rowHeight
		if row >= 0 && m.list.offset+row < len(m.list.convs) {
			m.list.cursor = m.list.offset + row
			m.list.move(0)
			m.setFocus(paneList)
			return m.syncThreadToList()
		}
		return nil
	}
	if msg.Y >= m.height-2-m.composeOuterHeight() {
		m.setFocus(paneCompose)
	} else {
		m.setFocus(paneThread)
	}
	return nil
}
