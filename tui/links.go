package tui

import (
	"context"
	"encoding/base64"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/tui/common"
)

// OSC52 is the escape that puts text on the clipboard of the terminal it
// is written to. text travels base64-encoded, so none of its bytes reach
// the terminal as they are.
func OSC52(text string) []byte {
	return []byte("\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x1b\\")
}

// openLink opens link (from common.SafeURL, so http or https) with the
// desktop opener where the TUI may start programs; elsewhere, over SSH,
// it shows the link for the agent to open on their own machine.
func (m *Model) openLink(link string) tea.Cmd {
	if link == "" {
		return nil
	}
	p := m.opts.Programs
	if p == nil {
		m.setNote("open on your machine: " + link)
		return nil
	}
	c := p.command(context.Background(), p.opener(), link)
	return func() tea.Msg {
		if err := c.Start(); err != nil {
			return common.ErrMsg{Op: "open " + p.opener(), Err: err}
		}
		go c.Wait() // reap it; the opener's fate is the desktop's
		return common.NoteMsg("opening " + link)
	}
}

// copyText puts text on the agent's clipboard through Options.Clipboard.
func (m *Model) copyText(text string) tea.Cmd {
	clip := m.opts.Clipboard
	if clip == nil {
		m.setNote("copying is off in this session")
		return nil
	}
	return func() tea.Msg {
		clip(text)
		return common.NoteMsg("copied to the clipboard (if your terminal allows OSC 52)")
	}
}
