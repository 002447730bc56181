package compose

import (
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// Quote makes the reply answer msg (reply_to): a line above the text
// shows it until the reply is sent, esc clears it, or another
// conversation is opened.
func (m *Model) Quote(msg store.Message) {
	if msg.ConvKey != m.key || msg.MID == "" {
		return
	}
	m.quote = msg
	m.fit()
}

// Quoting reports whether the reply answers a message.
func (m *Model) Quoting() bool { return m.quote.MID != "" }

// ReplyTo is the mid the reply answers, "" for none.
func (m *Model) ReplyTo() string { return m.quote.MID }

// ClearQuote makes the reply answer nothing in particular.
func (m *Model) ClearQuote() {
	m.quote = store.Message{}
	m.fit()
}

// fit gives the text what the quote line leaves.
func (m *Model) fit() {
	h := m.height - 1
	if m.Quoting() {
		h--
	}
	if len(m.att.list) > 0 {
		h--
	}
	if m.att.open {
		h--
	}
	m.area.SetHeight(max(1, h))
}

// quoteLine is the quoted message on one line; its text is the
// customer's, so it is made inert.
func (m *Model) quoteLine() string {
	text := inert.Line(m.quote.Text)
	if text == "" {
		text = "[attachment]"
	}
	return common.Truncate(m.common.Styles.Dim.Render("↪ replying to: ")+text+m.common.Styles.Dim.Render("  (esc: no quote)"), m.width)
}
