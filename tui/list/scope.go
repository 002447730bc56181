package list

import (
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// Scope narrows the filter tabs to the team's view: the agent's own
// conversations, nobody's, or those with a label. It shows on the
// search line, so the tabs line stays as it is; its key again, or esc,
// widens it back to everyone's.
type Scope struct {
	Kind  ScopeKind
	Label string // ScopeLabel
}

type ScopeKind int

const (
	Everyone ScopeKind = iota
	Mine
	Unassigned
	Labelled
)

// Scope is the list's team scope.
func (m *Model) Scope() Scope { return m.scope }

// listQuery is the list's question to the backend, without paging.
func (m *Model) listQuery() store.ListQuery {
	q := store.ListQuery{Filter: m.filter, Search: m.query, PageID: m.common.Pages.Current}
	switch m.scope.Kind {
	case Mine:
		q.Assignee = m.common.Agent.Name
	case Unassigned:
		q.Unassigned = true
	case Labelled:
		q.Label = m.scope.Label
	}
	return q
}

// inScope reports whether c belongs in the list's scope.
func (m *Model) inScope(c store.Conversation) bool {
	if p := m.common.Pages.Current; p != "" && c.PageID != p {
		return false
	}
	switch m.scope.Kind {
	case Mine:
		return c.Assignee == m.common.Agent.Name
	case Unassigned:
		return c.Assignee == ""
	case Labelled:
		return c.Labels.Has(m.scope.Label)
	}
	return true
}

// setScope narrows the list, or widens it back with the same scope again.
func (m *Model) setScope(s Scope) tea.Cmd {
	if s.Kind == Mine && m.common.Agent.Name == "" {
		return common.ErrorCmd("mine", common.Error("this session has no agent name"))
	}
	if m.scope == s {
		s = Scope{}
	}
	m.scope = s
	return m.restart()
}

// scopeView is the scope as the search line shows it; "" for everyone's.
func (m *Model) scopeView() string {
	s := m.common.Styles
	switch m.scope.Kind {
	case Mine:
		return s.TabActive.Render("[Mine]")
	case Unassigned:
		return s.TabActive.Render("[Unassigned]")
	case Labelled:
		return s.TabActive.Render("[") + m.common.Chip(m.scope.Label, m.labelColour(m.scopePage(), m.scope.Label)) + s.TabActive.Render("]")
	}
	return ""
}

// scopePage is the Page whose labels the label filter offers: the chosen
// Page's, else the first loaded row's.
func (m *Model) scopePage() string {
	if p := m.common.Pages.Current; p != "" {
		return p
	}
	if len(m.convs) > 0 {
		return m.convs[0].PageID
	}
	return ""
}

// Label colours, by Page: asked for once per Page, and again when a row
// carries a name not known yet (a label made since).
type labelsMsg struct {
	page   string
	labels []store.Label
	err    error
	then   func(m *Model, labels []store.Label) tea.Cmd // what asked for them
}

func colourKey(page, name string) string { return page + "\x00" + name }

// LabelColour is a label's colour ("" while not known), for the thread
// header's chips.
func (m *Model) LabelColour(page, name string) string { return m.labelColour(page, name) }

func (m *Model) labelColour(page, name string) string {
	if col, ok := m.colours[colourKey(page, name)]; ok {
		return col
	}
	for k, col := range m.colours { // a scope's label on a list of another Page
		if len(k) > len(name) && k[len(k)-len(name)-1:] == "\x00"+name {
			return col
		}
	}
	return ""
}

// LoadLabels asks for the labels of the Pages whose rows show a label of
// unknown colour, each name once.
func (m *Model) LoadLabels() tea.Cmd {
	var pages []string
	for _, c := range m.convs {
		for _, n := range c.Labels.Names() {
			k := colourKey(c.PageID, n)
			if _, known := m.colours[k]; known || m.askedColour[k] {
				continue
			}
			m.askedColour[k] = true
			if !slices.Contains(pages, c.PageID) {
				pages = append(pages, c.PageID)
			}
		}
	}
	cmds := make([]tea.Cmd, len(pages))
	for i, p := range pages {
		cmds[i] = m.askLabels(p, nil)
	}
	return tea.Batch(cmds...)
}

func (m *Model) askLabels(page string, then func(*Model, []store.Label) tea.Cmd) tea.Cmd {
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		ls, err := be.Labels(ctx, page)
		return labelsMsg{page: page, labels: ls, err: err, then: then}
	}
}

func (m *Model) gotLabels(msg labelsMsg) tea.Cmd {
	if msg.err != nil {
		return common.ErrorCmd("labels", msg.err)
	}
	for _, l := range msg.labels {
		// Converted for the session's profile once, not on every row drawn.
		m.colours[colourKey(msg.page, l.Name)] = styles.Convert(m.common.Renderer.ColorProfile(), l.Color)
	}
	if msg.then != nil {
		return msg.then(m, msg.labels)
	}
	return nil
}
