package tui

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/campaign/form"
	"github.com/pageinbox/pageinbox/tui/campaign/history"
	"github.com/pageinbox/pageinbox/tui/campaign/progress"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/compose"
	"github.com/pageinbox/pageinbox/tui/help"
	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/list"
	"github.com/pageinbox/pageinbox/tui/statusbar"
	"github.com/pageinbox/pageinbox/tui/styles"
	"github.com/pageinbox/pageinbox/tui/thread"
)

// Options configure the TUI.
type Options struct {
	Backend Backend
	// Renderer is the session's: every style is made by it, since over
	// SSH each client has its own colour profile. Default: a renderer on
	// os.Stdout, the terminal a local TUI draws on.
	Renderer *lipgloss.Renderer
	Now      func() time.Time // default time.Now; tests pin it
	// TZ is the agent's time zone, that times are shown in. Default
	// time.Local.
	TZ     *time.Location
	Logger *slog.Logger
	// Bell rings the terminal for a new inbound message in a thread that
	// is not open. nil: no bell.
	Bell func()
	// NoTick stops the clock tick and status polling (golden tests).
	NoTick bool
	// Agent is who uses this TUI, so it can tell itself from the other
	// agents in a conversation.
	Agent store.Agent
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
	common *common.Common
	styles *Styles
	keys   *KeyMap
	log    *slog.Logger

	list    *list.Model
	thread  *thread.Model
	compose *compose.Model

	here     store.ConvKey // where this agent last said it is
	typing   bool          // told the others we are typing
	typingAt time.Time
	mode     mode
	form     *form.Model
	progress *progress.Model
	history  *history.Model

	focus     pane
	showHelp  bool
	width     int
	height    int
	statusbar *statusbar.Model
	help      *help.Model
	feed      <-chan store.Change
	ctx       context.Context
	cancel    context.CancelFunc
}

// New returns the root model.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Renderer == nil {
		o.Renderer = lipgloss.NewRenderer(os.Stdout)
	}
	if o.TZ == nil {
		o.TZ = time.Local
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	km, st := keymap.Default(), styles.New(o.Renderer)
	ctx, cancel := context.WithCancel(context.Background())
	c := &common.Common{Ctx: ctx, Renderer: o.Renderer, Styles: &st, Keys: &km, Logger: o.Logger,
		Agent: o.Agent, Clock: o.Now, TZ: o.TZ, CanExec: true, Width: 80, Height: 24}
	c.SetNow(o.Now())
	m := &Model{be: o.Backend, opts: o, common: c, styles: &st, keys: &km, log: o.Logger,
		list: list.New(c, o.Backend), thread: thread.New(c, o.Backend), compose: compose.New(c, o.Backend),
		statusbar: statusbar.New(c, o.Backend), help: help.New(c), ctx: ctx, cancel: cancel, width: 80, height: 24}
	m.form, m.progress, m.history = form.New(c, o.Backend), progress.New(c, o.Backend), history.New(c, o.Backend)
	m.layout()
	return m
}

// Init loads the first screen and starts listening.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.subscribe(), m.list.Load(false), m.list.LoadCounts(), m.statusbar.Load()}
	if !m.opts.NoTick {
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return common.TickMsg(t) })
}

// --- commands: every call to the backend happens here, never in Update.

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
			return common.ErrMsg{Op: "mark read", Err: err}
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
			return common.ErrMsg{Op: "load draft", Err: err}
		}
		return draftMsg{key, text}
	}
}

type draftMsg struct {
	key  store.ConvKey
	text string
}

func (m *Model) saveDraft() tea.Cmd {
	key, text, ok := m.compose.TakeDraft()
	if !ok {
		return nil
	}
	be, ctx := m.be, context.WithoutCancel(m.ctx) // saved even while quitting
	return func() tea.Msg {
		if err := be.SaveDraft(ctx, key, text); err != nil {
			return common.ErrMsg{Op: "save draft", Err: err}
		}
		return draftSavedMsg{}
	}
}

