package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

const threadPage = 50

// threadPane shows one conversation's messages, oldest at the top, and
// loads older history as the user scrolls up. Each message's wrapped
// lines are cached, so a new message or a status tick re-renders one
// message, not the thread.
type threadPane struct {
	key     store.ConvKey
	conv    store.Conversation
	open    bool
	msgs    []store.Message
	byID    map[string]int
	byMID   map[string]int
	before  store.Cursor // older history; "" when it is all here
	loading bool
	loaded  bool
	gen     int // bumped by every fresh load; older pages of a past one are dropped
	scroll  int // lines scrolled up from the bottom
	width   int
	height  int
	// held: sending is stopped (the Page token was refused), so queued
	// replies wait for it to work again.
	held bool

	cache map[string]renderedMsg
}

type renderedMsg struct {
	sig   string
	lines []string
}

func newThreadPane() threadPane {
	return threadPane{byID: map[string]int{}, byMID: map[string]int{}, cache: map[string]renderedMsg{}}
}

func (t *threadPane) setSize(w, h int) {
	if w != t.width {
		clear(t.cache)
	}
	t.width, t.height = w, h
}

// show switches to a conversation (its messages come in a later load).
func (t *threadPane) show(c store.Conversation) {
	if t.key != c.ConvKey {
		t.msgs, t.before, t.scroll, t.loaded = nil, "", 0, false
		clear(t.byID)
		clear(t.cache)
	}
	t.key, t.conv, t.open = c.ConvKey, c, true
}

func (t *threadPane) setPage(p store.ThreadPage, older bool) {
	t.loaded, t.loading = true, false
	if older {
		t.msgs = append(append([]store.Message(nil), p.Messages...), t.msgs...)
	} else {
		t.msgs = p.Messages
		t.scroll = 0
	}
	t.before = p.Before
	t.reindex()
}

func (t *threadPane) reindex() {
	clear(t.byID)
	clear(t.byMID)
	for i, m := range t.msgs {
		t.byID[m.ID] = i
		if m.MID != "" {
			t.byMID[m.MID] = i
		}
	}
}

// apply takes a message change for this thread.
func (t *threadPane) apply(kind store.ChangeKind, m store.Message) {
	if !t.open || m.ConvKey != t.key || !t.loaded {
		return
	}
	i, ok := t.byID[m.ID]
	switch {
	case kind == store.MessageRemoved:
		if ok {
			t.msgs = append(t.msgs[:i], t.msgs[i+1:]...)
			t.reindex()
		}
	case ok:
		t.msgs[i] = m
	default:
		// Usually the newest; a late arrival slots in by time.
		pos := len(t.msgs)
		for pos > 0 && t.msgs[pos-1].Time.After(m.Time) {
			pos--
		}
		t.msgs = append(t.msgs, store.Message{})
		copy(t.msgs[pos+1:], t.msgs[pos:])
		t.msgs[pos] = m
		t.reindex()
	}
}

// lines renders the whole loaded thread from the per-message cache.
func (t *threadPane) lines(s Styles, now time.Time) []string {
	var out []string
	var day string
	for _, m := range t.msgs {
		if d := m.Time.Local().Format("Monday 2 January 2006"); d != day {
			day = d
			label := d
			switch {
			case sameDay(m.Time, now):
				label = "Today"
			case sameDay(m.Time, now.AddDate(0, 0, -1)):
				label = "Yesterday"
			}
			out = append(out, s.Day.Render(centre("── "+label+" ──", t.width)))
		}
		out = append(out, t.render(s, m)...)
	}
	return out
}

// wrap breaks s into lines of at most width cells, long words too.
func wrap(s string, width int) []string {
	if s == "" {
		return nil
	}
	return strings.Split(ansi.Wrap(s, max(1, width), ""), "\n")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Local().Date()
	by, bm, bd := b.Local().Date()
	return ay == by && am == bm && ad == bd
}

func centre(s string, w int) string {
	return lipgloss.PlaceHorizontal(w, lipgloss.Center, s)
}

// render draws one message, from the cache when nothing it shows changed.
func (t *threadPane) render(s Styles, m store.Message) []string {
	quoted := t.quoted(m)
	sig := t.renderSig(m, quoted)
	if r, ok := t.cache[m.ID]; ok && r.sig == sig {
		return r.lines
	}
	lines := t.draw(s, m, quoted)
	t.cache[m.ID] = renderedMsg{sig: sig, lines: lines}
	return lines
}

// renderSig is everything a message's drawing depends on: the cache key.
func (t *threadPane) renderSig(m store.Message, quoted string) string {
	return fmt.Sprintf("%s|%s|%d|%d|%s|%s|%t", m.Status, m.Text, len(m.Reactions), m.Edits, m.Error, quoted, t.held)
}

// quoted is the text a reply answers, when that message is loaded.
func (t *threadPane) quoted(m store.Message) string {
	if m.ReplyTo == "" {
		return ""
	}
	if i, ok := t.byMID[m.ReplyTo]; ok {
		return "“" + oneLine(t.msgs[i].Text) + "”"
	}
	return "an earlier message"
}

