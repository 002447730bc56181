package tui

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
// inert.String or inert.Line, field by field, where the view formats it:
// displayName, oneLine and the views' own calls. Sanitising each field on
// its own keeps an unterminated sequence in one from swallowing the next,
// and keeps widths right. View passes the whole frame through
// inert.Styled as well, a backstop that lets only colours through.

// relTime is a short age: 45s, 12m, 3h, yesterday, Mon, 12 Oct.
func relTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
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
		return t.Local().Format("Mon")
	}
	return t.Local().Format("2 Jan")
}

// windowBadge is the window of a conversation in a few cells, coloured,
// with words that stand without colour.
func windowBadge(s *Styles, lastInbound, now time.Time) string {
	w := store.WindowAt(lastInbound, now)
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

// truncate cuts s to width cells, with an ellipsis.
func truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// oneLine makes outside text inert and flattens its whitespace, so a
// preview never breaks a row.
func oneLine(s string) string { return strings.Join(strings.Fields(inert.Line(s)), " ") }

// padRight fills s with spaces to width cells.
func padRight(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// spread puts left and right on one line of width cells.
func spread(left, right string, width int) string {
	lw, rw := lipgloss.Width(left), lipgloss.Width(right)
	if lw+rw+1 > width {
		left = truncate(left, max(0, width-rw-1))
		lw = lipgloss.Width(left)
	}
	gap := max(1, width-lw-rw)
	return left + strings.Repeat(" ", gap) + right
}

// displayName is the customer's name from Graph, else their PSID, inert.
func displayName(c store.Conversation) string {
	if c.Name != "" {
		return inert.Line(c.Name)
	}
	return inert.Line(c.PSID)
}
