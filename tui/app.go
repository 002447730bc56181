package tui

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Options configure the TUI.
type Options struct {
	Backend  Backend
	Renderer *lipgloss.Renderer // the session's; default lipgloss's
	Now      func() time.Time   // default time.Now; tests pin it
	Logger   *slog.Logger
	// Bell rings the terminal for a new inbound message in a thread that
	// is not open. nil: no bell.
	Bell func()
	// NoTick stops the clock tick and status polling (golden tests).
	NoTick bool
	// Agent is who uses this TUI, so it can tell itself from the other
	// agents in a conversation.
	Agent store.Agent
	// Programs lets the TUI start programs here (the editor). nil: it
	// never does, as in an SSH session.
	Programs *Programs
}

type pane int

const (
	paneList pane = iota
	paneThread
	paneCompose
)

// Model is the root: it lays out the panes, routes keys to the focused
// one, and turns the backend's changes into pane updates.
type Model struct {
	be     Backend
	opts   Options
	styles Styles
	keys   KeyMap
	help   help.Model
	log    *slog.Logger

	list    listPane
	thread  threadPane
	compose composePane

	counting    bool // a counts request is out
	countsStale bool // changes came in since it left
	presence    map[store.ConvKey][]store.AgentPresence
	here        store.ConvKey // where this agent last said it is
	typing      bool          // told the others we are typing
	typingAt    time.Time
	mode        mode
	bulk        bulkForm
	campaign    campaignView
	campaigns   campaignsView

	focus    pane
	showHelp bool
	width    int
	height   int
	now      time.Time
	status   store.SystemStatus
	errText  string
	noteText string
	errAt    time.Time
	feed     <-chan store.Change
	writes   *lastWins // orders draft and presence writes (see Close)
	ctx      context.Context
	cancel   context.CancelFunc
}

// New returns the root model.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Renderer == nil {
		o.Renderer = lipgloss.DefaultRenderer()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	km := DefaultKeyMap()
	h := help.New()
	ctx, cancel := context.WithCancel(context.Background())
	st := NewStyles(o.Renderer)
	h.Styles = help.Styles{ShortKey: st.Help.Bold(true), ShortDesc: st.Help, ShortSeparator: st.Dim, Ellipsis: st.Dim,
		FullKey: st.Help.Bold(true), FullDesc: st.Help, FullSeparator: st.Dim}
	m := &Model{be: o.Backend, opts: o, styles: st, keys: km, help: h, log: o.Logger,
		list: newListPane(st), thread: newThreadPane(), compose: newComposePane(km, st),
		now: o.Now(), writes: newLastWins(), ctx: ctx, cancel: cancel, width: 80, height: 24}
	m.bulk = newBulkForm(st, km)
	m.presence = map[store.ConvKey][]store.AgentPresence{}
	m.layout()
	return m
}

// Init loads the first screen and starts listening.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.subscribe(), m.loadList(false), m.loadCounts(), m.loadStatus()}
	if !m.opts.NoTick {
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// --- commands: every call to the backend happens here, never in Update.

func (m *Model) loadList(more bool) tea.Cmd {
	m.list.seq++
	m.list.loading = true
	seq, q := m.list.seq, store.ListQuery{Filter: m.list.filter, Search: m.list.query, Limit: listPage}
	if more {
		q.After = m.list.next
	}
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		page, err := be.Conversations(ctx, q)
		return listLoadedMsg{seq: seq, page: page, append: more, err: err}
	}
}

// loadCounts asks for the tab counts, one request at a time: changes that
// arrive meanwhile only mark them stale, and the answer asks again. A busy
// campaign then costs one count at a time, not one per burst.
func (m *Model) loadCounts() tea.Cmd {
	if m.counting {
		m.countsStale = true
		return nil
	}
	m.counting, m.countsStale = true, false
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		c, err := be.Counts(ctx)
		if err != nil {
			return countsFailedMsg{err}
		}
		return countsMsg(c)
	}
}

type countsFailedMsg struct{ err error }

func (m *Model) loadStatus() tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		st, err := be.Status(ctx)
		if err != nil {
			return errMsg{"status", err}
		}
		return statusMsg(st)
	}
}

