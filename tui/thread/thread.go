// Package thread is the open conversation: its messages, oldest at the
// top, the window's state, who else is in it, and older history loaded as
// the agent scrolls up.
package thread

import (
	"context"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// PageSize is how many messages one load brings.
const PageSize = 50

// Backend is what the thread asks of the inbox.
type Backend interface {
	Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error)
	// Resend sends an outbox item whose fate is unknown again, as a new
	// item: only ever the agent's decision (r).
	Resend(ctx context.Context, id uint64) (store.OutboxItem, error)
	// Notes are a conversation's private notes; AddNote writes one as
	// this session's agent. Neither reaches Meta.
	Notes(ctx context.Context, key store.ConvKey) ([]store.Note, error)
	AddNote(ctx context.Context, key store.ConvKey, text string) (store.Note, error)
	// React puts the Page's reaction on a message (emoji "": off).
	React(ctx context.Context, key store.ConvKey, mid, emoji string) (store.Message, error)
}

// Model is the thread pane. What it shows is drawn when it changes, in
// Update and SetSize: each message's lines are cached, and the thread's
// lines kept, so View only picks the lines on screen and a key that
// scrolls draws nothing anew.
type Model struct {
	common *common.Common
	be     Backend

	cursorMode cursor.Mode // of the note box

	key     store.ConvKey
	conv    store.Conversation
	open    bool
	msgs    []store.Message
	notes   []store.Note // private notes, oldest first
	byID    map[string]int
	byMID   map[string]int
	before  store.Cursor // older history; "" when it is all here
	loading bool
	loaded  bool
	gen     int // bumped by every fresh load; older pages of a past one are dropped
	// held: sending is stopped (the Page token was refused), so queued
	// replies wait for it to work again.
	held bool
	// presence is which agents are where, as the others announced it.
	presence map[store.ConvKey][]store.AgentPresence
	// labelColour is a label's colour on a Page ("" unknown), as the list
	// has them; nil draws every chip dim.
	labelColour func(page, name string) string

	scroll        int // lines scrolled up from the bottom
	width, height int
	cache         map[string]rendered // each message's lines, by message ID
	lines         []string            // the thread's lines, each cut to the width
	marked        bool                // lines[0] is the "older messages" line
	day           string              // the day the lines were drawn on ("Today")

	pics pictures // image previews; off until SetPictures

	focus      string // the focused message's ID; "" is the newest, unmarked
	focusLines [2]int // the focused message's lines: first, one past the last

	noting bool            // the note box has the keyboard
	input  textinput.Model // the note box; its draft stays when closed
	react  reactPicker     // the reaction picker (+)
}

// New returns a thread pane with no conversation open.
func New(c *common.Common, be Backend) *Model {
	return &Model{common: c, be: be, byID: map[string]int{}, byMID: map[string]int{},
		presence: map[store.ConvKey][]store.AgentPresence{}, cache: map[string]rendered{}}
}

// loadedMsg is a page of the thread.
type loadedMsg struct {
	key   store.ConvKey
	gen   int
	page  store.ThreadPage
	older bool
	err   error
}

// SetSize gives the pane w×h cells; a new width draws every message anew.
func (m *Model) SetSize(w, h int) {
	if w != m.width {
		clear(m.cache)
		m.width, m.height = w, h
		m.redraw()
		return
	}
	m.height = h
	m.clampScroll()
}

// SetLabelColours is where the header's label chips take their colours.
func (m *Model) SetLabelColours(colour func(page, name string) string) { m.labelColour = colour }

// Show switches to a conversation; its messages come in a load, which
// Show returns when the conversation was not already open.
func (m *Model) Show(c store.Conversation) tea.Cmd {
	changed := m.key != c.ConvKey || !m.open
	if m.key != c.ConvKey {
		m.msgs, m.notes, m.before, m.scroll, m.loaded = nil, nil, "", 0, false
		m.noting, m.focus, m.react = false, "", reactPicker{}
		m.input.Reset()
		clear(m.byID)
		clear(m.byMID)
		clear(m.cache)
		m.forgetPictures()
	}
	m.key, m.conv, m.open = c.ConvKey, c, true
	m.redraw()
	if changed {
		return tea.Batch(m.load(false), m.loadNotes())
	}
	return nil
}

