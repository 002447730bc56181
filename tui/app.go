package tui

import (
	"context"
	"log/slog"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/campaign/form"
	"github.com/pageinbox/pageinbox/tui/campaign/history"
	"github.com/pageinbox/pageinbox/tui/campaign/progress"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/compose"
	"github.com/pageinbox/pageinbox/tui/contact"
	"github.com/pageinbox/pageinbox/tui/help"
	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/list"
	"github.com/pageinbox/pageinbox/tui/statusbar"
	"github.com/pageinbox/pageinbox/tui/styles"
	"github.com/pageinbox/pageinbox/tui/templates"
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
	// Notify says how news reaches the agent beyond the bell (notify.go).
	Notify Notify
	// Terminal writes escape sequences (the title, desktop notifications)
	// to the agent's terminal: the session's for SSH. nil: none.
	Terminal func(seq []byte)
	// NoTick stops the clock tick and status polling (golden tests).
	NoTick bool
	// Agent is who uses this TUI, so it can tell itself from the other
	// agents in a conversation.
	Agent store.Agent
	// Programs lets the TUI start programs here (the editor). nil: it
	// never does, as in an SSH session.
	Programs *Programs
	// Files are the files ctrl+a attaches: the agent's own machine's
	// (compose.LocalFiles) in a local or attached TUI. nil: attaching is
	// off, as in an SSH session, whose TUI runs on the server.
	Files compose.Files
	// Pictures fetches image attachments' previews, drawn in the thread
	// as half-block art. nil: no previews (PAGEINBOX_IMAGES=0).
	Pictures thread.Pictures
	// Clipboard puts text on the agent's clipboard (y), as OSC52 written
	// to the agent's terminal: the session's for SSH. nil: y says it is
	// off.
	Clipboard func(text string)
	// Keys and Theme come from the config file; nil: the defaults.
	// NoColor draws without any colour (NO_COLOR).
	Keys    *keymap.KeyMap
	Theme   *styles.Theme
	NoColor bool
}

// Every pane and screen keeps the component contract.
var (
	_ common.Component = (*list.Model)(nil)
	_ common.Component = (*thread.Model)(nil)
	_ common.Component = (*compose.Model)(nil)
	_ common.Component = (*statusbar.Model)(nil)
	_ common.Component = (*help.Model)(nil)
	_ common.Component = (*form.Model)(nil)
	_ common.Component = (*progress.Model)(nil)
	_ common.Component = (*history.Model)(nil)
	_ common.Component = (*contact.Model)(nil)
	_ common.Component = (*templates.Model)(nil)
)

// pane is which of the inbox's panes has the keyboard.
type pane int

const (
	paneList pane = iota
	paneThread
	paneCompose
)

// Model is the root. It routes messages to the panes, lays them out, and
// does what crosses panes: the change feed, which conversation is open,
// drafts, and telling the other agents where this one is. What each pane
// shows is the pane's own state.
type Model struct {
	be     Backend
	opts   Options
	common *common.Common
	cancel context.CancelFunc // ends the session's calls and feed

	list      *list.Model
	thread    *thread.Model
	compose   *compose.Model
	statusbar *statusbar.Model
	help      *help.Model
	form      *form.Model
	progress  *progress.Model
	history   *history.Model
	contact   *contact.Model   // in the thread's place while shown (i)
	templates *templates.Model // in the thread's place while open (template_send.go)

	mode     mode // what fills the screen
	focus    pane // in the inbox, which pane has the keyboard
	showHelp bool
	feed     <-chan store.Change
	said     presence  // what this agent last told the others
	writes   *lastWins // orders draft and presence writes (see Close)
	notifier notifier  // title and notify command state (notify.go)
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
	if o.NoColor {
		o.Renderer.SetColorProfile(termenv.Ascii)
	}
	km, theme := keymap.Default(), styles.DefaultTheme()
	if o.Keys != nil {
		km = *o.Keys
	}
	if o.Theme != nil {
		theme = *o.Theme
	}
	st := styles.FromTheme(o.Renderer, theme)
	ctx, cancel := context.WithCancel(context.Background())
	c := &common.Common{Ctx: ctx, Renderer: o.Renderer, Styles: &st, Keys: &km, Logger: o.Logger,
		Agent: o.Agent, Clock: o.Now, TZ: o.TZ, CanExec: o.Programs != nil, Width: 80, Height: 24}
	c.SetNow(o.Now())
	be := o.Backend
	m := &Model{be: be, opts: o, common: c, cancel: cancel, writes: newLastWins(),
		list: list.New(c, be), thread: thread.New(c, be), compose: compose.New(c, be),
		statusbar: statusbar.New(c, be), help: help.New(c),
		form: form.New(c, be), progress: progress.New(c, be), history: history.New(c, be),
		contact: contact.New(c, be), templates: templates.New(c, be)}
	m.notifier = notifier{title: &lastTitle{written: -1}, asked: -1}
	m.thread.SetLabelColours(m.list.LabelColour)
	m.compose.SetFiles(o.Files)
	if o.Pictures != nil {
		m.thread.SetPictures(o.Pictures)
	}
	m.layout()
	return m
}

