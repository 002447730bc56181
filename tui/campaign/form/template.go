package form

import (
	"fmt"
	"strings"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// A campaign may name a Utility template for its recipients outside the
// 24 h window: inside, the text goes as UPDATE; outside, the template as
// UTILITY; only who neither allows is skipped (store.CampaignRoute).

// SetTemplate names the campaign's template (nil: none), with its body
// filled in for the form to show.
func (m *Model) SetTemplate(ts *store.TemplateSend, body string) {
	m.template, m.templateBody = ts, body
	m.confirming = false
}

// Template is the campaign's template; nil without one.
func (m *Model) Template() *store.TemplateSend { return m.template }

// routed is the ledger as the campaign would go: with its template, those
// outside the window move from skipped to sent by the template.
func (m *Model) routed() store.Ledger { return m.ledger.WithTemplate(m.template) }

// templateView is the template line of the form: which one, and its text.
func (m *Model) templateView() string {
	s := m.common.Styles
	if m.template == nil {
		return ""
	}
	head := s.Bold.Render("Template: ") + inert.Line(m.template.Name) + s.Dim.Render(" "+inert.Line(m.template.Lang)+
		" · UTILITY, for those outside the window · ctrl+o picks another")
	return common.Truncate(head, m.width) + "\n" + s.Dim.Render(common.Truncate("  "+common.OneLine(m.templateBody), m.width)) + "\n\n"
}

// templateLedgerView is the ledger's send line with a template: how many
// get the text, how many the template (named on the line above), and how
// many nothing.
func templateLedgerView(s *styles.Styles, l store.Ledger) string {
	c := l.Counts()
	return s.Ok.Render(fmt.Sprintf("Will send: %d", c.Send)) +
		s.Dim.Render(fmt.Sprintf(" · text %d UPDATE · template %d UTILITY · skipped %d", c.Text, c.Template, c.Skip+c.Blocked))
}

// templateHint offers a template to reach those skipped for being outside
// the window; "" when there are none, or a template is named.
func templateHint(s *styles.Styles, l store.Ledger, key string) string {
	c := l.Counts()
	n := c.ByKind[store.SkipOutsideWindow] + c.ByKind[store.SkipBeyond7Days]
	if l.Template != nil || n == 0 {
		return ""
	}
	return s.Dim.Render(fmt.Sprintf("%s: reach the %d outside the window with a Utility template", key, n)) + "\n"
}

// confirmQuestion is what y confirms.
func (m *Model) confirmQuestion() string {
	c := m.routed().Counts()
	if m.template == nil {
		return fmt.Sprintf("Send this message to %d recipients now? y to send, any other key to go back", c.Send)
	}
	return strings.Join([]string{fmt.Sprintf("Send to %d recipients now: %d the text, %d the template %s?", c.Send, c.Text,
		c.Template, inert.Line(m.template.Name)), "y to send, any other key to go back"}, " ")
}
