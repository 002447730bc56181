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
func New(r *lipgloss.Renderer) Styles { return FromTheme(r, DefaultTheme()) }

// FromTheme returns the styles of theme t for renderer r, its colours
// converted once for r's colour profile rather than on every Render: set
// the profile (NO_COLOR, an SSH client's) before, as New in tui does.
func FromTheme(r *lipgloss.Renderer, t Theme) Styles {
	return build(r, t.ForProfile(r.ColorProfile()))
}

func build(r *lipgloss.Renderer, t Theme) Styles {
	border := lipgloss.RoundedBorder()
	return Styles{
		App:  r.NewStyle(),
		Pane: r.NewStyle().Border(border).BorderForeground(t.Border),
		// The focused pane's border is thick, so focus shows without colour too.
		PaneFocused: r.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(t.Focus),
		Title:       r.NewStyle().Bold(true).Foreground(t.Accent),
		Dim:         r.NewStyle().Foreground(t.Muted),
		Bold:        r.NewStyle().Bold(true),
		Selected:    r.NewStyle().Background(t.Selection),
		Cursor:      r.NewStyle().Foreground(t.Accent).Bold(true),
		Unread:      r.NewStyle().Foreground(t.OnAccent).Background(t.Badge).Bold(true),
		WindowOpen:  r.NewStyle().Foreground(t.Ok),
		WindowLow:   r.NewStyle().Foreground(t.Warn),
		WindowHuman: r.NewStyle().Foreground(t.Human),
		Closed:      r.NewStyle().Foreground(t.Error),
		Tab:         r.NewStyle().Foreground(t.Muted),
		TabActive:   r.NewStyle().Bold(true).Foreground(t.Accent),
		Inbound:     r.NewStyle().Foreground(t.Inbound),
		Outbound:    r.NewStyle().Foreground(t.Outbound),
		Day:         r.NewStyle().Foreground(t.Muted).Italic(true),
		Failed:      r.NewStyle().Foreground(t.Error),
		Ok:          r.NewStyle().Foreground(t.Ok),
		Status:      r.NewStyle().Foreground(t.Status).Background(t.Selection),
		StatusErr:   r.NewStyle().Foreground(t.OnAccent).Background(t.ErrorBar),
		Help:        r.NewStyle().Foreground(t.Muted),
		Note:        r.NewStyle().Foreground(t.Note),
		Mention:     r.NewStyle().Foreground(t.MentionText).Background(t.Warn).Bold(true),
	}
}
