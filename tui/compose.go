package tui

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/textarea"

	"github.com/pageinbox/pageinbox/store"
)

// composePane is where a reply is written. Its footer says, before
// anything is sent, what will go out and why, or why nothing can.
type composePane struct {
	area       textarea.Model
	key        store.ConvKey
	humanAgent bool // the user confirmed a person is replying (HUMAN_AGENT)
	dirty      bool // changed since the draft was last saved
	editedAt   time.Time
	width      int
	height     int
}

func newComposePane(km *KeyMap, st *Styles) composePane {
	ta := textarea.New()
	ta.Placeholder = "Write a reply…"
	ta.ShowLineNumbers = false
	ta.Prompt = ""
	// The session's renderer, not lipgloss's global one: over SSH each
	// client has its own colour profile.
	ta.FocusedStyle = textarea.Style{Base: st.App, CursorLine: st.App, Placeholder: st.Dim, Prompt: st.App, Text: st.App,
		EndOfBuffer: st.Dim, LineNumber: st.Dim, CursorLineNumber: st.Dim}
	ta.BlurredStyle = ta.FocusedStyle
	ta.Cursor.Style = st.App
	ta.CharLimit = 0 // the counter shows the limit; a paste is never cut silently
	ta.MaxHeight = 0
	ta.KeyMap.InsertNewline = km.Newline
	return composePane{area: ta}
}

func (c *composePane) setSize(w, h int) {
	c.width, c.height = w, h
	c.area.SetWidth(max(4, w))
	c.area.SetHeight(max(1, h-1))
}

// load switches to a conversation and its saved draft.
func (c *composePane) load(conv store.Conversation) {
	if c.key == conv.ConvKey {
		return
	}
	c.key, c.humanAgent, c.dirty = conv.ConvKey, false, false
	c.area.Reset() // the saved draft follows (draftMsg)
}

// restore puts a loaded draft in, unless the user typed meanwhile.
func (c *composePane) restore(key store.ConvKey, draft string) {
	if key != c.key || c.dirty || c.area.Value() != "" {
		return
	}
	c.area.SetValue(draft)
	c.area.CursorEnd()
}

// plan is what pressing enter would do now.
type plan struct {
	ok      bool
	mt      store.MessagingType
	tag     string
	line    string // the footer
	canTag  bool   // HUMAN_AGENT is possible if the user confirms
	tooLong bool
}

func (c *composePane) plan(conv store.Conversation, now time.Time) plan {
	n := utf8.RuneCountInString(c.area.Value())
	if n >= store.MaxTextLen {
		return plan{tooLong: true, line: fmt.Sprintf("too long: %d characters; Messenger takes under %d", n, store.MaxTextLen)}
	}
	// The footer is short and starts with what matters: the thread header
	// already tells the window in full.
	w := store.WindowAt(conv.LastInboundTime, now)
	switch w.State {
	case store.WindowOpen:
		return plan{ok: true, mt: store.Response, line: "RESPONSE · " + store.FormatLeft(w.Left) + " left in the 24 h window"}
	case store.WindowHumanAgent:
		if c.humanAgent {
			return plan{ok: true, mt: store.MessageTag, tag: store.TagHumanAgent, canTag: true,
				line: "HUMAN_AGENT · a person replying · " + store.FormatLeft(w.Left) + " left · ctrl+t undoes"}
		}
		return plan{canTag: true, line: "blocked: outside 24 h · ctrl+t if a person replies (HUMAN_AGENT)"}
	case store.WindowClosed:
		return plan{line: "blocked: last wrote " + store.FormatLeft(now.Sub(conv.LastInboundTime)) + " ago, over 7 days; wait for them to write"}
	}
	return plan{line: "blocked: the customer never wrote to the Page"}
}

func (c *composePane) counter() string {
	return fmt.Sprintf("%d/%d", utf8.RuneCountInString(c.area.Value()), store.MaxTextLen)
}

func (c *composePane) view(s *Styles, conv store.Conversation, now time.Time, focused bool) string {
	p := c.plan(conv, now)
	footer := s.Ok.Render("↵ " + p.line)
	if !p.ok {
		footer = s.Failed.Render(p.line)
	}
	counter := c.counter()
	footer = spread(truncate(footer, c.width-len(counter)-1), s.Dim.Render(counter), c.width)
	return c.area.View() + "\n" + footer
}
