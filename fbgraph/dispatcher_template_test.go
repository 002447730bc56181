package fbgraph_test

import (
	"context"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// Two days after the customers wrote, a synced UTILITY template goes out
// through the outbox as messaging_type UTILITY; once the Page loses the
// permission the next one fails with the utility class, not retryable,
// and Meta sees exactly one attempt.
func TestDispatcherSendsTemplateOutsideWindow(t *testing.T) {
	w := newWorld(t, 2, fbtest.Config{})
	w.srv.AddTemplate(fbtest.TemplateSpec{Name: "order_update", Lang: "en_US", Body: "Order {{1}} ships on {{2}}."})
	c := w.client(fbgraph.Options{})
	ctx := context.Background()
	if _, err := fbgraph.SyncTemplates(ctx, c, w.st, w.page); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(48 * time.Hour)
	enqueue := func(psid string) store.OutboxItem {
		it, err := w.st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: psid}, MessagingType: store.Utility,
			Template: &store.TemplateSend{Name: "order_update", Lang: "en_US", Params: map[string]string{"1": "A-7", "2": "Friday"}}})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	first := enqueue(w.psids[0])
	d := fbgraph.NewDispatcher(w.st, c, fbgraph.DispatcherOptions{Now: w.clock.Now})
	run(t, d, func() bool { return d.Stats().Sent == 1 })
	sent := w.srv.SentTo(w.psids[0])
	if len(sent) != 1 || sent[0].MessagingType != "UTILITY" || sent[0].Text != "Order A-7 ships on Friday." {
		t.Fatalf("emulator got %+v", sent)
	}
	if it, _ := w.st.Item(ctx, first.ID); it.State != store.OutboxSent {
		t.Fatalf("first item %+v", it)
	}
	w.srv.SetUtilityDenied(true)
	second := enqueue(w.psids[1])
	before := len(w.srv.Requests())
	d = fbgraph.NewDispatcher(w.st, c, fbgraph.DispatcherOptions{Now: w.clock.Now})
	run(t, d, func() bool { return d.Stats().Failed == 1 })
	it, _ := w.st.Item(ctx, second.ID)
	if it.State != store.OutboxFailed || it.ErrorKind != "utility_unavailable" || it.Retryable {
		t.Fatalf("second item %+v", it)
	}
	if n := len(w.srv.Requests()) - before; n != 1 {
		t.Fatalf("%d requests for a refused template, want 1", n)
	}
}
