package common

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Text from outside (customers' messages and names, Meta's titles, URLs
// and error messages, other agents' names) reaches a pane only through
// inert.String or inert.Line, field by field, where the pane formats it:
// DisplayName, OneLine and the panes' own calls. Sanitising each field on
// its own keeps an unterminated sequence in one from swallowing the next,
// and keeps widths right. The root's View passes the whole frame through
// inert.Styled as well, a backstop that lets only colours through.

// RelTime is a short age at the frame's time: 45s, 12m, 3h, yesterday,
// Mon, 12 Oct (weekdays and dates in the agent's zone).
func (c *Common) RelTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := c.now.Sub(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 48*time.Hour:
		return "yesterday"
	case d < 7*24*time.Hour:
		return c.Local(t).Format("Mon")
	}
	return c.Local(t).Format("2 Jan")
}

// WindowBadge is the window of a conversation in a few cells, coloured,
// with words that stand without colour.
func (c *Common) WindowBadge(lastInbound time.Time) string {
	s := c.Styles
	w := store.WindowAt(lastInbound, c.now)
	switch w.State {
	case store.WindowOpen:
		st := s.WindowOpen
		if w.Left < 2*time.Hour {
			st = s.WindowLow
		}
		return st.Render(store.FormatLeft(w.Left))
	case store.WindowHumanAgent:
		return s.WindowHuman.Render("HA " + store.FormatLeft(w.Left))
	}
	return s.Closed.Render("closed")
}

// Centre puts s in the middle of width cells.
func (c *Common) Centre(s string, width int) string {
	return c.Renderer.PlaceHorizontal(width, lipgloss.Center, s)
}

// AlignRight puts s at the right of width cells.
func (c *Common) AlignRight(s string, width int) string {
	return c.Renderer.PlaceHorizontal(width, lipgloss.Right, s)
}

// Box frames content in exactly w×h cells inside a border; the focused
// pane's border is the thick one.
func (c *Common) Box(content string, w, h int, focused bool) string {
	st := c.Styles.Pane
	if focused {
		st = c.Styles.PaneFocused
	}
	h, w = max(0, h), max(0, w)
	lines := strings.Split(content, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = PadRight(Truncate(l, w), w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return st.Render(strings.Join(lines, "\n"))
}

// Truncate cuts s to width cells, with an ellipsis.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// Wrap breaks s into lines of at most width cells, long words too.
func Wrap(s string, width int) []string {
	if s == "" {
		return nil
	}
	return strings.Split(ansi.Wrap(s, max(1, width), ""), "\n")
}

// OneLine makes outside text inert and flattens its whitespace, so a
// preview never breaks a row.
func OneLine(s string) string { return strings.Join(strings.Fields(inert.Line(s)), " ") }

// PadRight fills s with spaces to width cells.
func PadRight(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// Spread puts left and right on one line of width cells.
func Spread(left, right string, width int) string {
	lw, rw := lipgloss.Width(left), lipgloss.Width(right)
	if lw+rw+1 > width {
		left = Truncate(left, max(0, width-rw-1))
		lw = lipgloss.Width(left)
	}
	gap := max(1, width-lw-rw)
	return left + strings.Repeat(" ", gap) + right
}

// DisplayName is the customer's name from Graph, else their PSID, inert.
func DisplayName(c store.Conversation) string {
	if c.Name != "" {
		return inert.Line(c.Name)
	}
	return inert.Line(c.PSID)
}
