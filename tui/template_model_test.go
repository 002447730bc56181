package tui

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// testTemplates are a Page's templates as synced: two approved UTILITY
// ones (positional, named), one marketing, one pending.
func testTemplates() []store.Template {
	return []store.Template{
		{Name: "shipping_update", Lang: "en_US", Status: "APPROVED", Category: "UTILITY",
			Body: "Hi {{1}}, your order {{2}} has shipped and arrives {{3}}.", Params: []string{"1", "2", "3"}},
		{Name: "fitting_reminder", Lang: "en_GB", Status: "APPROVED", Category: "UTILITY", Named: true,
			Body: "Hello {{name}}, your fitting is on {{date}}.", Params: []string{"name", "date"}},
		{Name: "autumn_sale", Lang: "en_US", Status: "APPROVED", Category: "MARKETING", Body: "20% off everything!"},
		{Name: "refund_update", Lang: "en_US", Status: "PENDING", Category: "UTILITY", Body: "Your refund of {{1}} is on its way."},
	}
}

// templateBackend is Ingrid, who last wrote `since` ago, on a Page with
// testTemplates.
func templateBackend(since time.Duration) (*fakeBackend, store.ConvKey) {
	be := newFakeBackend(fixedClock)
	be.status = testStatus()
	k := windowConv(be, "Ingrid Berg", since)
	be.putTemplates(testPage, testTemplates())
	return be, k
}

// openTemplateForm opens Ingrid's reply box, the template screen, and the
// shipping_update form.
func openTemplateForm(t *testing.T, since time.Duration) *driver {
	t.Helper()
	be, _ := templateBackend(since)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	d.key(tea.KeyCtrlO)
	d.runes("ship")
	d.key(tea.KeyEnter)
	d.wantView("Send a template · shipping_update", "Preview")
	return d
}

// Outside the window ctrl+o lists the Page's templates: the sendable ones
// first; marketing and pending ones greyed with why, and enter on them
// does not open a form.
func TestTemplateListOutsideWindow(t *testing.T) {
	be, _ := templateBackend(3 * 24 * time.Hour)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	d.wantView("ctrl+o template")
	d.key(tea.KeyCtrlO)
	if be.callCount("Templates") != 1 {
		t.Fatalf("Templates called %d times, want 1", be.callCount("Templates"))
	}
	v := d.view()
	order := []string{"fitting_reminder", "shipping_update", "autumn_sale", "refund_update"}
	last := -1
	for _, name := range order {
		i := strings.Index(v, name)
		if i <= last {
			t.Fatalf("%s is not in order %v:\n%s", name, order, v)
		}
		last = i
	}
	d.wantView("MARKETING: never sent", "PENDING: only APPROVED templates go out")
	d.runes("autumn")
	d.key(tea.KeyEnter)
	if v := d.view(); strings.Contains(v, "Preview") {
		t.Fatalf("a marketing template opened a form:\n%s", v)
	}
	d.key(tea.KeyEsc)
	if d.m.templates.IsOpen() {
		t.Fatal("esc left the template list open")
	}
	d.wantFocus(paneCompose)
}

// Inside the window a template is not needed: ctrl+o says so and opens
// nothing.
func TestTemplateInsideWindowIsNotOffered(t *testing.T) {
	be, _ := templateBackend(time.Hour)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	d.key(tea.KeyCtrlO)
	if d.m.templates.IsOpen() || be.callCount("Templates") != 0 {
		t.Fatalf("the template screen opened inside the window (Templates called %d times)", be.callCount("Templates"))
	}
	if !strings.Contains(d.statusBar(), "inside the 24 h window") {
		t.Errorf("the status bar does not say why: %q", d.statusBar())
	}
}

// A Page without templates is told how to get them.
func TestTemplateEmptyListExplainsSync(t *testing.T) {
	be := newFakeBackend(fixedClock)
	be.status = testStatus()
	windowConv(be, "Ingrid Berg", 9*24*time.Hour)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	d.key(tea.KeyCtrlO)
	d.wantView("pageinbox templates sync")
}

