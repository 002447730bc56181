package common

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Component is the contract of every pane and screen (soft-serve's
// common.Component, with Update in place). Components are pointers made
// with a *Common: Update changes the component where it is, so no copy of
// it can be lost, and returns the commands that do its I/O; View only
// draws what Update and SetSize stored; SetSize gives it the cells inside
// its border; ShortHelp is the keys it answers, for the help line.
type Component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	ShortHelp() []key.Binding
}
