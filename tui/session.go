package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// What crosses panes: which conversation is open, its draft, and where
// this agent tells the others it is.

// presence is what this agent last told the others.
type presence struct {
	key    store.ConvKey // the conversation it is in; zero: none
	typing bool
	at     time.Time // when it last said it was typing
}

// syncThreadToList keeps the thread pane on the conversation under the
// cursor in the wide layout.
func (m *Model) syncThreadToList() tea.Cmd {
	c, ok := m.list.Current()
	if !ok || (m.thread.IsOpen() && c.ConvKey == m.thread.Key()) || m.narrow() {
		return nil
	}
	return m.openThread(c, false)
}

// openThread shows c in the thread and the reply box, with this agent's
// draft; focusing it (enter) also marks it read.
func (m *Model) openThread(c store.Conversation, focus bool) tea.Cmd {
	var cmds []tea.Cmd
	if m.compose.Key() != c.ConvKey {
		cmds = append(cmds, m.saveDraft(), m.loadDraft(c.ConvKey))
	}
	cmds = append(cmds, m.thread.Show(c))
	if m.contact.Visible() && m.contact.Key() != c.ConvKey {
		cmds = append(cmds, m.contact.Show(c.ConvKey))
	}
	m.compose.Load(c)
	if focus {
		m.setFocus(paneCompose)
		if c.Unread > 0 {
			cmds = append(cmds, m.markRead(c.ConvKey))
		}
	}
	return tea.Batch(append(cmds, m.followFocus())...)
}

func (m *Model) markRead(key store.ConvKey) tea.Cmd {
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		if err := be.MarkRead(ctx, key); err != nil {
			return common.ErrMsg{Op: "mark read", Err: err}
		}
		return nil
	}
}

// draftMsg is this agent's saved draft of a conversation.
type draftMsg struct {
	key  store.ConvKey
	text string
}

// loadDraft reads this agent's saved draft of a thread.
func (m *Model) loadDraft(key store.ConvKey) tea.Cmd {
	be, ctx := m.be, m.common.Ctx
	return func() tea.Msg {
		text, err := be.Draft(ctx, key)
		if err != nil {
			return common.ErrMsg{Op: "load draft", Err: err}
		}
		return draftMsg{key, text}
	}
}

// saveDraft writes the reply box's draft, if it changed since the last
// save.
func (m *Model) saveDraft() tea.Cmd {
	key, text, ok := m.compose.TakeDraft()
	if !ok {
		return nil
	}
	be, ctx := m.be, context.WithoutCancel(m.common.Ctx) // saved even while quitting
	save := func(ctx context.Context) error { return be.SaveDraft(ctx, key, text) }
	w, ticket := m.writes, m.writes.decide(key, save)
	return func() tea.Msg {
		if err := w.do(ctx, key, ticket, save); err != nil {
			return common.ErrMsg{Op: "save draft", Err: err}
		}
		return nil
	}
}

// announce tells the other agents where this one is and whether they are
// typing. Only changes, and typing at most every 3 s, reach the backend.
func (m *Model) announce(key store.ConvKey, typing bool) tea.Cmd {
	now := m.common.Now()
	if key == m.said.key && typing == m.said.typing && (!typing || now.Sub(m.said.at) < 3*time.Second) {
		return nil
	}
	m.said.key, m.said.typing = key, typing
	if typing {
		m.said.at = now
	}
	be, ctx := m.be, context.WithoutCancel(m.common.Ctx)
	say := func(ctx context.Context) error { return be.Presence(ctx, key, typing) }
	w, ticket := m.writes, m.writes.decide(presenceWrite{}, say)
	presence := func() tea.Msg {
		if err := w.do(ctx, presenceWrite{}, ticket, say); err != nil {
			return common.ErrMsg{Op: "presence", Err: err}
		}
		return nil
	}
	if !typing {
		return presence
	}
	// typing_on (throttled where the dispatcher is) goes beside, so a slow
	// Meta never holds presence back; a lost indicator is not worth a word.
	return tea.Batch(presence, func() tea.Msg { be.Typing(ctx, key); return nil })
}

// followFocus tells the others which conversation this agent is in: the
// one open in the thread or compose pane, none from the list.
func (m *Model) followFocus() tea.Cmd {
	if m.focus == paneList || !m.thread.IsOpen() {
		return m.announce(store.ConvKey{}, false)
	}
	return m.announce(m.thread.Key(), m.said.typing && m.said.key == m.thread.Key())
}

// quit saves the draft and tells the others this agent left, then ends.
func (m *Model) quit() tea.Cmd {
	save, leave := m.saveDraft(), m.announce(store.ConvKey{}, false)
	m.cancel()
	// The draft is written, and the others told we left, before the end.
	return tea.Sequence(tea.Batch(save, leave), tea.Quit)
}

func (m *Model) quitting() bool { return m.common.Ctx.Err() != nil }