// openEditor writes the draft to a file and hands the terminal to $EDITOR.
func (m *Model) openEditor() tea.Cmd {
	key, text := m.compose.Key(), m.compose.Value()
	return func() tea.Msg {
		f, err := os.CreateTemp("", "pageinbox-reply-*.txt")
		if err != nil {
			return editedMsg{key: key, err: err}
		}
		_, err = f.WriteString(text)
		f.Close()
		if err != nil {
			return editedMsg{key: key, err: err}
		}
		return editorReadyMsg{key: key, path: f.Name()}
	}
}

type editorReadyMsg struct {
	key  store.ConvKey
	path string
}

func runEditor(ready editorReadyMsg) tea.Cmd {
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	args := strings.Fields(editor)
	c := exec.Command(args[0], append(args[1:], ready.path)...)
	return tea.ExecProcess(c, func(err error) tea.Msg {
		defer os.Remove(ready.path)
		if err != nil {
			return editedMsg{key: ready.key, err: err}
		}
		b, err := os.ReadFile(ready.path)
		return editedMsg{key: ready.key, text: strings.TrimRight(string(b), "\n"), err: err}
	})
}

func (m *Model) bell() tea.Cmd {
	if m.opts.Bell == nil {
		return nil
	}
	ring := m.opts.Bell
	return func() tea.Msg { ring(); return nil }
}

// --- update

// Update routes msg, then tells the status bar what the list holds.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.update(msg)
	m.statusbar.SetSelected(m.list.MarkedCount())
	return m, cmd
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := m.campaignUpdate(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, m.syncThreadToList()
	case common.TickMsg:
		m.common.SetNow(time.Time(msg))
		cmds := []tea.Cmd{tick(), m.statusbar.Update(msg), m.thread.Update(msg)}
		if m.mode == modeCampaign {
			cmds = append(cmds, m.progress.Update(msg))
		}
		if m.compose.Dirty() && m.common.Now().Sub(m.compose.EditedAt()) > time.Second {
			cmds = append(cmds, m.saveDraft())
		}
		if m.typing && m.common.Now().Sub(m.compose.EditedAt()) > 4*time.Second {
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
			err = common.Error("the change feed ended; reconnecting")
		}
		m.setErr("live updates", err)
		return m, tea.Tick(time.Second, func(time.Time) tea.Msg { return resubscribeMsg{} })
	case resubscribeMsg:
		return m, tea.Batch(m.subscribe(), m.list.Load(false), m.list.LoadCounts(), m.thread.Reload())
	case changesMsg:
		cmd := m.applyChanges(msg)
		return m, tea.Batch(cmd, waitChanges(m.feed))
	case list.LoadedMsg:
		return m, tea.Batch(m.list.Update(msg), m.syncThreadToList())
	case statusbar.StatusMsg:
		m.thread.SetHeld(msg.Sending != "")
		return m, m.statusbar.Update(msg)
	case compose.SentMsg:
		cmd := m.compose.Update(msg)
		if msg.Err != nil || msg.Key != m.compose.Key() {
			return m, cmd
		}
		return m, tea.Batch(cmd, m.saveDraft(), m.announce(msg.Key, false))
	case draftMsg:
		m.compose.Restore(msg.key, msg.text)
		return m, nil
	case editorReadyMsg:
		return m, runEditor(msg)
	case editedMsg:
		if msg.err != nil {
			m.setErr("editor", msg.err)
			return m, nil
		}
		m.compose.SetText(msg.key, msg.text)
		return m, m.saveDraft()
	case common.ErrMsg, common.NoteMsg:
		return m, m.statusbar.Update(msg)
	case tea.MouseMsg:
		return m, m.mouse(msg)
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, tea.Batch(m.list.Update(msg), m.thread.Update(msg), m.form.Update(msg), m.progress.Update(msg), m.history.Update(msg))
}

// setNote shows news that is not an error in the status bar for a while.
func (m *Model) setNote(text string) { m.statusbar.Update(common.NoteMsg(text)) }

