// Package statusbar is the line under the panes: how pageinbox is
// connected and sending, and for a while the last error or news.
package statusbar

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Backend is what the status bar asks of the inbox.
type Backend interface {
	Status(ctx context.Context) (store.SystemStatus, error)
}

// StatusMsg is the system's status, as the backend reports it.
type StatusMsg store.SystemStatus

// shownFor is how long an error or a note stays.
const shownFor = 8 * time.Second

// Model is the status bar.
type Model struct {
	common   *common.Common
	be       Backend
	status   store.SystemStatus
	errText  string
	noteText string
	shownAt  time.Time // when the error or note came
	selected int       // conversations chosen for a campaign
	width    int
}

// New returns the status bar of a session.
func New(c *common.Common, be Backend) *Model { return &Model{common: c, be: be, width: c.Width} }

// Load asks for the system's status.
func (m *Model) Load() tea.Cmd {
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		st, err := be.Status(ctx)
		if err != nil {
			return common.ErrMsg{Op: "status", Err: err}
		}
		return StatusMsg(st)
	}
}

// Update takes the status, errors, news, and the clock: each tick asks
// for the status again and clears what has been shown long enough.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case StatusMsg:
		if m.status.Sending != "" && msg.Sending == "" && msg.Connected {
			m.note("sending works again: held replies are going out")
		}
		m.status = store.SystemStatus(msg)
	case common.ErrMsg:
		m.fail(msg.Op, msg.Err)
	case common.NoteMsg:
		m.note(string(msg))
	case common.TickMsg:
		if !m.shownAt.IsZero() && m.common.Now().Sub(m.shownAt) > shownFor {
			m.errText, m.noteText, m.shownAt = "", "", time.Time{}
		}
		return m.Load()
	}
	return nil
}

func (m *Model) note(text string) {
	m.noteText, m.shownAt = text, m.common.Now()
}

func (m *Model) fail(op string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	m.errText, m.shownAt = op+": "+err.Error(), m.common.Now()
	m.common.Logger.Warn("tui: "+op, "err", err)
}

// Status is the system's status as last reported.
func (m *Model) Status() store.SystemStatus { return m.status }

// Err is the error shown, "" if none.
func (m *Model) Err() string { return m.errText }

// Note is the news shown, "" if none.
func (m *Model) Note() string { return m.noteText }

// SetSelected says how many conversations are chosen for a campaign.
func (m *Model) SetSelected(n int) { m.selected = n }

// SetSize: the bar is one line of the terminal's width.
func (m *Model) SetSize(w, _ int) { m.width = w }

// ShortHelp: the bar answers no keys.
func (m *Model) ShortHelp() []key.Binding { return nil }

// View is the bar. The Page's name comes from Graph and the reasons from
// Meta's answers or a daemon: all made inert here.
func (m *Model) View() string {
	s, st, w := m.status, m.common.Styles, m.width
	s.Mode, s.Webhook, s.PageName, s.Sending = inert.Line(s.Mode), inert.Line(s.Webhook), inert.Line(s.PageName), inert.Line(s.Sending)
	s.TokenWarning = inert.Line(s.TokenWarning)
	bar := func(style func(...string) string, text string) string {
		return style(common.PadRight(common.Truncate(text, w), w))
	}
	switch {
	case m.errText != "":
		return bar(st.StatusErr.Render, "✗ "+inert.Line(m.errText))
	case m.noteText != "":
		return bar(st.Status.Render, "● "+inert.Line(m.noteText))
	case s.Sending != "":
		held := ""
		if s.Queued > 0 {
			held = fmt.Sprintf("%d held until it works · ", s.Queued)
		}
		return bar(st.StatusErr.Render, "✗ "+held+s.Sending)
	}
	return bar(st.Status.Render, common.Spread(m.left(s), strings.TrimPrefix(m.right(s), " · "), w))
}

// left is how pageinbox is connected and what came in.
func (m *Model) left(s store.SystemStatus) string {
	left := "● " + s.Mode
	if s.Mode == "" {
		left = "● local"
	}
	if !s.Connected && strings.HasPrefix(s.Mode, "attached") {
		left = "○ reconnecting to " + strings.TrimPrefix(s.Mode, "attached to ")
	}
	if s.Webhook != "" {
		left += " · webhook " + s.Webhook
	}
	left += fmt.Sprintf(" · %d events", s.Events)
	if !s.LastEvent.IsZero() {
		left += " · last " + m.common.RelTime(s.LastEvent) + " ago"
	}
	return left
}

// right is the Page, whether sending works, and what waits.
func (m *Model) right(s store.SystemStatus) string {
	right := s.PageName
	if name := m.common.Pages.CurrentName(); name != "" { // several Pages, or one chosen (P)
		right = inert.Line(name)
	}
	switch {
	case s.Sending != "":
		right += " · sending paused"
	case s.TokenWarning != "":
		right += " · " + s.TokenWarning
	case s.TokenOK:
		right += " · token ok"
	}
	if s.Queued > 0 {
		right += fmt.Sprintf(" · %d queued", s.Queued)
	}
	if s.UnconnectedPages != "" {
		right += " · ! webhooks of a Page not connected (doctor)"
	}
	if m.selected > 0 {
		right = fmt.Sprintf("%d selected · ", m.selected) + right
	}
	return right
}
