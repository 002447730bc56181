// Package progress follows one campaign: its progress while it runs, its
// counts and rate, and every recipient's result, failures first.
package progress

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/charmbracelet/bubbles/key"
	bprogress "github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Backend is what the progress screen asks of the inbox.
type Backend interface {
	CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error)
	CampaignReplies(ctx context.Context, id uint64) (int, error)
	SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error)
	RetryFailed(ctx context.Context, id uint64) (int, error)
}

// CampaignMsg is a campaign's new state after a pause, resume or cancel.
// The root hands it to every screen that shows the campaign.
type CampaignMsg struct{ Campaign store.Campaign }

type (
	itemsMsg struct {
		id    uint64
		items []store.OutboxItem
	}
	repliesMsg struct {
		id uint64
		n  int
	}
	retriedMsg struct {
		id uint64
		n  int
	}
)

// Model is the progress screen.
type Model struct {
	common   *common.Common
	be       Backend
	c        store.Campaign
	items    []store.OutboxItem
	byID     map[uint64]int
	order    []int // items, failures first: what needs attention is on top
	replies  int
	offset   int
	cancel   bool // asking to confirm a cancel
	bar      bprogress.Model
	openedAt time.Time
	doneAt   int // finished recipients when opened, for the rate
	width    int
	height   int
}

// New returns the screen with no campaign.
func New(c *common.Common, be Backend) *Model {
	return &Model{common: c, be: be, byID: map[uint64]int{}, bar: newBar(c)}
}

// newBar is a progress bar in the session's colour profile.
func newBar(c *common.Common) bprogress.Model {
	return bprogress.New(bprogress.WithDefaultGradient(), bprogress.WithoutPercentage(),
		bprogress.WithColorProfile(c.Renderer.ColorProfile()))
}

// Open shows campaign c and loads its recipients and replies.
func (m *Model) Open(c store.Campaign) tea.Cmd {
	w, h := m.width, m.height
	*m = Model{common: m.common, be: m.be, c: c, byID: map[uint64]int{}, bar: newBar(m.common),
		openedAt: m.common.Now(), doneAt: finished(c.Counts)}
	m.SetSize(w, h)
	return tea.Batch(m.loadItems(c.ID), m.LoadReplies())
}

func finished(n store.CampaignCounts) int { return n.Sent + n.Failed + n.Skipped + n.Unknown }

// SetSize gives the screen w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.bar.Width = max(10, w-8)
}

func (m *Model) Campaign() store.Campaign  { return m.c }
func (m *Model) Items() []store.OutboxItem { return m.items }

// Confirming: the screen asks whether to cancel, and takes any key.
func (m *Model) Confirming() bool { return m.cancel }

// ShortHelp is the screen's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	return []key.Binding{k.Pause, k.Resume, k.Cancel, k.Retry, k.Campaigns, k.Back}
}

// Apply takes a newer state of a campaign, if it is this one.
func (m *Model) Apply(c store.Campaign) {
	if m.c.ID == c.ID {
		m.c = c
	}
}

// ApplyOutbox updates the rows of recipients whose state changed.
func (m *Model) ApplyOutbox(items []store.OutboxItem) {
	changed := false
	for _, it := range items {
		i, ok := m.byID[it.ID]
		if !ok || it.CampaignID != m.c.ID {
			continue
		}
		if it.Name == "" {
			it.Name = m.items[i].Name // changes carry no name
		}
		m.items[i], changed = it, true
	}
	if changed {
		m.sort()
	}
}

// sort puts failures first, then the rest by state, each in load order.
func (m *Model) sort() {
	m.order = m.order[:0]
	for i := range m.items {
		m.order = append(m.order, i)
	}
	sort.SliceStable(m.order, func(a, b int) bool { return rank(m.items[m.order[a]]) < rank(m.items[m.order[b]]) })
}

func rank(it store.OutboxItem) int {
	switch it.State {
	case store.OutboxFailed:
		return 0
	case store.OutboxUnknown:
		return 1
	case store.OutboxSending:
		return 2
	case store.OutboxQueued:
		return 3
	case store.OutboxSkipped:
		return 4
	}
	return 5
}

func (m *Model) loadItems(id uint64) tea.Cmd {
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		items, err := be.CampaignItems(ctx, id)
		if err != nil {
			return common.ErrMsg{Op: "campaign recipients", Err: err}
		}
		return itemsMsg{id, items}
	}
}

// LoadReplies asks how many recipients wrote back since.
func (m *Model) LoadReplies() tea.Cmd {
	be, ctx, id := m.be, m.common.Ctx, m.c.ID
	return func() tea.Msg {
		n, err := be.CampaignReplies(ctx, id)
		if err != nil {
			return common.ErrMsg{Op: "campaign replies", Err: err}
		}
		return repliesMsg{id, n}
	}
}

func (m *Model) setStatus(st store.CampaignStatus) tea.Cmd {
	be, ctx, id := m.be, m.common.Ctx, m.c.ID
	return func() tea.Msg {
		c, err := be.SetCampaignStatus(ctx, id, st)
		if err != nil {
			return common.ErrMsg{Op: "campaign", Err: err}
		}
		return CampaignMsg{c}
	}
}

func (m *Model) retryFailed() tea.Cmd {
	be, ctx, id := m.be, m.common.Ctx, m.c.ID
	return func() tea.Msg {
		n, err := be.RetryFailed(ctx, id)
		if err != nil {
			return common.ErrMsg{Op: "retry failed", Err: err}
		}
		return retriedMsg{id, n}
	}
}

// note is news about the campaign for the status bar.
func note(format string, a ...any) tea.Cmd { return common.NoteCmd(fmt.Sprintf(format, a...)) }
