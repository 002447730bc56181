package compose

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// plan is what pressing enter would do now.
type plan struct {
	ok      bool
	mt      store.MessagingType
	tag     string
	line    string // the footer
	canTag  bool   // HUMAN_AGENT is possible if the agent confirms
	tooLong bool
}

func (m *Model) plan() plan {
	now, conv := m.common.Now(), m.conv
	n := utf8.RuneCountInString(m.area.Value())
	if n >= store.MaxTextLen {
		return plan{tooLong: true, line: fmt.Sprintf("too long: %d characters; Messenger takes under %d", n, store.MaxTextLen)}
	}
	// The footer is short and starts with what matters: the thread header
	// already tells the window in full.
	w := store.WindowAt(conv.LastInboundTime, now)
	tpl := m.common.Keys.Template.Help().Key + " template" // outside the window, a Utility template may go
	switch w.State {
	case store.WindowOpen:
		return plan{ok: true, mt: store.Response, line: "RESPONSE · " + store.FormatLeft(w.Left) + " left in the 24 h window"}
	case store.WindowHumanAgent:
		if m.humanAgent {
			return plan{ok: true, mt: store.MessageTag, tag: store.TagHumanAgent, canTag: true,
				line: "HUMAN_AGENT · a person replying · " + store.FormatLeft(w.Left) + " left · ctrl+t undoes"}
		}
		return plan{canTag: true, line: "blocked: outside 24 h · " + tpl + " · ctrl+t if a person replies"}
	case store.WindowClosed:
		return plan{line: "blocked: last wrote " + store.FormatLeft(now.Sub(conv.LastInboundTime)) + " ago, over 7 days · " + tpl}
	}
	return plan{line: "blocked: the customer never wrote to the Page"}
}

// View is the reply and the footer with its plan and the length.
func (m *Model) View() string {
	s, p := m.common.Styles, m.plan()
	footer := s.Ok.Render("↵ " + p.line)
	switch {
	case m.att.note != "":
		footer = s.Failed.Render(m.att.note)
	case m.att.run != nil:
		footer = s.Ok.Render(m.progressLine())
	case m.att.open:
		footer = s.Dim.Render(inert.Line(m.att.hint))
	case !p.ok:
		footer = s.Failed.Render(p.line)
	}
	counter := fmt.Sprintf("%d/%d", utf8.RuneCountInString(m.area.Value()), store.MaxTextLen)
	footer = common.Spread(common.Truncate(footer, m.width-len(counter)-1), s.Dim.Render(counter), m.width)
	var lines []string
	if m.Quoting() {
		lines = append(lines, m.quoteLine())
	}
	if len(m.att.list) > 0 {
		lines = append(lines, m.chipsLine())
	}
	lines = append(lines, m.area.View())
	if m.att.open {
		lines = append(lines, common.Truncate(m.att.input.View(), m.width))
	}
	return strings.Join(append(lines, footer), "\n")
}
