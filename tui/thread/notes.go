package thread

import (
	"regexp"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Private notes: the team's words in the thread, never sent to Meta. They
// come with the thread (Notes), live from the feed (ApplyNote), and from
// this agent's n.

// notesMsg is a conversation's notes, loaded with its thread.
type notesMsg struct {
	key   store.ConvKey
	gen   int
	notes []store.Note
	err   error
}

// NoteSavedMsg is the answer to AddNote.
type NoteSavedMsg struct {
	Note store.Note
	Err  error
}

func (m *Model) loadNotes() tea.Cmd {
	be, ctx, key, gen := m.be, m.common.Ctx, m.key, m.gen
	return func() tea.Msg {
		ns, err := be.Notes(ctx, key)
		return notesMsg{key: key, gen: gen, notes: ns, err: err}
	}
}

func (m *Model) setNotes(msg notesMsg) tea.Cmd {
	if msg.key != m.key || msg.gen != m.gen {
		return nil
	}
	if msg.err != nil {
		return common.ErrorCmd("load notes", msg.err)
	}
	m.notes = nil
	for _, n := range msg.notes {
		m.insertNote(n)
	}
	m.redraw()
	return nil
}

// ApplyNote takes a note from the feed (or this agent's own, answered);
// one for another thread, or one already here, is ignored.
func (m *Model) ApplyNote(n store.Note) {
	if !m.open || n.ConvKey != m.key {
		return
	}
	if m.insertNote(n) {
		m.redraw()
	}
}

// insertNote keeps the notes in time order, each once.
func (m *Model) insertNote(n store.Note) bool {
	same := func(o store.Note) bool { return o.Time.Equal(n.Time) && o.Author == n.Author && o.Text == n.Text }
	if slices.ContainsFunc(m.notes, same) {
		return false
	}
	pos := len(m.notes)
	for pos > 0 && m.notes[pos-1].Time.After(n.Time) {
		pos--
	}
	m.notes = slices.Insert(m.notes, pos, n)
	return true
}

// Notes are the open thread's notes, oldest first.
func (m *Model) Notes() []store.Note { return m.notes }

// Noting reports whether the note box has the keyboard.
func (m *Model) Noting() bool { return m.noting }

// StartNote opens the note box, with what was typed in it before.
func (m *Model) StartNote() tea.Cmd {
	if !m.open {
		return nil
	}
	if m.input.Placeholder == "" {
		m.input = newNoteInput(m.common)
		m.input.Cursor.SetMode(m.cursorMode)
	}
	m.noting = true
	m.input.Width = max(1, m.width-lenPrompt-1) // and the cursor
	return m.input.Focus()
}

const lenPrompt = 8 // "✎ note: "

// SetCursorMode sets how the note box's cursor blinks (tests hold it
// steady: a blink is a timer).
func (m *Model) SetCursorMode(mode cursor.Mode) tea.Cmd {
	m.cursorMode = mode
	return m.input.Cursor.SetMode(mode)
}

func newNoteInput(c *common.Common) textinput.Model {
	return c.Input("✎ note: ", "a private note for the team (never sent to the customer)", c.Styles.Note)
}

// noteKey is a key while the note box is open: save, close (keeping the
// draft), or typing.
func (m *Model) noteKey(msg tea.KeyMsg) tea.Cmd {
	k := m.common.Keys
	switch {
	case key.Matches(msg, k.Back):
		m.noting = false
		m.input.Blur()
		return nil
	case key.Matches(msg, k.NoteSave):
		text := strings.TrimSpace(m.input.Value())
		if text == "" {
			return nil
		}
		m.noting = false
		m.input.Blur()
		m.input.Reset()
		be, ctx, key := m.be, m.common.Ctx, m.key
		return func() tea.Msg {
			n, err := be.AddNote(ctx, key, text)
			return NoteSavedMsg{Note: n, Err: err}
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

// drawNote lays a note out apart from both directions: a bar down its
// left, a header that says it is a note, whose and when, and whether it
// mentions this agent (in words, for monochrome terminals too).
func (m *Model) drawNote(n store.Note) []string {
	s := m.common.Styles
	header := "✎ note · " + inert.Line(n.Author) + " · " + m.common.Local(n.Time).Format("15:04")
	me := m.common.Agent.Name
	mentioned := me != "" && mentionRE(me).MatchString(n.Text)
	if mentioned {
		header += " · mentions you"
	}
	out := []string{m.cut(s.Note.Render("┌ " + header))}
	width := max(10, m.width*3/4)
	for _, line := range common.Wrap(inert.String(n.Text), width-2) {
		if mentioned {
			line = highlight(line, me, s.Note.Render, s.Mention.Render)
		} else {
			line = s.Note.Render(line)
		}
		out = append(out, m.cut(s.Note.Render("│ ")+line))
	}
	return append(out, "")
}

// mentionRE matches @name as a word, in any case.
func mentionRE(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)@` + regexp.QuoteMeta(name) + `\b`)
}

// highlight draws line in plain, with each @name in mark.
func highlight(line, name string, plain, mark func(...string) string) string {
	re := mentionRE(name)
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringIndex(line, -1) {
		b.WriteString(plain(line[last:loc[0]]))
		b.WriteString(mark(line[loc[0]:loc[1]]))
		last = loc[1]
	}
	b.WriteString(plain(line[last:]))
	return b.String()
}
