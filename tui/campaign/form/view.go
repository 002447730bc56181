package form

import (
	"fmt"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// View is the form: the fields, the ledger, and what y would do.
func (m *Model) View() string {
	s := m.common.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render(fmt.Sprintf("New campaign to %d selected", len(m.keys))) + "\n\n")
	b.WriteString(m.title.View() + "\n\n")
	b.WriteString(m.text.View() + "\n")
	n := len([]rune(m.text.Value()))
	counter := fmt.Sprintf("%d/%d", n, store.MaxTextLen)
	if n >= store.MaxTextLen {
		counter = s.Failed.Render(counter + " too long")
	}
	b.WriteString(s.Dim.Render(counter) + "\n")
	b.WriteString(m.image.View() + "\n\n")
	b.WriteString(m.templateView())
	switch {
	case m.loading || m.ledger == nil:
		b.WriteString(s.Dim.Render("Checking who can receive it…"))
	default:
		b.WriteString(ledgerView(s, m.routed(), m.width, m.common.Keys.Template.Help().Key))
	}
	b.WriteString("\n\n")
	switch {
	case m.starting:
		b.WriteString(s.Dim.Render("Writing the campaign…"))
	case m.confirming:
		b.WriteString(s.Bold.Render(m.confirmQuestion()))
	default:
		b.WriteString(s.Help.Render("tab: next field · ctrl+s: review and send · esc: back (the form is kept)"))
	}
	return b.String()
}

// ledgerView is the eligibility breakdown, with a reason for every group.
func ledgerView(s *styles.Styles, l store.Ledger, w int, templateKey string) string {
	var b strings.Builder
	c := l.Counts()
	if l.Template != nil {
		b.WriteString(templateLedgerView(s, l))
	} else {
		b.WriteString(s.Ok.Render(fmt.Sprintf("Will send: %d", c.Send)) + s.Dim.Render(" inside the 24 h window, as UPDATE"))
	}
	if soon := l.ClosingWithin(time.Hour); soon > 0 {
		b.WriteString(s.WindowLow.Render(fmt.Sprintf(" (%d close within the hour: checked again when sent)", soon)))
	}
	b.WriteString("\n")
	if c.Skip > 0 {
		b.WriteString(s.WindowHuman.Render(fmt.Sprintf("Skipped: %d", c.Skip)) + s.Dim.Render(" "+kinds(c.ByKind, store.SkipOutsideWindow, store.SkipBeyond7Days, store.SkipNeverWrote, store.SkipNoConversation, store.SkipTemplateParam)) + "\n")
		for _, line := range common.Wrap(store.NoTagForCampaigns+".", w) {
			b.WriteString(s.Dim.Render(line) + "\n")
		}
		b.WriteString(templateHint(s, l, templateKey))
	}
	if c.Blocked > 0 {
		b.WriteString(s.Closed.Render(fmt.Sprintf("Blocked: %d", c.Blocked)) + s.Dim.Render(" "+kinds(c.ByKind, store.SkipBlocked, store.SkipTokenInvalid)) + "\n")
		for _, e := range l.Blocked[:min(3, len(l.Blocked))] {
			name := e.Name
			if name == "" {
				name = e.PSID
			}
			b.WriteString(s.Dim.Render(common.Truncate("  "+inert.Line(name)+": "+inert.Line(e.Reason), w)) + "\n")
		}
	}
	if l.TokenProblem != "" {
		b.WriteString(s.Failed.Render(common.Truncate(inert.Line(l.TokenProblem), w)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// kinds writes a count per reason: "(50 outside the 24 h window, 50 beyond 7 days)".
func kinds(by map[string]int, order ...string) string {
	words := map[string]string{
		store.SkipOutsideWindow: "outside the 24 h window", store.SkipBeyond7Days: "beyond 7 days",
		store.SkipNeverWrote: "never wrote", store.SkipNoConversation: "no conversation",
		store.SkipBlocked: "unreachable", store.SkipTokenInvalid: "token invalid",
		store.SkipTemplateParam: "no value for a template parameter",
	}
	var parts []string
	for _, k := range order {
		if n := by[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, words[k]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
