package keymap

import "github.com/charmbracelet/bubbles/key"

// TriageKeys are the list's triage keys: assignment, snooze, labels, the
// team's filters, and `.`, which repeats the last of them on the current
// conversation and moves to the next. Each acts on the selection when
// there is one. In a picker, KeyMap's PickUp and PickDown move, and
// letters type.
type TriageKeys struct {
	Assign, AssignTo, Snooze, Label, Repeat key.Binding
	Mine, Unassigned, LabelFilter           key.Binding
	// PageSwitch narrows the list to one Page, or back to all (P).
	PageSwitch key.Binding
}

func defaultTriage() TriageKeys {
	return TriageKeys{
		Assign:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign to me/unassign")),
		AssignTo:    key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "assign to…")),
		Snooze:      key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "snooze")),
		Label:       key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "labels")),
		Repeat:      key.NewBinding(key.WithKeys("."), key.WithHelp(".", "repeat on next")),
		Mine:        key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "mine")),
		Unassigned:  key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "unassigned")),
		LabelFilter: key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "filter by label")),
		PageSwitch:  key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "switch Page")),
	}
}
