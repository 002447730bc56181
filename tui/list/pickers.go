package list

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/tui/picker"
	"github.com/pageinbox/pageinbox/tui/triage"
)

// The pickers the triage keys open: who to assign, until when to snooze,
// which label to put on or take off, which label to filter by.

// agentsMsg answers openAgents: the names the inbox lets it assign to.
type agentsMsg struct {
	names []string
	err   error
}

// openAgents asks the inbox for the agents, then picks one.
func (m *Model) openAgents() tea.Cmd {
	if len(m.targets()) == 0 {
		return nil
	}
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		names, err := be.Agents(ctx)
		return agentsMsg{names, err}
	}
}

// gotAgents picks an agent: this one, the inbox's agents and those seen,
// nobody, or a typed name.
func (m *Model) gotAgents(msg agentsMsg) tea.Cmd {
	keys := m.targets()
	if len(keys) == 0 {
		return nil
	}
	if msg.err != nil {
		return common.ErrorCmd("agents", msg.err)
	}
	s, me := m.common.Styles, m.common.Agent.Name
	var items []picker.Item
	if me != "" {
		items = append(items, picker.Item{Title: me, Value: me, View: inert.Line(me) + s.Dim.Render(" (me)")})
	}
	for _, n := range m.knownAgents(msg.names) {
		items = append(items, picker.Item{Title: n, Value: n, View: inert.Line(n)})
	}
	items = append(items, picker.Item{Title: "nobody", View: s.Dim.Render("nobody (unassign)")})
	typed := func(text string) (picker.Item, bool) {
		return picker.Item{Title: text, Value: text, View: "assign to “" + inert.Line(text) + "”"}, true
	}
	p := picker.New(m.common, m.title("Assign", keys), "agent's name", items, typed)
	return m.open(p, func(it picker.Item) tea.Cmd {
		return m.run(triage.Action{Kind: triage.Assign, Agent: it.Value}, keys)
	})
}

// openSnooze picks when the targets wake: a preset, or a typed time, read
// in the agent's zone and shown before it is taken.
func (m *Model) openSnooze() tea.Cmd {
	keys := m.targets()
	if len(keys) == 0 {
		return nil
	}
	s, now, tz := m.common.Styles, m.common.Now(), m.common.TZ
	when := func(spec string) (string, error) {
		t, err := triage.ParseSnooze(spec, now, tz)
		if err != nil {
			return "", err
		}
		return t.In(tz).Format("Mon 2 Jan 15:04"), nil
	}
	var items []picker.Item
	for _, p := range triage.Presets {
		at, _ := when(p.Spec)
		items = append(items, picker.Item{Title: p.Label, Value: p.Spec, View: p.Label + s.Dim.Render("  "+at)})
	}
	typed := func(text string) (picker.Item, bool) {
		at, err := when(text)
		if err != nil {
			return picker.Item{Title: text, View: inert.Line(text), Invalid: err.Error()}, true
		}
		return picker.Item{Title: text, Value: text, View: "until " + at}, true
	}
	p := picker.New(m.common, m.title("Snooze", keys), "2d, fri 14:00, 2026-12-24 09:00", items, typed)
	return m.open(p, func(it picker.Item) tea.Cmd {
		return m.run(triage.Action{Kind: triage.Snooze, Spec: it.Value}, keys)
	})
}

// openLabels asks for the Page's labels, then picks one to put on the
// targets, or take off when they all have it; a typed name makes a label.
func (m *Model) openLabels() tea.Cmd {
	keys := m.targets()
	c, ok := m.Current()
	if len(keys) == 0 || !ok {
		return nil
	}
	return m.askLabels(c.PageID, func(m *Model, labels []store.Label) tea.Cmd {
		var items []picker.Item
		for _, l := range sortedLabels(labels) {
			on := m.every(keys, func(c store.Conversation) bool { return c.Labels.Has(l.Name) })
			items = append(items, picker.Item{Title: l.Name, Value: l.Name, Mark: on, View: m.common.Chip(l.Name, l.Color)})
		}
		typed := func(text string) (picker.Item, bool) {
			return picker.Item{Title: text, Value: text, View: "+ new label " + m.common.Chip(text, "")}, true
		}
		p := picker.New(m.common, m.title("Labels", keys), "type to filter or make one", items, typed)
		return m.open(p, func(it picker.Item) tea.Cmd {
			return m.run(triage.Action{Kind: triage.Label, Label: it.Value, Remove: it.Mark}, keys)
		})
	})
}

// openLabelFilter picks a label to narrow the list to.
func (m *Model) openLabelFilter() tea.Cmd {
	if m.scope.Kind == Labelled {
		return m.setScope(m.scope) // L again: everyone's
	}
	page := m.scopePage()
	if page == "" {
		return common.ErrorCmd("filter by label", common.Error("no conversation to take the Page's labels from"))
	}
	return m.askLabels(page, func(m *Model, labels []store.Label) tea.Cmd {
		var items []picker.Item
		for _, l := range sortedLabels(labels) {
			items = append(items, picker.Item{Title: l.Name, Value: l.Name, View: m.common.Chip(l.Name, l.Color)})
		}
		p := picker.New(m.common, "Show conversations labelled", "type to filter", items, nil)
		return m.open(p, func(it picker.Item) tea.Cmd { return m.setScope(Scope{Kind: Labelled, Label: it.Value}) })
	})
}

// title says what a picker acts on.
func (m *Model) title(what string, keys []store.ConvKey) string {
	if len(keys) > 1 {
		return fmt.Sprintf("%s %d selected", what, len(keys))
	}
	if i, ok := m.index[keys[0]]; ok {
		return what + " " + common.DisplayName(m.convs[i])
	}
	return what
}

func sortedLabels(ls []store.Label) []store.Label {
	ls = slices.Clone(ls)
	slices.SortFunc(ls, func(a, b store.Label) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return ls
}
