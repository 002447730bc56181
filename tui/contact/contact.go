// Package contact is the contact pane (i): who the customer is to the
// team: name, PSID, first seen, message counts, the window, state,
// assignee, labels, the campaigns received and the notes. It takes the thread's place while shown.
package contact

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Backend is what the pane asks of the inbox.
type Backend interface {
	Contact(ctx context.Context, key store.ConvKey) (inbox.Contact, error)
}

// Model is the contact pane.
type Model struct {
	common        *common.Common
	be            Backend
	visible       bool
	key           store.ConvKey
	contact       inbox.Contact
	loaded        bool
	gen           int
	width, height int
}

// loadedMsg is a contact, for the load gen.
type loadedMsg struct {
	gen     int
	contact inbox.Contact
	err     error
}

// New returns a hidden pane.
func New(c *common.Common, be Backend) *Model { return &Model{common: c, be: be} }

func (m *Model) SetSize(w, h int)       { m.width, m.height = w, h }
func (m *Model) Visible() bool          { return m.visible }
func (m *Model) Key() store.ConvKey     { return m.key }
func (m *Model) Hide()                  { m.visible = false }
func (m *Model) Contact() inbox.Contact { return m.contact }

// Show shows key's contact, loading it.
func (m *Model) Show(key store.ConvKey) tea.Cmd {
	if key != m.key {
		m.loaded = false
	}
	m.visible, m.key = true, key
	return m.Reload()
}

// Reload loads the shown contact again (a note, an assignment).
func (m *Model) Reload() tea.Cmd {
	if !m.visible {
		return nil
	}
	m.gen++
	be, ctx, key, gen := m.be, m.common.Ctx, m.key, m.gen
	return func() tea.Msg {
		c, err := be.Contact(ctx, key)
		return loadedMsg{gen: gen, contact: c, err: err}
	}
}

// Update takes the pane's loads.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(loadedMsg); ok && msg.gen == m.gen {
		if msg.err != nil {
			return common.ErrorCmd("contact", msg.err)
		}
		m.contact, m.loaded = msg.contact, true
	}
	return nil
}

// ShortHelp is the pane's key.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.common.Keys.Contact} }

// View draws the contact as label: value lines, then the notes.
func (m *Model) View() string {
	s := m.common.Styles
	if !m.loaded {
		return s.Title.Render("Contact") + "\n" + s.Dim.Render("Loading…")
	}
	c := m.contact
	row := func(label, value string) string {
		return common.Truncate(s.Dim.Render(fmt.Sprintf("%-12s", label))+value, m.width)
	}
	lines := []string{s.Title.Render("Contact") + s.Dim.Render("  (i closes)"), "",
		row("Name", common.DisplayName(c.Conversation)),
		row("PSID", inert.Line(c.PSID)),
		row("First seen", m.when(c.FirstSeen)),
		row("Messages", fmt.Sprintf("%d in · %d out", c.Inbound, c.Outbound)),
		row("Window", m.common.WindowBadge(c.LastInboundTime)),
		row("State", m.state(c.Conversation)),
		row("Assignee", orNone(inert.Line(c.Assignee), "nobody")),
		row("Labels", orNone(inert.Line(strings.Join(c.Labels.Names(), ", ")), "none"))}
	lines = append(lines, m.campaigns(c.Campaigns)...)
	lines = append(lines, "", s.Title.Render(fmt.Sprintf("Notes (%d)", len(c.Notes))))
	for i := len(c.Notes) - 1; i >= 0 && len(lines) < m.height; i-- { // newest first
		n := c.Notes[i]
		head := s.Note.Render("✎ " + inert.Line(n.Author) + " · " + m.when(n.Time))
		lines = append(lines, common.Truncate(head+"  "+common.OneLine(n.Text), m.width))
	}
	return strings.Join(lines, "\n")
}

// maxCampaigns is how many campaigns the pane lists, leaving room for the
// notes; the rest are counted.
const maxCampaigns = 5

// campaigns are the campaigns received, newest first, each with its
// outcome for this customer (and why, when it failed or was skipped).
func (m *Model) campaigns(list []store.CampaignReceipt) []string {
	s := m.common.Styles
	lines := []string{"", s.Title.Render(fmt.Sprintf("Campaigns (%d)", len(list)))}
	for i, r := range list {
		if i == maxCampaigns {
			lines = append(lines, s.Dim.Render(fmt.Sprintf("… %d more", len(list)-i)))
			break
		}
		outcome := string(r.State)
		if r.Reason != "" {
			outcome += ": " + common.OneLine(r.Reason)
		}
		line := "✉ " + common.OneLine(r.Title) + s.Dim.Render(" · "+m.when(r.Time)+"  ") + outcome
		lines = append(lines, common.Truncate(line, m.width))
	}
	return lines
}

// when is a time in the agent's zone; "—" when not known.
func (m *Model) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return m.common.Local(t).Format("2 Jan 2006 15:04")
}

func (m *Model) state(c store.Conversation) string {
	switch c.Status {
	case store.ConvSnoozed:
		return "snoozed until " + m.when(c.SnoozedUntil)
	case store.ConvDone:
		return "done"
	}
	return "open"
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
