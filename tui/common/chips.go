package common

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/tui/inert"
)

// Labels and assignees as the list rows and the thread header show them.
// Names come from other agents and from Meta's Page Inbox: inert.

// chipWidth is the most one label takes; a longer name is cut.
const chipWidth = 14

// Chip is a label: its name after a '#', so it reads without colour too,
// in the label's colour ("#rrggbb"; "" draws it dim).
func (c *Common) Chip(name, colour string) string {
	text := Truncate("#"+inert.Line(name), chipWidth)
	if colour == "" {
		return c.Styles.Dim.Render(text)
	}
	return c.Renderer.NewStyle().Foreground(lipgloss.Color(colour)).Render(text)
}

// Chips are a conversation's labels, colourOf giving each one's colour.
func (c *Common) Chips(names []string, colourOf func(name string) string) string {
	chips := make([]string, len(names))
	for i, n := range names {
		chips[i] = c.Chip(n, colourOf(n))
	}
	return strings.Join(chips, " ")
}

// AssigneeTag is who a conversation is assigned to, short: "@ana"; the
// session's own agent stands out. "" for nobody.
func (c *Common) AssigneeTag(agent string) string {
	if agent == "" {
		return ""
	}
	text := Truncate("@"+inert.Line(agent), 12)
	if agent == c.Agent.Name {
		return c.Styles.Cursor.Render(text)
	}
	return c.Styles.Dim.Render(text)
}
