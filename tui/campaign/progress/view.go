package progress

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// View is the campaign's head, its notes, and the recipients that fit.
func (m *Model) View() string {
	var b strings.Builder
	m.head(&b)
	m.notes(&b)
	b.WriteString("\n")
	rows := m.height - strings.Count(b.String(), "\n")
	if len(m.items) == 0 {
		b.WriteString(m.common.Styles.Dim.Render("Loading recipients…"))
		return b.String()
	}
	end := min(len(m.order), m.offset+max(1, rows))
	for _, i := range m.order[min(m.offset, len(m.order)):end] {
		it := m.items[i]
		who := it.Name
		if who == "" {
			who = it.PSID
		}
		b.WriteString(common.Truncate(fmt.Sprintf("%-9s %-22s %s", it.State, common.Truncate(inert.Line(who), 22), inert.Line(it.Reason)), m.width) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// head is the title, status, text, bar and counts.
func (m *Model) head(b *strings.Builder) {
	s, c, w, now := m.common.Styles, m.c, m.width, m.common.Now()
	n := c.Counts
	b.WriteString(common.Spread(s.Title.Render(inert.Line(c.Title)), s.Bold.Render(strings.ToUpper(string(c.Status))), w) + "\n")
	b.WriteString(s.Dim.Render(common.Truncate(common.OneLine(c.Text), w)) + "\n\n")
	// Progress over the recipients there was something to send to: the
	// skipped ones were settled before the first send.
	pct := 1.0
	if toSend := n.Total - n.Skipped; toSend > 0 {
		pct = float64(n.Sent+n.Failed+n.Unknown) / float64(toSend)
	}
	b.WriteString(m.bar.ViewAs(pct) + fmt.Sprintf(" %3.0f%%", pct*100) + "\n")
	elapsed := now.Sub(c.CreatedAt)
	if c.Status != store.CampaignRunning {
		elapsed = c.UpdatedAt.Sub(c.CreatedAt)
	}
	rate := ""
	if secs := now.Sub(m.openedAt).Seconds(); c.Status == store.CampaignRunning && secs >= 1 {
		rate = fmt.Sprintf(" · %.0f/s", float64(finished(n)-m.doneAt)/secs)
	}
	fmt.Fprintf(b, "sent %d · failed %d · skipped %d · unknown %d · left %d of %d · replied %d · %s%s\n",
		n.Sent, n.Failed, n.Skipped, n.Unknown, n.Queued+n.Sending, n.Total, m.replies, elapsed.Round(time.Second), rate)
}

// notes say what the campaign's state asks of the agent.
func (m *Model) notes(b *strings.Builder) {
	s, c := m.common.Styles, m.c
	note := func(st lipgloss.Style, text string) {
		for _, line := range common.Wrap(text, m.width) {
			b.WriteString(st.Render(line) + "\n")
		}
	}
	switch c.Status {
	case store.CampaignInterrupted:
		note(s.WindowLow, "Interrupted: pageinbox stopped while it ran. Recipients in flight are marked unknown and are not resent. R resumes the rest.")
	case store.CampaignPaused:
		note(s.WindowLow, "Paused. p or R resumes.")
	}
	if c.AwaitingEcho > 0 {
		note(s.WindowLow, fmt.Sprintf("%d unknown: Meta's answer did not say whether they were sent; waiting for Meta's echo, which settles them.", c.AwaitingEcho))
	}
	if m.cancel {
		note(s.Bold, fmt.Sprintf("Cancel: the %d recipients not sent yet will be skipped. y to cancel, any other key to keep going", c.Counts.Queued))
	}
}
