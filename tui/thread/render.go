package thread

import (
	"fmt"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// rendered is one message's lines and what they were drawn from.
type rendered struct {
	sig   string
	lines []string
}

// dayFormat names a day in the day separators.
const dayFormat = "Monday 2 January 2006"

// today is the frame's day in the agent's zone.
func (m *Model) today() string { return m.common.Local(m.common.Now()).Format(dayFormat) }

// redraw makes the thread's lines from the per-message cache (drawing
// only the messages that changed), then keeps the scroll inside them.
func (m *Model) redraw() {
	now := m.common.Now()
	m.day = m.today()
	m.lines, m.marked = m.lines[:0], m.before != ""
	if m.marked {
		m.lines = append(m.lines, m.cut(m.common.Styles.Dim.Render(m.common.Centre("↑ older messages", m.width))))
	}
	var day string
	dayLine := func(t time.Time) {
		if d := m.common.Local(t).Format(dayFormat); d != day {
			day = d
			label := d
			switch {
			case m.sameDay(t, now):
				label = "Today"
			case m.sameDay(t, now.AddDate(0, 0, -1)):
				label = "Yesterday"
			}
			m.lines = append(m.lines, m.cut(m.common.Styles.Day.Render(m.common.Centre("── "+label+" ──", m.width))))
		}
	}
	notes := m.shownNotes()
	for _, msg := range m.msgs {
		for len(notes) > 0 && !notes[0].Time.After(msg.Time) {
			dayLine(notes[0].Time)
			m.lines = append(m.lines, m.drawNote(notes[0])...)
			notes = notes[1:]
		}
		dayLine(msg.Time)
		first := len(m.lines)
		m.lines = append(m.lines, m.render(msg)...)
		if m.isFocused(msg) {
			m.focusLines = [2]int{first, len(m.lines)}
		}
	}
	for _, n := range notes {
		dayLine(n.Time)
		m.lines = append(m.lines, m.drawNote(n)...)
	}
	m.clampScroll()
}

// shownNotes are the notes within the loaded history: one older than the
// oldest loaded message waits until that history is loaded.
func (m *Model) shownNotes() []store.Note {
	notes := m.notes
	if m.before != "" && len(m.msgs) > 0 {
		for len(notes) > 0 && notes[0].Time.Before(m.msgs[0].Time) {
			notes = notes[1:]
		}
	}
	return notes
}

func (m *Model) cut(line string) string { return common.Truncate(line, m.width) }

func (m *Model) sameDay(a, b time.Time) bool {
	ay, am, ad := m.common.Local(a).Date()
	by, bm, bd := m.common.Local(b).Date()
	return ay == by && am == bm && ad == bd
}

// clampScroll keeps the scroll between the newest line and the oldest.
func (m *Model) clampScroll() {
	m.scroll = min(m.scroll, max(0, len(m.lines)-(m.height-1)))
}

// atTop reports whether the top line on screen is the oldest message
// line loaded.
func (m *Model) atTop() bool {
	msgLines := len(m.lines)
	if m.marked {
		msgLines--
	}
	return m.scroll >= msgLines-(m.height-1)
}

// Invalidate draws every message anew (as a new width does).
func (m *Model) Invalidate() {
	clear(m.cache)
	m.redraw()
}

// render draws one message, from the cache when nothing it shows changed.
func (m *Model) render(msg store.Message) []string {
	quoted := m.quoted(msg)
	sig := m.renderSig(msg, quoted) + m.pictureSig(msg)
	if r, ok := m.cache[msg.ID]; ok && r.sig == sig {
		return r.lines
	}
	lines := m.draw(msg, quoted)
	for i := range lines {
		lines[i] = m.cut(lines[i])
	}
	m.cache[msg.ID] = rendered{sig: sig, lines: lines}
	return lines
}

// renderSig is everything a message's drawing depends on: the cache key.
func (m *Model) renderSig(msg store.Message, quoted string) string {
	return fmt.Sprintf("%s|%s|%v|%d|%s|%s|%t|%s|%d|%t|%s", msg.Status, msg.Text, msg.Reactions, msg.Edits, msg.Error, quoted, m.held,
		msg.Agent, msg.CampaignID, m.isFocused(msg), msg.Template)
}

// quoted is the text a reply answers, when that message is loaded.
func (m *Model) quoted(msg store.Message) string {
	if msg.ReplyTo == "" {
		return ""
	}
	if i, ok := m.byMID[msg.ReplyTo]; ok {
		return "“" + common.OneLine(m.msgs[i].Text) + "”"
	}
	return "an earlier message"
}

// draw lays one message out: its text, attachments and reactions in a
// bubble three quarters wide, then its time and, for ours, its state.
func (m *Model) draw(msg store.Message, quoted string) []string {
	s := m.common.Styles
	bubble := max(10, m.width*3/4)
	body := m.content(msg, quoted, bubble)
	meta := m.common.Local(msg.Time).Format("15:04")
	if m.isFocused(msg) {
		meta = "▶ " + meta // o and y act on this one
	}
	if msg.Edits > 0 {
		meta += " (edited)"
	}
	style := s.Inbound
	var why string
	if msg.Direction == store.Out {
		style = s.Outbound
		meta += sender(msg) + " " + statusTick(m.common, msg, m.held)
		if msg.Status == store.StatusFailed || msg.Status == store.StatusUnknown {
			why = inert.String(msg.Error)
		}
	}
	body = append(body, s.Dim.Render(meta))
	for _, line := range common.Wrap(why, bubble) {
		body = append(body, s.Failed.Render(line))
	}
	out := make([]string, 0, len(body)+1)
	for _, line := range body {
		line = style.Render(line)
		if msg.Direction == store.Out {
			line = m.common.AlignRight(line, m.width)
		}
		out = append(out, line)
	}
	return append(out, "")
}

// content is a message's quote, text, attachments and reactions.
func (m *Model) content(msg store.Message, quoted string, bubble int) []string {
	s := m.common.Styles
	var body []string
	if quoted != "" {
		body = append(body, s.Dim.Render(common.Truncate("↪ replying to "+quoted, bubble)))
	}
	text := msg.Text
	if msg.Kind == "postback" {
		text = "[button] " + text
	}
	if text = inert.String(text); text != "" {
		wrapped := m.common.Style().Width(bubble).Render(text)
		for _, line := range strings.Split(wrapped, "\n") {
			body = append(body, strings.TrimRight(line, " "))
		}
	}
	for _, a := range msg.Attachments {
		// A chip, cut to the bubble; its link goes in an OSC 8 hyperlink
		// around it, and o opens it, y copies it.
		chip := common.Truncate(Chip(m.withFetchedSize(a)), bubble)
		link, ok := common.SafeURL(a.URL)
		switch {
		case ok:
			chip = m.common.Link(link, chip)
		case a.URL != "": // no link we would open: shown, inert, hiding nothing
			chip += " " + inert.Line(a.URL)
		}
		for _, line := range common.Wrap(chip, bubble) {
			body = append(body, s.Dim.Render(line))
		}
		body = append(body, m.pictureLines(a, bubble)...)
	}
	if len(msg.Reactions) > 0 {
		var rs []string
		for _, r := range msg.Reactions {
			e := r.Emoji
			if e == "" {
				e = r.Reaction
			}
			label := inert.Line(r.Reaction)
			if r.From == msg.PageID {
				label = "(Page)" // ours, sent with +
			}
			rs = append(rs, inert.Line(e)+" "+label)
		}
		body = append(body, s.Dim.Render(common.Truncate(strings.Join(rs, "  "), bubble)))
	}
	return body
}

// Chip is an attachment in a few cells: its kind, as the agent says it,
// and what tells one from another (a file's name, a fallback's title,
// where a location is, which sticker). Every part from outside is made inert.
func Chip(a store.Attachment) string {
	kind := inert.Line(a.Type)
	var detail string
	switch a.Type {
	case "audio":
		kind = "voice"
	case "file":
		detail = a.Title
		if detail == "" {
			detail = a.Name // our own send's file
		}
		if detail == "" {
			detail = common.FileName(a.URL)
		}
	case "location":
		if a.Lat != 0 || a.Long != 0 {
			detail = fmt.Sprintf("%.5f,%.5f", a.Lat, a.Long)
		}
	case "image", "video", "sticker":
	default:
		detail = a.Title
	}
	if a.StickerID != "" { // Meta sends stickers as images with an id
		kind, detail = "sticker", a.StickerID
	}
	if kind == "" {
		kind = "attachment"
	}
	parts := []string{kind}
	if detail = common.OneLine(detail); detail != "" {
		parts = append(parts, detail)
	}
	switch {
	case a.DurationMS > 0 && (a.Type == "audio" || a.Type == "video"):
		parts = append(parts, clock(a.DurationMS))
	case a.Size > 0: // our own sends, or a fetched image: Meta's webhooks carry no size
		parts = append(parts, HumanSize(a.Size))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// clock is a length as m:ss (h:mm:ss from an hour).
func clock(ms int64) string {
	s := (ms + 500) / 1000
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// HumanSize is a byte count in a few cells: 980 B, 12 KB, 1.2 MB.
func HumanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n)/unit, "KB"
	for _, next := range []string{"MB", "GB"} {
		if v < unit-0.5 { // 1023.7 KB would print as 1024 KB
			break
		}
		v, suffix = v/unit, next
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %s", v, suffix)
	}
	return fmt.Sprintf("%.0f %s", v, suffix)
}

// sender is who sent an outbound message, after its time: the agent, or
// a campaign; nothing when it is not known (sent before attribution, or
// from Meta's own inbox).
func sender(msg store.Message) string {
	who := ""
	switch {
	case msg.Agent != "":
		who = " · " + inert.Line(msg.Agent)
	case msg.CampaignID != 0:
		who = " · campaign"
	}
	if msg.Template != "" {
		who += " · template " + inert.Line(msg.Template)
	}
	return who
}

// statusTick is an outbound message's state, in a symbol and a word.
// held: sending is stopped until the Page token works again.
func statusTick(c *common.Common, msg store.Message, held bool) string {
	s := c.Styles
	switch msg.Status {
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
		if msg.OutboxID != 0 {
			return s.Failed.Render("? may have been sent: r sends again")
		}
		return s.Failed.Render("? may have been sent")
	}
	return ""
}
