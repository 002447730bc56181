package inboxtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// PutTemplates is a World's PutTemplates on a store.
func PutTemplates(t testing.TB, st *store.Store) func(string, []store.Template) {
	return func(pageID string, ts []store.Template) {
		t.Helper()
		if err := st.PutTemplates(context.Background(), pageID, ts); err != nil {
			t.Fatal(err)
		}
	}
}

// Templates lists every status of the Page's templates, by name. Outside
// the window an approved UTILITY one goes out as UTILITY with its body
// filled in and its name on the message; a missing parameter, a
// marketing template and a template sent as RESPONSE are refused.
func templatesOutsideTheWindow(t *testing.T, w World) {
	ctx := context.Background()
	w.PutTemplates(Page, []store.Template{
		{Name: "shipping_update", Lang: "en_US", Status: "APPROVED", Category: "UTILITY",
			Body: "Order {{1}} ships on {{2}}.", Params: []string{"1", "2"}},
		{Name: "autumn_sale", Lang: "en_US", Status: "APPROVED", Category: "MARKETING", Body: "Sale!"},
	})
	w.Receive(key("u1"), "where is my parcel?", w.Now.Add(-72*time.Hour))
	ts, err := w.Backend.Templates(ctx, Page)
	if err != nil || len(ts) != 2 || ts[0].Name != "autumn_sale" || ts[1].Name != "shipping_update" ||
		!ts[1].Sendable() || ts[0].Sendable() || len(ts[1].Params) != 2 {
		t.Fatalf("Templates = %+v, %v", ts, err)
	}
	if ts, err := w.Backend.Templates(ctx, "999"); err != nil || len(ts) != 0 {
		t.Errorf("templates of a Page without any = %+v, %v", ts, err)
	}
	send := func(name, mt string, params map[string]string) (store.OutboxItem, error) {
		return w.Backend.Send(ctx, store.Send{ConvKey: key("u1"), MessagingType: store.MessagingType(mt),
			Template: &store.TemplateSend{Name: name, Lang: "en_US", Params: params}})
	}
	refusals := []struct {
		why    string
		name   string
		mt     string
		params map[string]string
	}{
		{"a missing parameter", "shipping_update", "UTILITY", map[string]string{"1": "A-17"}},
		{"a marketing template", "autumn_sale", "UTILITY", nil},
		{"a template as RESPONSE", "shipping_update", "RESPONSE", map[string]string{"1": "A-17", "2": "Monday"}},
		{"an unknown template", "nope", "UTILITY", nil},
	}
	for _, r := range refusals {
		if _, err := send(r.name, r.mt, r.params); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", r.why, err)
		}
	}
	it, err := send("shipping_update", "UTILITY", map[string]string{"1": "A-17", "2": "Monday"})
	if err != nil || it.MessagingType != store.Utility || it.Template == nil || it.Template.Name != "shipping_update" ||
		it.Text != "Order A-17 ships on Monday." {
		t.Fatalf("the template send = %+v, %v", it, err)
	}
	p, err := w.Backend.Thread(ctx, key("u1"), "", 50)
	if err != nil || len(p.Messages) != 2 {
		t.Fatalf("thread = %+v, %v", p.Messages, err)
	}
	if m := p.Messages[1]; m.Text != "Order A-17 ships on Monday." || m.Template != "shipping_update" || m.Direction != store.Out {
		t.Errorf("the sent template in the thread = %+v", m)
	}
}