// Reload loads the open thread's newest page again (changes were missed).
func (m *Model) Reload() tea.Cmd {
	if !m.open {
		return nil
	}
	return tea.Batch(m.load(false), m.loadNotes())
}

func (m *Model) load(older bool) tea.Cmd {
	key, before := m.key, store.Cursor("")
	if older {
		before = m.before
	} else {
		m.gen++
	}
	m.loading = true
	be, ctx, gen := m.be, m.common.Ctx, m.gen
	return func() tea.Msg {
		p, err := be.Thread(ctx, key, before, PageSize)
		return loadedMsg{key: key, gen: gen, page: p, older: older, err: err}
	}
}

// Update takes the thread's pages, the clock (the day's labels move at
// midnight), and the keys of the focused thread: movement and r. Leaving
// the pane is the root's.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.key != m.key || msg.gen != m.gen {
			return nil // for a thread or a load that is no longer on screen
		}
		if msg.err != nil {
			m.loading = false
			return common.ErrorCmd("load thread", msg.err)
		}
		m.setPage(msg.page, msg.older)
		return m.FetchPictures()
	case pictureMsg:
		m.setPicture(msg)
	case notesMsg:
		return m.setNotes(msg)
	case NoteSavedMsg:
		if msg.Err != nil {
			return common.ErrorCmd("note", msg.Err)
		}
		m.ApplyNote(msg.Note)
		return common.NoteCmd("note saved: the team sees it, the customer never does")
	case common.TickMsg:
		if m.today() != m.day {
			m.redraw()
		}
	case reactedMsg:
		return m.reacted(msg)
	case tea.KeyMsg:
		return m.press(msg)
	}
	return nil
}

func (m *Model) press(msg tea.KeyMsg) tea.Cmd {
	if m.noting {
		return m.noteKey(msg)
	}
	if m.react.open {
		return m.reactKey(msg)
	}
	k := m.common.Keys
	switch {
	case key.Matches(msg, k.Note):
		return m.StartNote()
	case key.Matches(msg, k.QuoteReply):
		return m.quote()
	case key.Matches(msg, k.React):
		return m.openReact()
	}
	if nav, ok := k.Navigate(msg, max(1, m.height-2)); ok {
		switch nav.Jump {
		case -1:
			m.scroll = 1 << 30
		case 1:
			m.scroll = 0
		}
		return m.scrollBy(-nav.Delta, true)
	}
	if key.Matches(msg, k.Resend) {
		return m.resend()
	}
	cmd, _ := m.messageKey(msg)
	return cmd
}

// Scroll moves the lines on screen up by delta (the mouse wheel).
func (m *Model) Scroll(up int) tea.Cmd { return m.scrollBy(up, up > 0) }

// scrollBy moves up lines; reaching the top with older history loads it
// when load.
func (m *Model) scrollBy(up int, load bool) tea.Cmd {
	m.scroll = max(0, m.scroll+up)
	m.clampScroll()
	if load && m.before != "" && !m.loading && m.atTop() {
		return m.load(true)
	}
	return nil
}

// ShortHelp is the thread's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	if m.noting {
		return []key.Binding{k.NoteSave, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Resend, k.Back, k.NextPane, k.Help}
}

// resend sends the newest message of ours that may have been sent once
// more, as a new message: the agent decides, having looked.
func (m *Model) resend() tea.Cmd {
	msg, ok := m.LastUnknown()
	if !ok {
		return common.ErrorCmd("send again", common.Error("nothing here may have been lost: r sends again a reply marked \"may have been sent\""))
	}
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		if _, err := be.Resend(ctx, msg.OutboxID); err != nil {
			return common.ErrMsg{Op: "send again", Err: err}
		}
		return common.NoteMsg("sent again as a new message: if the first did arrive, the customer has it twice")
	}
}