func (t *threadPane) draw(s Styles, m store.Message, quoted string) []string {
	bubble := max(10, t.width*3/4)
	var body []string
	if quoted != "" {
		body = append(body, s.Dim.Render(truncate("↪ replying to "+quoted, bubble)))
	}
	text := m.Text
	if m.Kind == "postback" {
		text = "[button] " + text
	}
	if text = inert.String(text); text != "" {
		wrapped := lipgloss.NewStyle().Width(bubble).Render(text)
		for _, line := range strings.Split(wrapped, "\n") {
			body = append(body, strings.TrimRight(line, " "))
		}
	}
	for _, a := range m.Attachments {
		// URLs are wrapped, never cut: the whole link is what the agent needs.
		for _, line := range wrap(attachmentLabel(a), bubble) {
			body = append(body, s.Dim.Render(line))
		}
	}
	if len(m.Reactions) > 0 {
		var rs []string
		for _, r := range m.Reactions {
			e := r.Emoji
			if e == "" {
				e = r.Reaction
			}
			rs = append(rs, inert.Line(e)+" "+inert.Line(r.Reaction))
		}
		body = append(body, s.Dim.Render(truncate(strings.Join(rs, "  "), bubble)))
	}
	meta := m.Time.Local().Format("15:04")
	if m.Edits > 0 {
		meta += " (edited)"
	}
	style := s.Inbound
	var why string
	if m.Direction == store.Out {
		style = s.Outbound
		meta += " " + statusTick(s, m, t.held)
		if m.Status == store.StatusFailed || m.Status == store.StatusUnknown {
			why = inert.String(m.Error)
		}
	}
	body = append(body, s.Dim.Render(meta))
	for _, line := range wrap(why, bubble) {
		body = append(body, s.Failed.Render(line))
	}
	out := make([]string, 0, len(body)+1)
	for _, line := range body {
		line = style.Render(line)
		if m.Direction == store.Out {
			line = lipgloss.PlaceHorizontal(t.width, lipgloss.Right, line)
		}
		out = append(out, line)
	}
	return append(out, "")
}

// attachmentLabel is an attachment in one line: its kind, title and link,
// each made inert on its own.
func attachmentLabel(a store.Attachment) string {
	label := "[" + inert.Line(a.Type) + "]"
	if a.Title != "" {
		label += " " + inert.Line(a.Title)
	}
	switch {
	case a.URL != "":
		label += " " + inert.Line(a.URL)
	case a.Type == "location":
		label += fmt.Sprintf(" %.5f,%.5f", a.Lat, a.Long)
	case a.StickerID != "":
		label += " sticker " + inert.Line(a.StickerID)
	}
	return label
}

// statusTick is an outbound message's state, in a symbol and a word.
// held: sending is stopped until the Page token works again.
func statusTick(s Styles, m store.Message, held bool) string {
	switch m.Status {
	case store.StatusQueued:
		if held {
			return s.Failed.Render("◷ held: the Page token was refused; goes out when the token works")
		}
		return s.Dim.Render("◷ queued")
	case store.StatusSending:
		return s.Dim.Render("… sending")
	case store.StatusSent:
		return s.Dim.Render("✓ sent")
	case store.StatusDelivered:
		return s.Ok.Render("✓✓ delivered")
	case store.StatusRead:
		return s.Ok.Render("✓✓ read")
	case store.StatusFailed:
		return s.Failed.Render("✗ failed")
	case store.StatusUnknown:
		if m.OutboxID != 0 {
			return s.Failed.Render("? may have been sent: r sends again")
		}
		return s.Failed.Render("? may have been sent")
	}
	return ""
}

// lastUnknown is the newest message of ours that may or may not have
// arrived and can be sent again (r), if any.
func (t *threadPane) lastUnknown() (store.Message, bool) {
	for i := len(t.msgs) - 1; i >= 0; i-- {
		if m := t.msgs[i]; m.Direction == store.Out && m.Status == store.StatusUnknown && m.OutboxID != 0 {
			return m, true
		}
	}
	return store.Message{}, false
}

// view draws the thread's header and the window of lines on screen.
func (t *threadPane) view(s Styles, now time.Time, others, typing []string) string {
	if !t.open {
		return s.Dim.Render(lipgloss.NewStyle().Width(t.width).Render("Select a conversation and press enter."))
	}
	title := s.Title.Render(displayName(t.conv))
	switch {
	case len(typing) > 0:
		title += " " + s.WindowLow.Render("· "+strings.Join(typing, ", ")+" is replying…")
	case len(others) > 0:
		title += " " + s.Dim.Render("· also here: "+strings.Join(others, ", "))
	}
	header := spread(title, windowLine(s, t.conv.LastInboundTime, now), t.width)
	body := t.height - 1
	if !t.loaded {
		return header + "\n" + s.Dim.Render("Loading…")
	}
	lines := t.lines(s, now)
	if t.before != "" {
		lines = append([]string{s.Dim.Render(centre("↑ older messages", t.width))}, lines...)
	}
	t.scroll = min(t.scroll, max(0, len(lines)-body))
	end := len(lines) - t.scroll
	start := max(0, end-body)
	window := lines[start:end]
	for i := range window {
		window[i] = truncate(window[i], t.width)
	}
	pad := body - len(window)
	return header + "\n" + strings.Repeat("\n", max(0, pad)) + strings.Join(window, "\n")
}

// atTop reports whether the top line on screen is the oldest loaded.
func (t *threadPane) atTop(s Styles, now time.Time) bool {
	return t.scroll >= len(t.lines(s, now))-(t.height-1)
}

// windowLine is the thread header's account of the window.
func windowLine(s Styles, lastInbound, now time.Time) string {
	w := store.WindowAt(lastInbound, now)
	switch w.State {
	case store.WindowOpen:
		return windowBadge(s, lastInbound, now) + s.Dim.Render(" left in the 24 h window")
	case store.WindowHumanAgent:
		return s.WindowHuman.Render("24 h window closed · HUMAN_AGENT " + store.FormatLeft(w.Left) + " left")
	}
	return s.Closed.Render("window closed")
}