// Init loads the first screen and starts listening.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.subscribe(), m.list.Load(false), m.list.LoadCounts(), m.statusbar.Load(), m.list.LoadPages()}
	if !m.opts.NoTick {
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return common.TickMsg(t) })
}

// Update routes msg, then tells the status bar what the list holds.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.route(msg)
	m.statusbar.SetSelected(m.list.MarkedCount())
	if title := m.retitle(); title != nil {
		cmd = tea.Batch(cmd, title)
	}
	return m, cmd
}

// route hands msg to whoever it is for. A pane's own messages go to every
// pane, and each takes only its own.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.campaignUpdate(msg); ok {
		return cmd
	}
	if cmd, ok := m.feedUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.common.Width, m.common.Height = msg.Width, msg.Height
		m.layout()
		return m.syncThreadToList()
	case common.TickMsg:
		return m.tick(msg)
	case list.LoadedMsg:
		return tea.Batch(m.list.Update(msg), m.syncThreadToList())
	case statusbar.StatusMsg:
		m.thread.SetHeld(msg.Sending != "")
		m.compose.SetPageName(msg.PageName)
		return m.statusbar.Update(msg)
	case compose.SentMsg:
		cmd := m.compose.Update(msg)
		if msg.Err != nil || msg.Key != m.compose.Key() {
			return cmd
		}
		return tea.Batch(cmd, m.saveDraft(), m.announce(msg.Key, false))
	case thread.QuoteMsg:
		m.compose.Quote(msg.Message)
		m.setFocus(paneCompose)
		return nil
	case draftMsg:
		m.compose.Restore(msg.key, msg.text)
		return nil
	case editorReadyMsg:
		return m.runEditor(msg)
	case editedMsg:
		if msg.err != nil {
			m.setErr("editor", msg.err)
			return nil
		}
		m.compose.SetText(msg.key, msg.text)
		return m.saveDraft()
	case common.ErrMsg, common.NoteMsg:
		return m.statusbar.Update(msg)
	case thread.OpenLinkMsg:
		return m.openLink(msg.URL)
	case thread.CopyMsg:
		return m.copyText(msg.Text)
	case notifyDoneMsg:
		return m.notifyUpdate(msg)
	case tea.MouseMsg:
		return m.mouse(msg)
	case tea.KeyMsg:
		return m.key(msg)
	}
	return tea.Batch(m.list.Update(msg), m.thread.Update(msg), m.form.Update(msg),
		m.progress.Update(msg), m.history.Update(msg), m.compose.Update(msg), m.contact.Update(msg), m.templates.Update(msg))
}

// tick moves the frame's time, and does what is due: the status, the
// campaign's replies, saving a draft a second after the last edit, and
// saying the agent stopped typing after four.
func (m *Model) tick(msg common.TickMsg) tea.Cmd {
	now := time.Time(msg)
	m.common.SetNow(now)
	cmds := []tea.Cmd{tick(), m.statusbar.Update(msg), m.thread.Update(msg)}
	if m.mode == modeCampaign {
		cmds = append(cmds, m.progress.Update(msg))
	}
	if m.compose.Dirty() && now.Sub(m.compose.EditedAt()) > time.Second {
		cmds = append(cmds, m.saveDraft())
	}
	if m.said.typing && now.Sub(m.compose.EditedAt()) > 4*time.Second {
		cmds = append(cmds, m.announce(m.said.key, false))
	}
	return tea.Batch(cmds...)
}

// setNote shows news that is not an error in the status bar for a while.
func (m *Model) setNote(text string) { m.statusbar.Update(common.NoteMsg(text)) }

// setErr shows a failure in the status bar.
func (m *Model) setErr(op string, err error) { m.statusbar.Update(common.ErrMsg{Op: op, Err: err}) }
