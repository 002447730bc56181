package common

import (
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
)

// Input is a one-line input in the app's styles: the prompt in prompt's
// style, the placeholder dim, the text and its cursor plain.
func (c *Common) Input(prompt, placeholder string, promptStyle lipgloss.Style) textinput.Model {
	st := c.Styles
	in := textinput.New()
	in.Prompt, in.Placeholder = prompt, placeholder
	in.PromptStyle, in.TextStyle, in.PlaceholderStyle, in.Cursor.Style = promptStyle, st.App, st.Dim, st.App
	return in
}