func (m *Model) loadThread(older bool) tea.Cmd {
	key, before := m.thread.key, store.Cursor("")
	if older {
		before = m.thread.before
	} else {
		m.thread.gen++
	}
	m.thread.loading = true
	be, ctx, gen := m.be, m.ctx, m.thread.gen
	return func() tea.Msg {
		p, err := be.Thread(ctx, key, before, threadPage)
		return threadMsg{key: key, gen: gen, page: p, older: older, err: err}
	}
}

func (m *Model) subscribe() tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		ch, err := be.Subscribe(ctx)
		if err != nil {
			return feedEndMsg{err}
		}
		return feedStartMsg{ch}
	}
}

type (
	feedStartMsg   struct{ ch <-chan store.Change }
	resubscribeMsg struct{}
)

// reloadThread reloads the open thread's newest page, if one is open.
func (m *Model) reloadThread() tea.Cmd {
	if !m.thread.open {
		return nil
	}
	return m.loadThread(false)
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

func (m *Model) markRead(key store.ConvKey) tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		if err := be.MarkRead(ctx, key); err != nil {
			return errMsg{"mark read", err}
		}
		return nil
	}
}

// loadDraft reads this agent's saved draft of a thread.
func (m *Model) loadDraft(key store.ConvKey) tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		text, err := be.Draft(ctx, key)
		if err != nil {
			return errMsg{"load draft", err}
		}
		return draftMsg{key, text}
	}
}

type draftMsg struct {
	key  store.ConvKey
	text string
}

func (m *Model) saveDraft() tea.Cmd {
	if !m.compose.dirty || m.compose.key.PSID == "" {
		return nil
	}
	m.compose.dirty = false
	be, ctx, key, text := m.be, context.WithoutCancel(m.ctx), m.compose.key, m.compose.area.Value() // saved even while quitting
	save := func(ctx context.Context) error { return be.SaveDraft(ctx, key, text) }
	w, ticket := m.writes, m.writes.decide(key, save)
	return func() tea.Msg {
		if err := w.do(ctx, key, ticket, save); err != nil {
			return errMsg{"save draft", err}
		}
		return draftSavedMsg{}
	}
}

func (m *Model) send(p plan) tea.Cmd {
	text := strings.TrimSpace(m.compose.area.Value())
	be, ctx, key := m.be, m.ctx, m.compose.key
	s := store.Send{ConvKey: key, Text: text, MessagingType: p.mt, Tag: p.tag}
	return func() tea.Msg {
		item, err := be.Send(ctx, s)
		return sentMsg{key: key, item: item, err: err}
	}
}

func (m *Model) bell() tea.Cmd {
	if m.opts.Bell == nil {
		return nil
	}
	ring := m.opts.Bell
	return func() tea.Msg { ring(); return nil }
}