// Every parameter is required: enter with one empty sends nothing and
// names it; filled, enter sends the template as UTILITY with the values,
// and the thread shows its text with its name.
func TestTemplateFormSendsUtility(t *testing.T) {
	d := openTemplateForm(t, 9*24*time.Hour)
	d.typeText("Ingrid")
	d.key(tea.KeyTab)
	d.typeText("#3117")
	d.wantView("Hi Ingrid, your order #3117 has shipped and arrives {{3}}.")
	d.key(tea.KeyEnter)
	if n := len(d.be.sendCalls()); n != 0 {
		t.Fatalf("%d sends with a parameter empty", n)
	}
	d.wantView("blocked: every parameter is required; empty: {{3}}")
	d.typeText("on Friday") // the focus went to the empty one
	d.key(tea.KeyEnter)
	sends := d.be.sendCalls()
	if len(sends) != 1 {
		t.Fatalf("%d sends, want 1", len(sends))
	}
	s := sends[0]
	want := map[string]string{"1": "Ingrid", "2": "#3117", "3": "on Friday"}
	if s.MessagingType != store.Utility || s.Template == nil || s.Template.Name != "shipping_update" ||
		s.Template.Lang != "en_US" || !maps.Equal(s.Template.Params, want) || s.Text != "" {
		t.Fatalf("sent %+v (template %+v)", s, s.Template)
	}
	if d.m.templates.IsOpen() {
		t.Error("the template screen stayed open after the send")
	}
	d.wantView("Hi Ingrid, your order #3117 has shipped and arrives on", "template shipping_update ◷ queued",
		"template shipping_update queued (UTILITY)")
}

// A named template's inputs are its names, and the send carries them.
func TestTemplateNamedParameters(t *testing.T) {
	be, _ := templateBackend(2 * 24 * time.Hour)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	d.key(tea.KeyCtrlO)
	d.key(tea.KeyEnter) // the first: fitting_reminder
	d.wantView("{{name}}", "{{date}}")
	d.typeText("Ingrid")
	d.key(tea.KeyDown)
	d.typeText("Monday 10:00")
	d.key(tea.KeyEnter)
	sends := be.sendCalls()
	if len(sends) != 1 || !maps.Equal(sends[0].Template.Params, map[string]string{"name": "Ingrid", "date": "Monday 10:00"}) {
		t.Fatalf("sent %+v", sends)
	}
}

// A refused send keeps the form with what was typed and says why.
func TestTemplateRefusalIsShown(t *testing.T) {
	d := openTemplateForm(t, 9*24*time.Hour)
	d.be.fail["Send"] = errors.New("this Page cannot use Utility Messages: the Page token needs pages_utility_messaging")
	for i, v := range []string{"Ingrid", "#3117", "Friday"} {
		if i > 0 {
			d.key(tea.KeyTab)
		}
		d.typeText(v)
	}
	d.key(tea.KeyEnter)
	d.wantView("not sent: this Page cannot use Utility Messages", "Hi Ingrid, your order #3117 has shipped and arrives Friday.")
	if !d.m.templates.IsOpen() {
		t.Error("the form closed on a refusal")
	}
	d.key(tea.KeyEsc) // back to the list, as it was filtered
	d.wantView("> ship", "shipping_update en_US ·")
	d.key(tea.KeyEsc)
	if d.m.templates.IsOpen() {
		t.Error("two esc left the template screen open")
	}
}

// A template's name and body are Meta's (written by whoever made the
// template): the list, the form and its preview draw them inert, and so
// are the values typed in.
func TestTemplateScreenIsInert(t *testing.T) {
	be, _ := templateBackend(9 * 24 * time.Hour)
	be.putTemplates(testPage, []store.Template{{Name: "evil\x1b]8;;https://x.example\x07", Lang: "en_US", Status: "APPROVED",
		Category: "UTILITY", Body: "Hi \x1b[2J{{1}}\x1b]52;c;aGk=\x07", Params: []string{"1"}}})
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	d.key(tea.KeyCtrlO)
	views := []string{d.m.templates.View()}
	d.key(tea.KeyEnter)
	d.typeText("x\x1b[31m")
	views = append(views, d.m.templates.View())
	for _, v := range views {
		if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x1b[31m") {
			t.Errorf("the template screen passes a control sequence through: %q", v)
		}
	}
	if !strings.Contains(views[1], "Preview") {
		t.Fatalf("the form did not open: %q", views[1])
	}
}

// A template Meta refused for the Page (no pages_utility_messaging, or
// not in its market) shows in the thread as failed, named, with the
// explanation the dispatcher recorded, not a generic failure.
func TestTemplateRefusedByMetaShowsWhy(t *testing.T) {
	be := newFakeBackend(fixedClock)
	be.status = testStatus()
	refused := out("Hi Ingrid, your order #3117 has shipped.", ago(time.Minute), store.StatusFailed)
	refused.Template = "shipping_update"
	refused.Error = "this Page cannot use Utility Messages: the Page token needs the pages_utility_messaging permission"
	be.add(store.Conversation{ConvKey: convKey("2000000000000001"), Name: "Ingrid Berg"},
		in("where is my parcel?", ago(9*24*time.Hour)), refused)
	d := newDriver(t, be, 120, 36)
	d.key(tea.KeyEnter)
	d.wantView("template shipping_update ✗ failed", "this Page cannot use Utility Messages", "pages_utility_messaging")
}
