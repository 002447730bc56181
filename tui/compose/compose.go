// Package compose is the reply box: the agent's reply to the open
// conversation, and a footer that says, before anything is sent, what will
// go out and why, or why nothing can.
package compose

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Backend is what the reply box asks of the inbox.
type Backend interface {
	// Send queues a reply; the policy is checked again when it is queued
	// and when it is sent.
	Send(ctx context.Context, s store.Send) (store.OutboxItem, error)
	// Replies are a Page's saved replies (the picker).
	Replies(ctx context.Context, pageID string) ([]store.SavedReply, error)
	// Upload takes an attached file's bytes to Meta (inbox.Backend).
	Upload(ctx context.Context, f inbox.UploadRequest, r io.Reader, progress func(sent int64)) (store.UploadedFile, error)
}

// SentMsg is the answer to a send. The root, seeing one that went out,
// saves the now empty draft and tells the others the agent stopped typing.
type SentMsg struct {
	Key  store.ConvKey
	Item store.OutboxItem
	Err  error
	// Files is how many of the attached files went out (the text with
	// the first); the others stay attached.
	Files int
	run   *sendRun
}

// Model is the reply box.
type Model struct {
	common     *common.Common
	be         Backend
	area       textarea.Model
	key        store.ConvKey
	conv       store.Conversation
	humanAgent bool // the agent confirmed a person is replying (HUMAN_AGENT)
	dirty      bool // changed since the draft was last saved
	editedAt   time.Time
	width      int
	height     int
	pick       picker        // the saved-reply picker
	pageName   string        // for {page}
	quote      store.Message // the message the reply answers (R); zero: none
	att        attachState   // ctrl+a's files (attach.go)
}

// New returns an empty reply box.
func New(c *common.Common, be Backend) *Model {
	st := c.Styles
	ta := textarea.New()
	ta.Placeholder = "Write a reply…"
	ta.ShowLineNumbers = false
	ta.Prompt = ""
	ta.FocusedStyle = textarea.Style{Base: st.App, CursorLine: st.App, Placeholder: st.Dim, Prompt: st.App, Text: st.App,
		EndOfBuffer: st.Dim, LineNumber: st.Dim, CursorLineNumber: st.Dim}
	ta.BlurredStyle = ta.FocusedStyle
	ta.Cursor.Style = st.App
	ta.CharLimit = 0 // the counter shows the limit; a paste is never cut silently
	ta.MaxHeight = 0
	ta.KeyMap.InsertNewline = c.Keys.Newline
	return &Model{common: c, be: be, area: ta, att: attachState{input: newPathInput(c)}}
}

// SetSize gives the box w×h cells: the text, then the footer.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.area.SetWidth(max(4, w))
	m.fit()
}

// SetCursorMode sets how the cursor blinks.
func (m *Model) SetCursorMode(mode cursor.Mode) tea.Cmd { return m.area.Cursor.SetMode(mode) }

// Focus gives the box the keyboard. Its cursor does not blink: a blink
// would be a timer the root never asked for.
func (m *Model) Focus() { m.area.Focus() }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.area.Blur() }

func (m *Model) Focused() bool                    { return m.area.Focused() }
func (m *Model) Conversation() store.Conversation { return m.conv }
func (m *Model) Key() store.ConvKey               { return m.key }
func (m *Model) Value() string                    { return m.area.Value() }
func (m *Model) HumanAgent() bool                 { return m.humanAgent }
func (m *Model) Dirty() bool                      { return m.dirty }
func (m *Model) EditedAt() time.Time              { return m.editedAt }

// Load switches to a conversation; its saved draft follows (Restore).
func (m *Model) Load(conv store.Conversation) {
	m.conv = conv
	if m.key == conv.ConvKey {
		return
	}
	m.key, m.humanAgent, m.dirty = conv.ConvKey, false, false
	m.pick = picker{}
	m.att.list = nil // files chosen for one customer never go to another
	m.closeAttach()
	m.ClearQuote()
	m.area.Reset()
}

// SetConversation takes a newer state of the conversation (its window).
func (m *Model) SetConversation(c store.Conversation) {
	if c.ConvKey == m.key {
		m.conv = c
	}
}