// --- update

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := m.campaignUpdate(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, m.syncThreadToList()
	case tickMsg:
		m.now = time.Time(msg)
		if !m.errAt.IsZero() && m.now.Sub(m.errAt) > 8*time.Second {
			m.errText, m.noteText, m.errAt = "", "", time.Time{}
		}
		cmds := []tea.Cmd{tick(), m.loadStatus()}
		if m.mode == modeCampaign && m.now.Second()%5 == 0 {
			cmds = append(cmds, m.loadReplies(m.campaign.c.ID))
		}
		if m.compose.dirty && m.now.Sub(m.compose.editedAt) > time.Second {
			cmds = append(cmds, m.saveDraft())
		}
		if m.typing && m.now.Sub(m.compose.editedAt) > 4*time.Second {
			cmds = append(cmds, m.announce(m.here, false))
		}
		return m, tea.Batch(cmds...)
	case feedStartMsg:
		m.feed = msg.ch
		return m, waitChanges(msg.ch)
	case feedEndMsg:
		if m.ctx.Err() != nil {
			return m, nil // quitting
		}
		// The feed ended (the backend restarted): say so, subscribe again
		// and reload what is on screen, since changes were missed.
		err := msg.err
		if err == nil {
			err = errString("the change feed ended; reconnecting")
		}
		m.setErr("live updates", err)
		return m, tea.Tick(time.Second, func(time.Time) tea.Msg { return resubscribeMsg{} })
	case resubscribeMsg:
		return m, tea.Batch(m.subscribe(), m.loadList(false), m.loadCounts(), m.reloadThread())
	case changesMsg:
		cmd := m.applyChanges(msg)
		return m, tea.Batch(cmd, waitChanges(m.feed))
	case listLoadedMsg:
		if msg.seq != m.list.seq {
			return m, nil // an answer to an older question
		}
		m.list.loading = false
		if msg.err != nil {
			m.setErr("load conversations", msg.err)
			return m, nil
		}
		if msg.append {
			m.list.appendPage(msg.page)
		} else {
			m.list.reset(msg.page)
		}
		return m, m.syncThreadToList()
	case countsMsg:
		m.list.counts = store.Counts(msg)
		m.counting = false
		if m.countsStale {
			return m, m.loadCounts()
		}
		return m, nil
	case countsFailedMsg:
		m.counting = false
		m.setErr("count conversations", msg.err)
		return m, nil
	case statusMsg:
		if m.status.Sending != "" && msg.Sending == "" && msg.Connected {
			m.setNote("sending works again: held replies are going out")
		}
		m.status = store.SystemStatus(msg)
		m.thread.held = m.status.Sending != ""
		return m, nil
	case resentMsg:
		if msg.err != nil {
			m.setErr("send again", msg.err)
		} else {
			m.setNote("sent again as a new message: if the first did arrive, the customer has it twice")
		}
		return m, nil
	case threadMsg:
		if msg.key != m.thread.key || msg.gen != m.thread.gen {
			return m, nil // for a thread or a load that is no longer on screen
		}
		if msg.err != nil {
			m.thread.loading = false
			m.setErr("load thread", msg.err)
			return m, nil
		}
		m.thread.setPage(msg.page, msg.older)
		return m, nil
	case sentMsg:
		if msg.err != nil {
			m.setErr("send", msg.err)
			return m, nil
		}
		if msg.key == m.compose.key {
			m.compose.area.Reset()
			m.compose.dirty = true
			m.compose.humanAgent = false
			return m, tea.Batch(m.saveDraft(), m.announce(msg.key, false))
		}
		return m, nil
	case draftMsg:
		m.compose.restore(msg.key, msg.text)
		return m, nil
	case editorReadyMsg:
		return m, m.runEditor(msg)
	case editedMsg:
		if msg.err != nil {
			m.setErr("editor", msg.err)
			return m, nil
		}
		if msg.key == m.compose.key {
			m.compose.area.SetValue(msg.text)
			m.compose.dirty, m.compose.editedAt = true, m.now
		}
		return m, m.saveDraft()
	case errMsg:
		m.setErr(msg.op, msg.err)
		return m, nil
	case tea.MouseMsg:
		return m, m.mouse(msg)
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// setNote shows news that is not an error in the status bar for a while.
func (m *Model) setNote(text string) {
	m.noteText, m.errAt = text, m.now
}

func (m *Model) setErr(op string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	m.errText, m.errAt = op+": "+err.Error(), m.now
	m.log.Warn("tui: "+op, "err", err)
}

// applyChanges folds a burst of changes into the panes.
func (m *Model) applyChanges(changes []store.Change) tea.Cmd {
	var cmds []tea.Cmd
	var updated []store.Conversation
	ring, counts := false, false
	for _, ch := range changes {
		switch ch.Kind {
		case store.Resync:
			// Changes were missed, maybe across a daemon restart: reload,
			// forget who was where, and say again where this agent is.
			clear(m.presence)
			m.here = store.ConvKey{PSID: "\x00resync"}
			cmds = append(cmds, m.loadList(false), m.loadCounts(), m.followFocus())
			if m.thread.open {
				cmds = append(cmds, m.loadThread(false))
			}
		case store.ConversationUpdated:
			c := *ch.Conversation
			updated = append(updated, c)
			if m.thread.open && c.ConvKey == m.thread.key {
				m.thread.conv = c
				if c.Unread > 0 && m.focus != paneList {
					cmds = append(cmds, m.markRead(c.ConvKey))
				}
			}
			counts = true
		case store.PresenceChanged:
			m.presence[ch.Presence.Key] = ch.Presence.Agents
		case store.CampaignProgress:
			m.applyCampaign(*ch.Campaign)
		case store.OutboxChanged:
			m.applyOutbox(*ch.Outbox)
		case store.MessageAdded, store.MessageChanged, store.MessageRemoved:
			msg := *ch.Message
			m.thread.apply(ch.Kind, msg)
			viewing := m.thread.open && msg.ConvKey == m.thread.key && m.focus != paneList
			if ch.Kind == store.MessageAdded && msg.Direction == store.In && !viewing {
				ring = true
			}
		}
	}
	if len(updated) > 0 {
		matches := make([]bool, len(updated))
		for i, c := range updated {
			matches[i] = m.matchesList(c)
		}
		m.list.upsertAll(updated, matches)
	}
	if ring {
		cmds = append(cmds, m.bell())
	}
	if counts {
		cmds = append(cmds, m.loadCounts())
	}
	return tea.Batch(cmds...)
}

// matchesList reports whether a conversation belongs in the list as
// filtered now. A search is redone on its own, so rows only update.
func (m *Model) matchesList(c store.Conversation) bool {
	if m.list.query != "" {
		_, shown := m.list.index[c.ConvKey]
		return shown
	}
	f, err := store.LookupFilter(m.list.filter)
	if err != nil {
		return true
	}
	return f.Match(&c, m.now) || f.KeepsSelected && c.ConvKey == m.list.selected
}

// syncThreadToList keeps the thread pane on the conversation under the
// cursor in the wide layout.
func (m *Model) syncThreadToList() tea.Cmd {
	c, ok := m.list.current()
	if !ok || (m.thread.open && c.ConvKey == m.thread.key) {
		return nil
	}
	if m.narrow() {
		return nil
	}
	return m.openThread(c, false)
}

// openThread shows c; focusing it (enter) also marks it read.
func (m *Model) openThread(c store.Conversation, focus bool) tea.Cmd {
	var cmds []tea.Cmd
	if m.compose.key != c.ConvKey {
		cmds = append(cmds, m.saveDraft())
	}
	changed := m.thread.key != c.ConvKey || !m.thread.open
	if m.compose.key != c.ConvKey {
		cmds = append(cmds, m.loadDraft(c.ConvKey))
	}
	m.thread.show(c)
	m.compose.load(c)
	if changed {
		cmds = append(cmds, m.loadThread(false))
	}
	if focus {
		m.setFocus(paneCompose)
		if c.Unread > 0 {
			cmds = append(cmds, m.markRead(c.ConvKey))
		}
	}
	return tea.Batch(append(cmds, m.followFocus())...)
}

// announce tells the other agents where this one is and whether they are
// typing. Only changes, and typing at most every 3 s, reach the backend.
func (m *Model) announce(key store.ConvKey, typing bool) tea.Cmd {
	if key == m.here && typing == m.typing && (!typing || m.now.Sub(m.typingAt) < 3*time.Second) {
		return nil
	}
	m.here, m.typing = key, typing
	if typing {
		m.typingAt = m.now
	}
	be, ctx := m.be, context.WithoutCancel(m.ctx)
	say := func(ctx context.Context) error { return be.Presence(ctx, key, typing) }
	w, ticket := m.writes, m.writes.decide(presenceWrite{}, say)
	return func() tea.Msg {
		if err := w.do(ctx, presenceWrite{}, ticket, say); err != nil {
			return errMsg{"presence", err}
		}
		return nil
	}
}

// followFocus tells the others which conversation this agent is in: the
// one open in the thread or compose pane, none from the list.
func (m *Model) followFocus() tea.Cmd {
	if m.focus == paneList || !m.thread.open {
		return m.announce(store.ConvKey{}, false)
	}
	return m.announce(m.thread.key, m.typing && m.here == m.thread.key)
}

// others are the other agents in a conversation.
func (m *Model) others(key store.ConvKey) (names []string, typing []string) {
	for _, a := range m.presence[key] {
		if a.ID == m.opts.Agent.ID {
			continue
		}
		name := inert.Line(a.Name) // another client's word for itself
		names = append(names, name)
		if a.Typing {
			typing = append(typing, name)
		}
	}
	return names, typing
}

func (m *Model) setFocus(p pane) {
	m.focus = p
	if p == paneCompose {
		m.compose.area.Focus()
	} else {
		m.compose.area.Blur()
	}
	m.layout()
}
