package webhook_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// Meta's review pausing a template reaches the store as a status change
// of that template; the undocumented payload is read leniently (a numeric
// id and "status" instead of "event"), and a change naming no template
// is kept as unknown instead of lost.
func TestTemplateStatusFromTheEmulator(t *testing.T) {
	st := &recordingStore{Store: openStore(t)}
	h := newHandler(t, st, nil)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	srv := fbtest.NewServer(fbtest.Config{PageID: pageID, AppSecret: secret, Now: func() time.Time { return now }})
	t.Cleanup(srv.Close)
	srv.SetSubscribedFields(append(fbtest.DefaultSubscribedFields, "message_template_status_update"))
	d := &fbtest.Driver{URL: ts.URL + "/webhook", AppSecret: secret, PageID: pageID, Now: func() time.Time { return now }}
	ctx := context.Background()
	id := srv.AddTemplate(fbtest.TemplateSpec{Name: "order_update", Lang: "en_US", Body: "Order {{1}} shipped."})
	srv.AddTemplate(fbtest.TemplateSpec{Name: "refund", Lang: "en_US", Body: "Refund {{1}} sent."})
	if err := st.Store.EnsurePages(ctx, []string{pageID}); err != nil {
		t.Fatal(err)
	}
	if err := st.Store.PutTemplates(ctx, pageID, []store.Template{
		{ID: id, Name: "order_update", Lang: "en_US", Status: "APPROVED", Category: "UTILITY"},
		{ID: "77", Name: "refund", Lang: "en_US", Status: "APPROVED", Category: "UTILITY"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetTemplateStatus(ctx, d, "order_update", "en_US", "PAUSED", "low quality"); err != nil {
		t.Fatal(err)
	}
	err := d.PostChanges(ctx,
		fbtest.Change{"field": "message_template_status_update", "value": map[string]any{"message_template_id": 77, "status": "disabled"}},
		fbtest.Change{"field": "message_template_status_update", "value": map[string]any{"event": "APPROVED"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Store.Templates(ctx, pageID)
	if err != nil || len(got) != 2 || got[0].Status != "PAUSED" || got[1].Status != "DISABLED" {
		t.Fatalf("stored templates %+v, %v", got, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	kinds := map[store.EventKind]int{}
	for _, e := range st.events {
		kinds[e.Kind]++
	}
	if kinds[store.EventTemplateStatus] != 2 || kinds[store.EventUnknown] != 1 {
		t.Fatalf("events by kind %v", kinds)
	}
}
