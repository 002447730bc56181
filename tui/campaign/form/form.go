// Package form is the campaign form (bulk compose): the message to the
// selected conversations and, before anything is sent, the eligibility
// ledger of who will get it, who is skipped and why.
package form

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Backend is what the form asks of the inbox.
type Backend interface {
	Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error)
	StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error)
}

// StartedMsg is the answer to y. The root, seeing a campaign started,
// forgets the selection and shows the campaign's progress.
type StartedMsg struct {
	Campaign store.Campaign
	Err      error
}

// ledgerMsg is the eligibility of the recipients of request seq.
type ledgerMsg struct {
	seq    int
	ledger store.Ledger
}

// The form's fields, in tab order.
const (
	fieldTitle = iota
	fieldText
	fieldImage
	fields
)

// Model is the campaign form.
type Model struct {
	common     *common.Common
	be         Backend
	keys       []store.ConvKey
	ledger     *store.Ledger
	loading    bool
	title      textinput.Model
	text       textarea.Model
	image      textinput.Model
	field      int
	confirming bool
	starting   bool
	seq        int // the ledger request in flight; older answers are dropped
	// template goes to the recipients outside the window (template.go).
	template     *store.TemplateSend
	templateBody string
	width        int
	height       int
}

// New returns an empty form.
func New(c *common.Common, be Backend) *Model {
	m := &Model{common: c, be: be}
	m.Reset()
	return m
}

// Reset empties the form (its campaign started).
func (m *Model) Reset() {
	st := m.common.Styles
	title := m.common.Input("Title: ", "campaign title (for your records)", st.Bold)
	title.CharLimit = 120
	text := textarea.New()
	text.Placeholder = "The message every eligible recipient gets…"
	text.ShowLineNumbers = false
	text.Prompt = ""
	text.CharLimit = 0
	text.KeyMap.InsertNewline = m.common.Keys.FormNewline
	text.FocusedStyle = textarea.Style{Base: st.App, CursorLine: st.App, Placeholder: st.Dim, Prompt: st.App, Text: st.App,
		EndOfBuffer: st.Dim, LineNumber: st.Dim, CursorLineNumber: st.Dim}
	text.BlurredStyle = text.FocusedStyle
	text.Cursor.Style = st.App
	image := m.common.Input("Image: ", "optional https:// image URL, sent after the text", st.Bold)
	w, h := m.width, m.height
	*m = Model{common: m.common, be: m.be, title: title, text: text, image: image}
	m.SetSize(w, h)
}

// SetSize fits the message box to the form.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.text.SetWidth(max(10, w))
	m.text.SetHeight(max(2, min(8, h/4)))
	m.title.Width, m.image.Width = max(10, w-8), max(10, w-8)
}

// SetCursorMode sets how the fields' cursors blink.
func (m *Model) SetCursorMode(mode cursor.Mode) {
	m.title.Cursor.SetMode(mode)
	m.text.Cursor.SetMode(mode)
	m.image.Cursor.SetMode(mode)
}

// Open shows the form for keys (in a fixed order), with the message kept
// from before and a fresh ledger.
func (m *Model) Open(keys []store.ConvKey) tea.Cmd {
	m.keys, m.ledger, m.loading = keys, nil, true
	m.confirming, m.starting = false, false
	m.field = fieldText
	m.seq++
	be, ctx, seq := m.be, m.common.Ctx, m.seq
	load := func() tea.Msg {
		l, err := be.Eligibility(ctx, keys)
		if err != nil {
			return common.ErrMsg{Op: "eligibility", Err: err}
		}
		return ledgerMsg{seq, l}
	}
	return tea.Batch(m.focus(), load)
}

func (m *Model) focus() tea.Cmd {
	m.title.Blur()
	m.text.Blur()
	m.image.Blur()
	switch m.field {
	case fieldTitle:
		return m.title.Focus()
	case fieldText:
		return m.text.Focus()
	}
	return m.image.Focus()
}

// Ledger is the recipients' eligibility; nil while it loads.
func (m *Model) Ledger() *store.Ledger { return m.ledger }

// Idle: the form is neither asking to confirm nor starting, so esc
// leaves it.
func (m *Model) Idle() bool { return !m.confirming && !m.starting }

func (m *Model) Confirming() bool  { return m.confirming }
func (m *Model) Field() int        { return m.field }
func (m *Model) Text() string      { return m.text.Value() }
func (m *Model) TextFocused() bool { return m.text.Focused() }
func (m *Model) TextWidth() int    { return m.text.Width() }

// ShortHelp is the form's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	return []key.Binding{k.NextPane, k.Submit, k.Back}
}

// start writes the campaign: the message, and the ledger the agent saw.
func (m *Model) start() tea.Cmd {
	c := store.Campaign{Title: strings.TrimSpace(m.title.Value()), Text: strings.TrimSpace(m.text.Value()),
		ImageURL: strings.TrimSpace(m.image.Value())}
	if c.Title == "" {
		c.Title = "Campaign " + m.common.Local(m.common.Now()).Format("2 Jan 15:04")
	}
	l := m.routed()
	c.PageID, c.Template = l.PageID, m.template
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		got, err := be.StartCampaign(ctx, c, l)
		return StartedMsg{got, err}
	}
}
