// Package styles is the TUI's theme. Every style is made by the session's
// renderer, never lipgloss's global one: over SSH each client has its own
// colour profile, and a style from the global renderer would draw with the
// server's.
package styles

import "github.com/charmbracelet/lipgloss"

// Styles are built from the session's renderer. Colours are adaptive, and every state also has a
// word or a symbol, so NO_COLOR and monochrome terminals stay readable.
type Styles struct {
	App                   lipgloss.Style
	Pane, PaneFocused     lipgloss.Style
	Title, Dim, Bold      lipgloss.Style
	Selected, Cursor      lipgloss.Style
	Unread                lipgloss.Style
	WindowOpen, WindowLow lipgloss.Style
	WindowHuman, Closed   lipgloss.Style
	Tab, TabActive        lipgloss.Style
	Inbound, Outbound     lipgloss.Style
	Day                   lipgloss.Style
	Failed, Ok            lipgloss.Style
	Status, StatusErr     lipgloss.Style
	Help                  lipgloss.Style
	// Note is a private note in a thread, apart from both directions;
	// Mention is this agent's @name in one.
	Note, Mention lipgloss.Style
}

// New returns the default theme for renderer r.
func New(r *lipgloss.Renderer) Styles {
	c := func(light, dark string) lipgloss.AdaptiveColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	border := lipgloss.RoundedBorder()
	return Styles{
		App:  r.NewStyle(),
		Pane: r.NewStyle().Border(border).BorderForeground(c("250", "238")),
		// The focused pane's border is thick, so focus shows without colour too.
		PaneFocused: r.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(c("63", "69")),
		Title:       r.NewStyle().Bold(true).Foreground(c("63", "111")),
		Dim:         r.NewStyle().Foreground(c("245", "243")),
		Bold:        r.NewStyle().Bold(true),
		Selected:    r.NewStyle().Background(c("254", "236")),
		Cursor:      r.NewStyle().Foreground(c("63", "111")).Bold(true),
		Unread:      r.NewStyle().Foreground(c("231", "231")).Background(c("63", "63")).Bold(true),
		WindowOpen:  r.NewStyle().Foreground(c("28", "78")),
		WindowLow:   r.NewStyle().Foreground(c("130", "214")),
		WindowHuman: r.NewStyle().Foreground(c("92", "177")),
		Closed:      r.NewStyle().Foreground(c("160", "203")),
		Tab:         r.NewStyle().Foreground(c("245", "243")),
		TabActive:   r.NewStyle().Bold(true).Foreground(c("63", "111")),
		Inbound:     r.NewStyle().Foreground(c("235", "252")),
		Outbound:    r.NewStyle().Foreground(c("24", "153")),
		Day:         r.NewStyle().Foreground(c("245", "243")).Italic(true),
		Failed:      r.NewStyle().Foreground(c("160", "203")),
		Ok:          r.NewStyle().Foreground(c("28", "78")),
		Status:      r.NewStyle().Foreground(c("238", "250")).Background(c("254", "236")),
		StatusErr:   r.NewStyle().Foreground(c("231", "231")).Background(c("160", "124")),
		Help:        r.NewStyle().Foreground(c("245", "243")),
		Note:        r.NewStyle().Foreground(c("94", "222")),
		Mention:     r.NewStyle().Foreground(c("231", "16")).Background(c("130", "214")).Bold(true),
	}
}
