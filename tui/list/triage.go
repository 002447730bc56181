package list

import (
	"fmt"
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/picker"
	"github.com/pageinbox/pageinbox/tui/triage"
)

// Triage from the list: each key acts on the selection when there is one,
// else on the conversation under the cursor; `.` repeats the last action
// on the current one and moves on. The backend's answers come back as
// triage.ResultMsg and update the rows at once (the feed confirms).

// triageKey handles the triage and team-filter keys; ok is false for the
// others.
func (m *Model) triageKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := m.common.Keys
	switch {
	case key.Matches(msg, k.Assign):
		return m.assignMe(), true
	case key.Matches(msg, k.AssignTo):
		return m.openAgents(), true
	case key.Matches(msg, k.Snooze):
		return m.openSnooze(), true
	case key.Matches(msg, k.Label):
		return m.openLabels(), true
	case key.Matches(msg, k.Repeat):
		return m.repeat(), true
	case key.Matches(msg, k.Mine):
		return m.setScope(Scope{Kind: Mine}), true
	case key.Matches(msg, k.Unassigned):
		return m.setScope(Scope{Kind: Unassigned}), true
	case key.Matches(msg, k.LabelFilter):
		return m.openLabelFilter(), true
	case key.Matches(msg, k.PageSwitch):
		return m.openPages(), true
	}
	return nil, false
}

// targets are what a triage key acts on: the selection, else the current
// conversation.
func (m *Model) targets() []store.ConvKey {
	if len(m.marked) > 0 {
		return m.Marked()
	}
	if c, ok := m.Current(); ok {
		return []store.ConvKey{c.ConvKey}
	}
	return nil
}

// every reports whether each target that is loaded satisfies f (and at
// least one is): the toggles turn off only what is on everywhere.
func (m *Model) every(keys []store.ConvKey, f func(store.Conversation) bool) bool {
	seen := false
	for _, k := range keys {
		if i, ok := m.index[k]; ok {
			if !f(m.convs[i]) {
				return false
			}
			seen = true
		}
	}
	return seen
}

// run applies a to keys and remembers it for `.`.
func (m *Model) run(a triage.Action, keys []store.ConvKey) tea.Cmd {
	if len(keys) == 0 {
		return nil
	}
	m.last = a
	return triage.Run(m.common.Ctx, m.be, a, keys, m.common.Clock, m.common.TZ)
}

// assignMe assigns the targets to this agent, or unassigns them when
// they are all this agent's already.
func (m *Model) assignMe() tea.Cmd {
	me := m.common.Agent.Name
	if me == "" {
		return common.ErrorCmd("assign", common.Error("this session has no agent name; A assigns by name"))
	}
	keys := m.targets()
	a := triage.Action{Kind: triage.Assign, Agent: me}
	if m.every(keys, func(c store.Conversation) bool { return c.Assignee == me }) {
		a.Agent = ""
	}
	return m.run(a, keys)
}

// toggleDone marks the targets done, or open again when all are done.
func (m *Model) toggleDone() tea.Cmd {
	keys := m.targets()
	a := triage.Action{Kind: triage.State, State: store.ConvDone}
	if m.every(keys, func(c store.Conversation) bool { return c.Status == store.ConvDone }) {
		a.State = store.ConvOpen
	}
	if len(m.marked) > 0 {
		return m.run(a, keys)
	}
	if len(keys) == 0 {
		return nil
	}
	m.last = a
	be, ctx, k := m.be, m.common.Ctx, keys[0]
	return func() tea.Msg {
		if err := be.SetStatus(ctx, k, a.State); err != nil {
			return common.ErrMsg{Op: "mark done", Err: err}
		}
		return nil
	}
}

// repeat does the last action again on the current conversation, and
// moves to the next one.
func (m *Model) repeat() tea.Cmd {
	if m.last.Kind == 0 {
		return common.ErrorCmd("repeat", common.Error("nothing to repeat yet: assign, label, snooze or mark done first"))
	}
	c, ok := m.Current()
	if !ok {
		return nil
	}
	return tea.Batch(m.run(m.last, []store.ConvKey{c.ConvKey}), m.Move(1))
}

// triaged takes an action's answer: the rows change now, and the status
// bar says what happened.
func (m *Model) triaged(msg triage.ResultMsg) tea.Cmd {
	if len(msg.Updated) > 0 {
		m.ApplyUpdates(msg.Updated)
	}
	if msg.Failed > 0 {
		err := fmt.Errorf("%d of %d failed: %w", msg.Failed, msg.Failed+len(msg.Updated), msg.Err)
		return tea.Batch(common.ErrorCmd(msg.Action.String(), err), m.LoadLabels())
	}
	note := msg.Action.String()
	if n := len(msg.Updated); n > 1 {
		note += fmt.Sprintf(": %d conversations", n)
	}
	return tea.Batch(common.NoteCmd(note), m.LoadLabels())
}

// open shows p; pick is what choosing an item does.
func (m *Model) open(p *picker.Model, pick func(picker.Item) tea.Cmd) tea.Cmd {
	p.SetSize(m.width, m.height-1)
	m.picker, m.pick = p, pick
	return p.SetCursorMode(m.cursorMode)
}

// pickerKey hands a key to the open picker.
func (m *Model) pickerKey(msg tea.KeyMsg) tea.Cmd {
	out, cmd := m.picker.Update(msg)
	switch out {
	case picker.Cancelled:
		m.picker, m.pick = nil, nil
	case picker.Picked:
		it, _ := m.picker.Current()
		pick := m.pick
		m.picker, m.pick = nil, nil
		return tea.Batch(cmd, pick(it))
	}
	return cmd
}

// Picker is the open picker, nil when none is.
func (m *Model) Picker() *picker.Model { return m.picker }

// SeeAgents notes the agents present in a conversation, for the agent
// picker: the TUI learns the team from who it sees.
func (m *Model) SeeAgents(p store.Presence) {
	for _, a := range p.Agents {
		if a.Name != "" {
			m.agents[a.Name] = true
		}
	}
}

// knownAgents are the inbox's named agents and those this session has seen,
// sorted, without this agent.
func (m *Model) knownAgents(named []string) []string {
	set := map[string]bool{}
	for _, n := range named {
		set[n] = true
	}
	for n := range m.agents {
		set[n] = true
	}
	for _, c := range m.convs {
		if c.Assignee != "" {
			set[c.Assignee] = true
		}
	}
	delete(set, m.common.Agent.Name)
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
