package styles

import "github.com/charmbracelet/lipgloss"

// Theme is the colours the styles are made of. Each is adaptive: the
// renderer picks Light or Dark from the terminal's background.
type Theme struct {
	Accent, Focus, Border, Muted, Selection lipgloss.AdaptiveColor
	Badge, OnAccent                         lipgloss.AdaptiveColor
	Ok, Warn, Error, ErrorBar, Human        lipgloss.AdaptiveColor
	Inbound, Outbound, Status, Note         lipgloss.AdaptiveColor
	MentionText                             lipgloss.AdaptiveColor
}

// DefaultTheme is the built-in colours: ANSI 256 numbers.
func DefaultTheme() Theme {
	c := func(light, dark string) lipgloss.AdaptiveColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	return Theme{
		Accent: c("63", "111"), Focus: c("63", "69"), Border: c("250", "238"),
		Muted: c("245", "243"), Selection: c("254", "236"),
		Badge: c("63", "63"), OnAccent: c("231", "231"),
		Ok: c("28", "78"), Warn: c("130", "214"), Error: c("160", "203"), ErrorBar: c("160", "124"),
		Human:   c("92", "177"),
		Inbound: c("235", "252"), Outbound: c("24", "153"), Status: c("238", "250"), Note: c("94", "222"),
		MentionText: c("231", "16"),
	}
}

// ThemeColour is one colour of a theme by the name a config file gives it.
type ThemeColour struct {
	Name, Doc string
	Colour    *lipgloss.AdaptiveColor
}

// Colours lists t's colours by name, in a stable order.
func (t *Theme) Colours() []ThemeColour {
	return []ThemeColour{
		{"accent", "titles, the cursor, the active filter", &t.Accent},
		{"focus", "the focused pane's border", &t.Focus},
		{"border", "the other panes' borders", &t.Border},
		{"muted", "dim text, help, day separators", &t.Muted},
		{"selection", "the selected row, the status bar", &t.Selection},
		{"badge", "the unread count's background", &t.Badge},
		{"on_accent", "text on the badge and on the error bar", &t.OnAccent},
		{"ok", "sent, window open", &t.Ok},
		{"warn", "window closing soon, @mentions", &t.Warn},
		{"error", "failed sends, closed windows", &t.Error},
		{"error_bar", "the status bar's background for an error", &t.ErrorBar},
		{"human", "the HUMAN_AGENT window", &t.Human},
		{"inbound", "customers' messages", &t.Inbound},
		{"outbound", "the Page's messages", &t.Outbound},
		{"status", "the status bar's text", &t.Status},
		{"note", "private notes", &t.Note},
		{"mention", "an @mention's text", &t.MentionText},
	}
}
