package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func putTemplates(t *testing.T, s *store.Store) {
	t.Helper()
	err := s.PutTemplates(ctx(), page, []store.Template{
		{ID: "91", Name: "order_update", Lang: "en_US", Status: "APPROVED", Category: "UTILITY",
			Body: "Order {{1}} ships on {{2}}.", Params: []string{"1", "2"}},
		{ID: "92", Name: "promo", Lang: "en_US", Status: "APPROVED", Category: "MARKETING", Body: "Sale"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A template is stored per Page; a sync replaces the set and a status
// update changes the one named, found by id or by name and language.
func TestTemplatesStoredAndStatusUpdated(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	putTemplates(t, s)
	if found, err := s.SetTemplateStatus(ctx(), page, "91", "", "", "paused"); err != nil || !found {
		t.Fatalf("status by id: %v %v", found, err)
	}
	if found, _ := s.SetTemplateStatus(ctx(), page, "", "unknown", "en_US", "APPROVED"); found {
		t.Fatal("an unknown template matched")
	}
	ts, err := s.Templates(ctx(), page)
	if err != nil || len(ts) != 2 || ts[0].Name != "order_update" || ts[0].Status != "PAUSED" || ts[0].Sendable() {
		t.Fatalf("templates: %+v %v", ts, err)
	}
	if err := s.PutTemplates(ctx(), page, ts[:1]); err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.Templates(ctx(), page); len(ts) != 1 {
		t.Fatalf("a sync did not replace the set: %+v", ts)
	}
}

// Outside the 24 h window only an approved UTILITY template with all its
// parameters is queued; text, marketing and missing parameters are not.
func TestEnqueueTemplateOutsideWindow(t *testing.T) {
	c := newClock(at(72 * time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	putTemplates(t, s)
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "late"}); !errors.Is(err, store.ErrOutsideWindow) {
		t.Fatalf("text outside the window: %v", err)
	}
	send := func(name string, params map[string]string) error {
		_, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), MessagingType: store.Utility,
			Template: &store.TemplateSend{Name: name, Lang: "en_US", Params: params}})
		return err
	}
	if err := send("promo", nil); err == nil || !strings.Contains(err.Error(), "marketing") {
		t.Fatalf("a marketing template: %v", err)
	}
	if err := send("order_update", map[string]string{"1": "A-7"}); err == nil {
		t.Fatal("a missing parameter was queued")
	}
	if err := send("order_update", map[string]string{"1": "A-7", "2": "Friday"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), MessagingType: store.Utility, Text: "x"}); err == nil {
		t.Fatal("UTILITY text without a template was queued")
	}
	th := thread(t, s, "u1")
	if last := th[len(th)-1]; last.Text != "Order A-7 ships on Friday." || last.Template != "order_update" {
		t.Fatalf("thread shows %q (template %q)", last.Text, last.Template)
	}
	var out strings.Builder
	if err := s.Export(ctx(), &out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"text":"Order A-7 ships on Friday.",`) || !strings.Contains(out.String(), `"template":"order_update"`) {
		t.Errorf("the export row does not name the template:\n%s", out.String())
	}
}
