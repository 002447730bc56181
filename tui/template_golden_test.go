package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Goldens of "send a template" in the thread's place: the list of the
// Page's templates, the form half filled with its preview, and the form
// refusing to send with a parameter empty. Regenerate with
//
//	go test ./tui -run TestGoldenTemplate -update

// startTemplateGolden opens Ingrid's reply box (she wrote 9 days ago)
// and the template screen.
func startTemplateGolden(t *testing.T) *goldenRun {
	t.Helper()
	be, _ := templateBackend(9 * 24 * time.Hour)
	g := startGolden(t, be, 120, 36)
	g.waitFor("All 4", "Harbour Outfitters", "has been dispatched")
	g.key(tea.KeyEnter)
	g.waitFor("ctrl+o template", "Unread 0")
	g.key(tea.KeyCtrlO)
	g.waitFor("fitting_reminder", "refund_update", "PENDING: only APPROVED")
	return g
}

// fillShipping picks shipping_update and fills its first two parameters.
func (g *goldenRun) fillShipping() {
	g.runes("ship")
	g.key(tea.KeyEnter)
	g.waitFor("Send a template · shipping_update")
	g.tm.Type("Ingrid")
	g.key(tea.KeyTab)
	g.tm.Type("#3117")
	g.waitFor("your order #3117 has shipped and arrives {{3}}.")
}

func TestGoldenTemplate(t *testing.T) {
	t.Run("template_picker", func(t *testing.T) {
		g := startTemplateGolden(t)
		g.finish()
	})

	t.Run("template_form_preview", func(t *testing.T) {
		g := startTemplateGolden(t)
		g.fillShipping()
		g.finish()
	})

	t.Run("template_form_blocked", func(t *testing.T) {
		g := startTemplateGolden(t)
		g.fillShipping()
		g.key(tea.KeyEnter) // {{3}} is empty: nothing goes
		g.waitFor("blocked: every parameter is required")
		m := g.finish()
		if got := g.be.sendCalls(); len(got) != 0 || !m.templates.IsOpen() {
			t.Errorf("sent %+v with a parameter empty (screen open: %v)", got, m.templates.IsOpen())
		}
	})
}

// The campaign form naming a template: the ledger counts text, template
// and skipped.
func TestGoldenCampaignTemplate(t *testing.T) {
	be := campaignBackend()
	be.putTemplates(testPage, testTemplates())
	g := startGolden(t, be, 120, 36)
	g.openBulkForm()
	g.key(tea.KeyCtrlO)
	g.waitFor("Campaign template", "fitting_reminder")
	g.runes("ship")
	g.key(tea.KeyEnter)
	g.waitFor("Send a template · shipping_update")
	for i, v := range []string{"{first_name}", "#3117", "this week"} {
		if i > 0 {
			g.key(tea.KeyTab)
		}
		g.tm.Type(v)
	}
	g.waitFor("arrives this week.")
	g.key(tea.KeyEnter)
	g.waitFor("Template: shipping_update", "template 17")
	g.finish()
}
