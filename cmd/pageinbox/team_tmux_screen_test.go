package main

// Reading the team test's screens: the list's rows by name, where the
// cursor is, and the contact pane's fields.

import (
	"slices"
	"strings"
)

// leftText is the list pane's text.
func leftText(s screen) string {
	x := s.split()
	var b strings.Builder
	for _, l := range s.lines {
		if x > 0 && len(l) > x {
			l = l[:x]
		}
		b.WriteString(string(l))
		b.WriteByte('\n')
	}
	return b.String()
}

// rowLine is the list line that starts name's row, "" when none does.
func rowLine(s screen, name string) string {
	for _, l := range strings.Split(leftText(s), "\n") {
		in := strings.TrimLeft(l, rowEdge)
		if strings.HasPrefix(in, name) {
			return in
		}
	}
	return ""
}

func hasRows(s screen, names ...string) bool {
	for _, n := range names {
		if rowLine(s, n) == "" {
			return false
		}
	}
	return true
}

func hasAnyRow(s screen, names ...string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return rowLine(s, n) != "" })
}

// rowOrder is the rows of the known names on screen, top down.
func rowOrder(s screen, known []string) []string {
	type at struct {
		name string
		line int
	}
	var found []at
	lines := strings.Split(leftText(s), "\n")
	for _, n := range known {
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimLeft(l, rowEdge), n) {
				found = append(found, at{n, i})
				break
			}
		}
	}
	slices.SortFunc(found, func(a, b at) int { return a.line - b.line })
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.name
	}
	return out
}

func without(names []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == drop })
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// rowEdge is what comes before a row's name: the border and the cursor.
const rowEdge = " │┃║▌●"

// contactField is the value of a label: value line of the contact pane,
// "" when there is none.
func contactField(s screen, label string) string {
	x := s.split()
	if x < 0 {
		return ""
	}
	for _, l := range s.lines {
		if len(l) <= x {
			continue
		}
		in := strings.Trim(string(l[x:]), " "+vertical)
		if v, ok := strings.CutPrefix(in, label+" "); ok && strings.HasPrefix(v, strings.Repeat(" ", 11-len(label))) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