// setErr shows a failure in the status bar.
func (m *Model) setErr(op string, err error) { m.statusbar.Update(common.ErrMsg{Op: op, Err: err}) }

// applyChanges folds a burst of changes into the panes.
func (m *Model) applyChanges(changes []store.Change) tea.Cmd {
	var cmds []tea.Cmd
	var updated []store.Conversation
	var outbox []store.OutboxItem
	ring, counts := false, false
	for _, ch := range changes {
		switch ch.Kind {
		case store.Resync:
			// Changes were missed, maybe across a daemon restart: reload,
			// forget who was where, and say again where this agent is.
			m.thread.ClearPresence()
			m.here = store.ConvKey{PSID: "\x00resync"}
			cmds = append(cmds, m.list.Load(false), m.list.LoadCounts(), m.followFocus())
			cmds = append(cmds, m.thread.Reload())
		case store.ConversationUpdated:
			c := *ch.Conversation
			updated = append(updated, c)
			if m.thread.IsOpen() && c.ConvKey == m.thread.Key() {
				m.thread.SetConversation(c)
				m.compose.SetConversation(c)
				if c.Unread > 0 && m.focus != paneList {
					cmds = append(cmds, m.markRead(c.ConvKey))
				}
			}
			counts = true
		case store.PresenceChanged:
			m.thread.SetPresence(*ch.Presence)
		case store.CampaignProgress:
			m.applyCampaign(*ch.Campaign)
		case store.OutboxChanged:
			outbox = append(outbox, *ch.Outbox)
		case store.MessageAdded, store.MessageChanged, store.MessageRemoved:
			msg := *ch.Message
			m.thread.Apply(ch.Kind, msg)
			viewing := m.thread.IsOpen() && msg.ConvKey == m.thread.Key() && m.focus != paneList
			if ch.Kind == store.MessageAdded && msg.Direction == store.In && !viewing {
				ring = true
			}
		}
	}
	if len(updated) > 0 {
		m.list.ApplyUpdates(updated)
	}
	if len(outbox) > 0 && m.mode == modeCampaign {
		m.progress.ApplyOutbox(outbox)
	}
	if ring {
		cmds = append(cmds, m.bell())
	}
	if counts {
		cmds = append(cmds, m.list.LoadCounts())
	}
	return tea.Batch(cmds...)
}

// syncThreadToList keeps the thread pane on the conversation under the
// cursor in the wide layout.
func (m *Model) syncThreadToList() tea.Cmd {
	c, ok := m.list.Current()
	if !ok || (m.thread.IsOpen() && c.ConvKey == m.thread.Key()) {
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
	if m.compose.Key() != c.ConvKey {
		cmds = append(cmds, m.saveDraft())
	}
	if m.compose.Key() != c.ConvKey {
		cmds = append(cmds, m.loadDraft(c.ConvKey))
	}
	show := m.thread.Show(c)
	m.compose.Load(c)
	cmds = append(cmds, show)
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
	if key == m.here && typing == m.typing && (!typing || m.common.Now().Sub(m.typingAt) < 3*time.Second) {
		return nil
	}
	m.here, m.typing = key, typing
	if typing {
		m.typingAt = m.common.Now()
	}
	be, ctx := m.be, context.WithoutCancel(m.ctx)
	return func() tea.Msg {
		if err := be.Presence(ctx, key, typing); err != nil {
			return common.ErrMsg{Op: "presence", Err: err}
		}
		return nil
	}
}

// followFocus tells the others which conversation this agent is in: the
// one open in the thread or compose pane, none from the list.
func (m *Model) followFocus() tea.Cmd {
	if m.focus == paneList || !m.thread.IsOpen() {
		return m.announce(store.ConvKey{}, false)
	}
	return m.announce(m.thread.Key(), m.typing && m.here == m.thread.Key())
}

func (m *Model) setFocus(p pane) {
	m.focus = p
	m.list.SetFocused(p == paneList)
	if p == paneCompose {
		m.compose.Focus()
	} else {
		m.compose.Blur()
	}
	m.layout()
}
