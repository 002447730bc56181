package common

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Messages every pane may send. The root hands them to the status bar.
type (
	// ErrMsg is a failure to show in the status bar: what was being done,
	// and why it failed.
	ErrMsg struct {
		Op  string
		Err error
	}
	// NoteMsg is news that is not an error, shown in the status bar for a
	// while.
	NoteMsg string
	// TickMsg is the clock's second; the root sets the frame's time
	// before any pane sees it.
	TickMsg time.Time
)

// ErrorCmd reports a failure of op.
func ErrorCmd(op string, err error) tea.Cmd {
	return func() tea.Msg { return ErrMsg{Op: op, Err: err} }
}

// NoteCmd reports news.
func NoteCmd(text string) tea.Cmd {
	return func() tea.Msg { return NoteMsg(text) }
}

// Error is an error that is only its text: why a key did nothing.
type Error string

func (e Error) Error() string { return string(e) }
