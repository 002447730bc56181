package tui

import (
	"maps"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// toTemplateForm selects all 30, opens the campaign form with text, and
// picks shipping_update for those outside the window, its first two
// parameters filled.
func (d *driver) toTemplateForm() {
	d.t.Helper()
	d.be.putTemplates(testPage, testTemplates())
	d.runes("V")
	d.runes("B")
	d.typeText(campaignText)
	d.wantView("ctrl+o: reach the 18 outside the window with a Utility template")
	d.key(tea.KeyCtrlO)
	d.wantView("Campaign template · for the recipients outside the 24 h window")
	d.runes("ship")
	d.key(tea.KeyEnter)
	d.typeText("{first_name}")
	d.key(tea.KeyTab)
	d.typeText("#3117")
	d.key(tea.KeyTab)
}

// A campaign naming a template: the ledger counts text / template /
// skipped (the customer without a name has no {first_name}: skipped), and the campaign started carries the template, which the
// recipients outside the window get as UTILITY; the texts still go as
// UPDATE.
func TestCampaignTemplateReachesThoseOutside(t *testing.T) {
	d := campaignDriver(t)
	d.toTemplateForm()
	d.key(tea.KeyEnter) // {{3}} is empty: the chooser stays
	d.wantView("blocked: every parameter is required; empty: {{3}}")
	if d.m.form.Template() != nil {
		t.Fatal("a template with a parameter empty reached the campaign")
	}
	d.typeText("this week")
	d.key(tea.KeyEnter)
	d.wantView("Template: shipping_update", "Will send: 26 · text 9 UPDATE · template 17 UTILITY · skipped 4",
		"1 no value for a template parameter")
	d.key(tea.KeyCtrlS)
	d.wantView("Send to 26 recipients now: 9 the text, 17 the template shipping_update?")
	d.runes("y")
	starts := d.be.startCalls()
	if len(starts) != 1 {
		t.Fatalf("%d campaigns started, want 1", len(starts))
	}
	c := starts[0].Campaign
	want := map[string]string{"1": "{first_name}", "2": "#3117", "3": "this week"}
	if c.Template == nil || c.Template.Name != "shipping_update" || !maps.Equal(c.Template.Params, want) || c.Text != campaignText {
		t.Fatalf("started %+v (template %+v)", c, c.Template)
	}
	if n := starts[0].Ledger.Counts(); n.Text != 9 || n.Template != 17 || n.Skip+n.Blocked != 4 {
		t.Errorf("the ledger the agent confirmed counts %+v", n)
	}
	byType := map[store.MessagingType]int{}
	for _, it := range d.be.camps.items[d.m.progress.Campaign().ID] {
		if it.State == store.OutboxQueued {
			byType[it.MessagingType]++
		}
	}
	if byType[store.Update] != 9 || byType[store.Utility] != 17 {
		t.Errorf("queued by messaging type %v, want 9 UPDATE and 17 UTILITY", byType)
	}
}

// esc in the chooser leaves the campaign without a template, the form as
// it was.
func TestCampaignTemplateChooserBacksOut(t *testing.T) {
	d := campaignDriver(t)
	d.toTemplateForm()
	d.key(tea.KeyEsc) // back to the list
	d.key(tea.KeyEsc) // out of the chooser
	if d.m.templates.IsOpen() || d.m.form.Template() != nil || d.m.mode != modeBulk {
		t.Fatalf("after esc esc: chooser open %v, template %+v, mode %v", d.m.templates.IsOpen(), d.m.form.Template(), d.m.mode)
	}
	d.wantView("New campaign to 30 selected", "Will send: 9 inside the 24 h window")
	if n := d.be.callCount("Send"); n != 0 {
		t.Errorf("the chooser sent %d messages", n)
	}
}
