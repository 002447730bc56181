// Package templates is "send a template": for a conversation outside the
// 24 h window, pick one of the Page's approved Utility templates, fill in
// its parameters while a preview shows the message, and send it with
// messaging_type UTILITY. Templates that cannot be sent (pending,
// rejected, marketing) are listed greyed with why, never picked.
package templates

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/tui/picker"
)

// Backend is what sending a template asks of the inbox.
type Backend interface {
	Templates(ctx context.Context, pageID string) ([]store.Template, error)
	Send(ctx context.Context, s store.Send) (store.OutboxItem, error)
}

// SentMsg is the answer to a template send.
type SentMsg struct {
	Key  store.ConvKey
	Item store.OutboxItem
	Err  error
}

// ChosenMsg is a template picked and filled for a campaign (OpenChooser):
// nothing was sent. Body is its text with the values in.
type ChosenMsg struct {
	PageID   string
	Template store.TemplateSend
	Body     string
}

// loadedMsg is a Page's templates, for the conversation they were asked for.
type loadedMsg struct {
	key store.ConvKey
	ts  []store.Template
	err error
}

// Model is the template screen of one conversation: the list, then the
// form of the picked template.
type Model struct {
	common  *common.Common
	be      Backend
	key     store.ConvKey
	open    bool
	loaded  bool
	all     []store.Template
	pick    *picker.Model
	form    *form // the picked template's; nil while picking
	sending bool
	choose  bool   // for a campaign: enter hands the filled template back (ChosenMsg)
	err     string // why the last send was refused
	width   int
	height  int
}

// New returns a closed template screen.
func New(c *common.Common, be Backend) *Model { return &Model{common: c, be: be} }

// Open shows the screen for key's conversation and loads its Page's
// templates.
func (m *Model) Open(key store.ConvKey) tea.Cmd {
	*m = Model{common: m.common, be: m.be, key: key, open: true, width: m.width, height: m.height}
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		ts, err := be.Templates(ctx, key.PageID)
		return loadedMsg{key: key, ts: ts, err: err}
	}
}

// OpenChooser shows the screen to pick and fill a template of pageID for
// a campaign's recipients outside the window: enter sends nothing, it
// hands the template back as a ChosenMsg.
func (m *Model) OpenChooser(pageID string) tea.Cmd {
	cmd := m.Open(store.ConvKey{PageID: pageID})
	m.choose = true
	return cmd
}

// Choosing: the screen is open for a campaign (OpenChooser).
func (m *Model) Choosing() bool { return m.open && m.choose }

// IsOpen: the screen has the keyboard.
func (m *Model) IsOpen() bool { return m.open }

// Close hides the screen.
func (m *Model) Close() { m.open, m.form, m.pick = false, nil, nil }

// SetSize gives the screen w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.pick != nil {
		m.pick.SetSize(w, max(1, h-1))
	}
	if m.form != nil {
		m.form.setWidth(w)
	}
}

// Update takes the loaded templates, the answer to a send, and keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if !m.open || msg.key != m.key {
			return nil
		}
		if msg.err != nil {
			m.Close()
			return common.ErrorCmd("templates", msg.err)
		}
		m.loaded, m.all = true, sortForPicking(msg.ts)
		title := "Send a template · outside the 24 h window"
		if m.choose {
			title = "Campaign template · for the recipients outside the 24 h window"
		}
		m.pick = picker.New(m.common, title, "filter templates", m.items(), nil)
		m.pick.SetCursorMode(cursor.CursorStatic) // a blink is a timer the root never asked for
		m.SetSize(m.width, m.height)
	case SentMsg:
		if msg.Key != m.key || !m.sending {
			return nil
		}
		m.sending = false
		if msg.Err != nil {
			m.err = msg.Err.Error()
			return nil
		}
		name := m.form.t.Name
		m.Close()
		return common.NoteCmd("template " + inert.Line(name) + " queued (UTILITY)")
	case tea.KeyMsg:
		if !m.open || !m.loaded || m.sending {
			if m.open && key.Matches(msg, m.common.Keys.Back) {
				m.Close()
			}
			return nil
		}
		if m.form != nil {
			return m.formKey(msg)
		}
		return m.pickKey(msg)
	}
	return nil
}