// Restore puts a loaded draft in, unless the agent typed meanwhile.
func (m *Model) Restore(key store.ConvKey, draft string) {
	if key != m.key || m.dirty || m.area.Value() != "" {
		return
	}
	m.area.SetValue(draft)
	m.area.CursorEnd()
}

// SetText puts text written elsewhere (the editor) in, as an edit.
func (m *Model) SetText(key store.ConvKey, text string) {
	if key != m.key {
		return
	}
	m.area.SetValue(text)
	m.dirty, m.editedAt = true, m.common.Now()
}

// TakeDraft is the draft to save, if it changed since the last save;
// it counts as saved from now.
func (m *Model) TakeDraft() (store.ConvKey, string, bool) {
	if !m.dirty || m.key.PSID == "" {
		return store.ConvKey{}, "", false
	}
	m.dirty = false
	return m.key, m.area.Value(), true
}

// Update takes the keys of the focused box (leaving it and the editor
// are the root's) and the answers to its sends.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case SentMsg:
		if msg.run != nil {
			m.sentWithFiles(msg)
		}
		if msg.Err != nil {
			return common.ErrorCmd("send", msg.Err)
		}
		if msg.Key == m.key && msg.run == nil {
			m.area.Reset()
			m.dirty = true
			m.humanAgent = false
			m.ClearQuote()
		}
	case repliesMsg:
		if !m.pick.open || msg.pageID != m.key.PageID {
			return nil
		}
		if msg.err != nil {
			m.pick = picker{}
			return common.ErrorCmd("saved replies", msg.err)
		}
		m.pick.replies, m.pick.loaded = msg.replies, true
	case uploadMsg:
		if msg.run != m.att.run {
			return nil
		}
		m.att.run.shown = msg
		return msg.run.wait
	case completedMsg:
		m.completed(msg)
	case attachedMsg:
		return m.attached(msg)
	case tea.KeyMsg:
		m.att.note = ""
		if m.att.open {
			return m.attachKey(msg)
		}
		if m.pick.open {
			return m.pickKey(msg)
		}
		return m.press(msg)
	}
	return nil
}

func (m *Model) press(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	switch {
	case key.Matches(msg, k.Attach):
		return m.openAttach()
	case key.Matches(msg, k.AttachRemove):
		m.removeLast()
		return nil
	case key.Matches(msg, k.SavedReply):
		return m.openPicker(false)
	case key.Matches(msg, k.ReplyShortcut) && m.atWordStart():
		return m.openPicker(true)
	case key.Matches(msg, k.HumanAgent):
		if m.plan().canTag {
			m.humanAgent = !m.humanAgent
			return nil
		}
		return common.ErrorCmd("HUMAN_AGENT", common.Error("only outside the 24 h window and within 7 days"))
	case key.Matches(msg, k.Send) && !key.Matches(msg, k.Newline):
		if strings.TrimSpace(m.area.Value()) == "" && len(m.att.list) == 0 {
			return nil
		}
		if m.att.run != nil {
			m.att.note = "still sending the last reply"
			return nil
		}
		m.common.Refresh() // checked against the clock of this moment, not of the last frame
		p := m.plan()
		if !p.ok {
			return common.ErrorCmd("not sent", common.Error(p.line))
		}
		if len(m.att.list) > 0 {
			return m.sendWithFiles(p)
		}
		return m.send(p)
	}
	before := m.area.Value()
	var cmd tea.Cmd
	m.area, cmd = m.area.Update(msg)
	if m.area.Value() != before {
		m.dirty, m.editedAt = true, m.common.Now()
	}
	return cmd
}

func (m *Model) send(p plan) tea.Cmd {
	be, ctx, key := m.be, m.common.Ctx, m.key
	s := store.Send{ConvKey: key, Text: strings.TrimSpace(m.area.Value()), MessagingType: p.mt, Tag: p.tag, ReplyTo: m.quote.MID}
	return func() tea.Msg {
		item, err := be.Send(ctx, s)
		return SentMsg{Key: key, Item: item, Err: err}
	}
}

// ShortHelp is the box's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	if m.pick.open {
		return []key.Binding{k.PickChoose, k.PickUp, k.PickDown, k.PickCancel}
	}
	if m.att.open {
		return []key.Binding{k.AttachComplete, k.AttachRemove, k.PickCancel}
	}
	return []key.Binding{k.Send, k.Newline, k.Editor, k.HumanAgent, k.Back, k.NextPane}
}
