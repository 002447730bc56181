package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// The change feed: what the backend commits reaches the panes in bursts.
type (
	feedStartMsg   struct{ ch <-chan store.Change }
	feedEndMsg     struct{ err error }
	resubscribeMsg struct{}
	changesMsg     []store.Change
)

func (m *Model) subscribe() tea.Cmd {
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		ch, err := be.Subscribe(ctx)
		if err != nil {
			return feedEndMsg{err}
		}
		return feedStartMsg{ch}
	}
}

// waitChanges reads the next burst of changes: it blocks for one, then
// takes whatever else arrives within 30 ms (up to 500), so a burst costs
// one Update and one View, not hundreds.
func waitChanges(ch <-chan store.Change) tea.Cmd {
	return func() tea.Msg {
		first, ok := <-ch
		if !ok {
			return feedEndMsg{}
		}
		batch := []store.Change{first}
		timer := time.NewTimer(30 * time.Millisecond)
		defer timer.Stop()
		for len(batch) < 500 {
			select {
			case c, ok := <-ch:
				if !ok {
					return changesMsg(batch)
				}
				batch = append(batch, c)
			case <-timer.C:
				return changesMsg(batch)
			}
		}
		return changesMsg(batch)
	}
}

// feedUpdate handles the feed's messages; ok is false for the others.
func (m *Model) feedUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case feedStartMsg:
		m.feed = msg.ch
		return waitChanges(msg.ch), true
	case feedEndMsg:
		if m.quitting() {
			return nil, true
		}
		// The feed ended (the backend restarted): say so, subscribe again
		// and reload what is on screen, since changes were missed.
		err := msg.err
		if err == nil {
			err = common.Error("the change feed ended; reconnecting")
		}
		m.setErr("live updates", err)
		return tea.Tick(time.Second, func(time.Time) tea.Msg { return resubscribeMsg{} }), true
	case resubscribeMsg:
		return tea.Batch(m.subscribe(), m.list.Load(false), m.list.LoadCounts(), m.thread.Reload()), true
	case changesMsg:
		return tea.Batch(m.applyChanges(msg), waitChanges(m.feed)), true
	}
	return nil, false
}

// applyChanges folds a burst of changes into the panes: each kind once,
// however many of it the burst holds.
func (m *Model) applyChanges(changes []store.Change) tea.Cmd {
	cmds := []tea.Cmd{m.notify(m.noticesIn(changes))} // before the list takes the burst
	var updated []store.Conversation
	var outbox []store.OutboxItem
	var messages []store.Change
	ring, contact := false, false
	for _, ch := range changes {
		switch ch.Kind {
		case store.Resync:
			cmds = append(cmds, m.resync())
		case store.ConversationUpdated:
			updated = append(updated, *ch.Conversation)
			contact = contact || m.contact.Visible() && ch.Conversation.ConvKey == m.contact.Key()
			cmds = append(cmds, m.openChanged(*ch.Conversation))
		case store.NoteAdded:
			m.thread.ApplyNote(*ch.Note)
			contact = contact || m.contact.Visible() && ch.Note.ConvKey == m.contact.Key()
		case store.PresenceChanged:
			m.thread.SetPresence(*ch.Presence)
			m.list.SeeAgents(*ch.Presence)
		case store.CampaignProgress:
			m.applyCampaign(*ch.Campaign)
		case store.OutboxChanged:
			outbox = append(outbox, *ch.Outbox)
		case store.MessageAdded, store.MessageChanged, store.MessageRemoved:
			messages = append(messages, ch)
			msg := *ch.Message
			viewing := m.thread.IsOpen() && msg.ConvKey == m.thread.Key() && m.focus != paneList
			ring = ring || ch.Kind == store.MessageAdded && msg.Direction == store.In && !viewing
		}
	}
	if len(updated) > 0 {
		m.list.ApplyUpdates(updated)
	}
	if len(messages) > 0 {
		m.thread.ApplyAll(messages) // one redraw for the burst
		cmds = append(cmds, m.thread.FetchPictures())
	}
	if len(outbox) > 0 && m.mode == modeCampaign {
		m.progress.ApplyOutbox(outbox)
	}
	if ring {
		cmds = append(cmds, m.bell())
	}
	if contact {
		cmds = append(cmds, m.contact.Reload()) // once per burst
	}
	if len(updated) > 0 {
		cmds = append(cmds, m.list.LoadCounts()) // the tabs' counts may have moved
		cmds = append(cmds, m.list.LoadLabels()) // a label's colour not known yet
		cmds = append(cmds, m.list.LoadNewPages(updated))
	}
	return tea.Batch(cmds...)
}

// resync: changes were missed, maybe across a daemon restart. Reload,
// forget who was where, and say again where this agent is.
func (m *Model) resync() tea.Cmd {
	m.thread.ClearPresence()
	m.said.key = store.ConvKey{PSID: "\x00resync"}
	return tea.Batch(m.list.Load(false), m.list.LoadCounts(), m.followFocus(), m.thread.Reload())
}

// openChanged takes a newer state of the open conversation; read where it
// is being read, it is marked read again.
func (m *Model) openChanged(c store.Conversation) tea.Cmd {
	if !m.thread.IsOpen() || c.ConvKey != m.thread.Key() {
		return nil
	}
	m.thread.SetConversation(c)
	m.compose.SetConversation(c)
	if c.Unread > 0 && m.focus != paneList {
		return m.markRead(c.ConvKey)
	}
	return nil
}

func (m *Model) bell() tea.Cmd {
	if m.opts.Bell == nil {
		return nil
	}
	ring := m.opts.Bell
	return func() tea.Msg { ring(); return nil }
}