func (m *Model) pickKey(msg tea.KeyMsg) tea.Cmd {
	out, cmd := m.pick.Update(msg)
	switch out {
	case picker.Cancelled:
		m.Close()
	case picker.Picked:
		it, _ := m.pick.Current()
		i, _ := slices.BinarySearchFunc(m.all, it.Value, func(t store.Template, v string) int { return strings.Compare(id(t), v) })
		m.form, m.err = newForm(m.common, m.all[i]), ""
		m.form.forCampaign = m.choose
		m.form.setWidth(m.width)
	}
	return cmd
}

func (m *Model) formKey(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	switch {
	case key.Matches(msg, k.Back):
		m.form, m.err = nil, "" // back to the list
		return nil
	case key.Matches(msg, k.Send):
		m.form.tried = true
		if !m.form.complete() {
			m.form.focusMissing()
			return nil
		}
		if m.choose {
			return m.chosen()
		}
		return m.send()
	}
	return m.form.update(msg)
}

// chosen hands the filled template to the campaign form.
func (m *Model) chosen() tea.Cmd {
	t, values := m.form.t, m.form.values()
	msg := ChosenMsg{PageID: m.key.PageID, Template: store.TemplateSend{Name: t.Name, Lang: t.Lang, Params: values}, Body: t.Fill(values)}
	m.Close()
	return func() tea.Msg { return msg }
}

// send queues the filled template as UTILITY.
func (m *Model) send() tea.Cmd {
	m.sending, m.err = true, ""
	t := m.form.t
	s := store.Send{ConvKey: m.key, MessagingType: store.Utility,
		Template: &store.TemplateSend{Name: t.Name, Lang: t.Lang, Params: m.form.values()}}
	be, ctx, key := m.be, m.common.Ctx, m.key
	return func() tea.Msg {
		item, err := be.Send(ctx, s)
		return SentMsg{Key: key, Item: item, Err: err}
	}
}

// items are the picker's rows: the sendable ones first, the others
// greyed with their status and never taken.
func (m *Model) items() []picker.Item {
	s := m.common.Styles
	var items []picker.Item
	for _, t := range m.all {
		it := picker.Item{Title: t.Name, Value: id(t),
			View: inert.Line(t.Name) + s.Dim.Render(" "+inert.Line(t.Lang)+" · "+common.OneLine(t.Body))}
		if !t.Sendable() {
			it.View = s.Dim.Render(inert.Line(t.Name) + " " + inert.Line(t.Lang))
			it.Invalid = whyNot(t)
		}
		items = append(items, it)
	}
	return items
}

// whyNot says why a template cannot be sent.
func whyNot(t store.Template) string {
	if t.Category != "UTILITY" {
		return fmt.Sprintf("%s: never sent (marketing is not allowed)", t.Category)
	}
	return fmt.Sprintf("%s: only APPROVED templates go out", t.Status)
}

// sortForPicking puts the sendable templates first, each group by name
// and language; the picker finds a row's template by its id.
func sortForPicking(ts []store.Template) []store.Template {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b store.Template) int { return strings.Compare(id(a), id(b)) })
	return ts
}

// id orders and names a template: sendable first, then name, language.
func id(t store.Template) string {
	group := "1"
	if t.Sendable() {
		group = "0"
	}
	return group + "\x00" + t.Name + "\x00" + t.Lang
}

// ShortHelp is the screen's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	if m.form != nil {
		return []key.Binding{k.Send, k.NextPane, k.PickUp, k.PickDown, k.Back}
	}
	return []key.Binding{k.Open, k.PickUp, k.PickDown, k.Back}
}

// Key is the conversation the screen sends to.
func (m *Model) Key() store.ConvKey { return m.key }
