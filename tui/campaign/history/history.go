// Package history is the list of campaigns, newest first, with their
// counts; enter opens one.
package history

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Backend is what the history asks of the inbox.
type Backend interface {
	Campaigns(ctx context.Context) ([]store.Campaign, error)
}

type loadedMsg []store.Campaign

// Model is the campaign history.
type Model struct {
	common *common.Common
	be     Backend
	list   []store.Campaign
	cursor int
	loaded bool
	width  int
	height int
}

// New returns an empty history.
func New(c *common.Common, be Backend) *Model { return &Model{common: c, be: be} }

// Load asks for the campaigns: the chosen Page's (P), or every Page's.
func (m *Model) Load() tea.Cmd {
	be, ctx, page := m.be, m.common.Ctx, m.common.Pages.Current
	return func() tea.Msg {
		list, err := be.Campaigns(ctx)
		if err != nil {
			return common.ErrMsg{Op: "campaigns", Err: err}
		}
		if page != "" {
			list = slices.DeleteFunc(list, func(c store.Campaign) bool { return c.PageID != page })
		}
		return loadedMsg(list)
	}
}

// Close forgets that the history was open: leaving a campaign then goes
// back to the inbox.
func (m *Model) Close() { m.loaded = false }

// Loaded: the history is open and its campaigns came.
func (m *Model) Loaded() bool { return m.loaded }

// Campaigns are the campaigns listed.
func (m *Model) Campaigns() []store.Campaign { return m.list }

// Selected is the campaign under the cursor.
func (m *Model) Selected() (store.Campaign, bool) {
	if m.cursor < len(m.list) {
		return m.list[m.cursor], true
	}
	return store.Campaign{}, false
}

// Apply takes a newer state of a campaign.
func (m *Model) Apply(c store.Campaign) {
	for i := range m.list {
		if m.list[i].ID == c.ID {
			m.list[i] = c
		}
	}
}

// SetSize gives the history w×h cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// ShortHelp is the history's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	return []key.Binding{k.Up, k.Down, k.Open, k.Back}
}

// Update takes the campaigns and the movement keys; opening one and
// leaving are the root's.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		m.list, m.loaded = msg, true
		m.cursor = min(m.cursor, max(0, len(msg)-1))
	case tea.KeyMsg:
		nav, ok := m.common.Keys.Navigate(msg, 10)
		if !ok {
			return nil
		}
		switch nav.Jump {
		case -1:
			m.cursor = 0
		case 1:
			m.cursor = len(m.list) - 1
		}
		m.cursor = max(0, min(m.cursor+nav.Delta, len(m.list)-1))
	}
	return nil
}

// View lists the campaigns that fit.
func (m *Model) View() string {
	s := m.common.Styles
	var b strings.Builder
	title := s.Title.Render("Campaigns")
	if p := &m.common.Pages; p.Current != "" {
		title += s.Dim.Render(" · " + common.Truncate(inert.Line(p.Name(p.Current)), 40))
	}
	b.WriteString(title + "\n\n")
	if !m.loaded {
		return b.String() + s.Dim.Render("Loading…")
	}
	if len(m.list) == 0 {
		return b.String() + s.Dim.Render("No campaigns yet. Select conversations with space or V, then press B.")
	}
	for i, c := range m.list[:min(len(m.list), max(1, m.height-3))] {
		n := c.Counts
		line := fmt.Sprintf("#%-4d %-12s %-28s sent %d · failed %d · skipped %d · unknown %d of %d",
			c.ID, c.Status, common.Truncate(inert.Line(c.Title), 28), n.Sent, n.Failed, n.Skipped, n.Unknown, n.Total)
		marker := "  "
		if i == m.cursor {
			marker = s.Cursor.Render("▌ ")
		}
		b.WriteString(marker + common.Truncate(line, m.width-2) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
