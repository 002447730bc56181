package store

import (
	"encoding/json"
	"slices"
	"strings"
)

// LabelSet is a conversation's label names, sorted and without repeats.
// It is a string (the names joined by NUL, which no name holds) so that
// Conversation stays comparable; on the wire it is a JSON array.
type LabelSet string

// Labels makes a set of names.
func Labels(names ...string) LabelSet {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	names = slices.DeleteFunc(names, func(n string) bool { return n == "" })
	return LabelSet(strings.Join(names, "\x00"))
}

// Names lists the labels, sorted.
func (l LabelSet) Names() []string {
	if l == "" {
		return nil
	}
	return strings.Split(string(l), "\x00")
}

// Has reports whether name is in the set.
func (l LabelSet) Has(name string) bool { return slices.Contains(l.Names(), name) }

func (l LabelSet) MarshalJSON() ([]byte, error) {
	names := l.Names()
	if names == nil {
		names = []string{}
	}
	return json.Marshal(names)
}

func (l *LabelSet) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return err
	}
	*l = Labels(names...)
	return nil
}
