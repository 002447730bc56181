package fbgraph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// templateWorld is a world whose Page has the approved UTILITY template
// order_update({{1}}, {{2}}), synced into the store.
func templateWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, 0, fbtest.Config{})
	w.srv.AddTemplate(fbtest.TemplateSpec{Name: "order_update", Lang: "en_US", Body: "Order {{1}} ships on {{2}}."})
	if _, err := fbgraph.SyncTemplates(context.Background(), w.client(fbgraph.Options{}), w.st, w.page); err != nil {
		t.Fatal(err)
	}
	return w
}

// addPageOnly adds n conversations the customer never wrote in (only the
// Page did): neither text nor a template may reach them.
func (w *world) addPageOnly(t *testing.T, prefix string, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		psid := fmt.Sprintf("%s%04d", prefix, i)
		w.srv.AddUser(psid, "Customer "+psid)
		err := w.st.Ingest(context.Background(), []store.Event{{Kind: store.EventEcho, PageID: w.page, PSID: psid,
			MID: "echo-" + psid, Text: "hello from the Page", Time: w.clock.Now().Add(-time.Hour), AppID: "263902037430900"}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, psid)
	}
	return out
}

func templateCampaign(t *testing.T, w *world, keys []store.ConvKey) (store.Ledger, store.Campaign) {
	t.Helper()
	ctx := context.Background()
	l, err := w.st.EligibilityWithTemplate(ctx, w.page, keys,
		&store.TemplateSend{Name: "order_update", Lang: "en_US", Params: map[string]string{"1": "A-7", "2": "Friday"}})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "delays", Text: "Your order is delayed a day"}, l)
	if err != nil {
		t.Fatal(err)
	}
	return l, camp
}

// 33 recipients: 15 inside the window, 15 outside it (10 closed an hour
// ago, 5 beyond 7 days), 3 who never wrote. At the emulator each of the 30
// gets exactly one message, text as UPDATE inside and the template as
// UTILITY outside; the 3 get none. Two whose window closes before sending
// are skipped, not switched to the template.
func TestTemplateCampaignOneMessageEach(t *testing.T) {
	w := templateWorld(t)
	inside := w.addCustomers(t, "in", 13, time.Hour)
	closing := w.addCustomers(t, "closing", 2, 23*time.Hour+55*time.Minute)
	closed := w.addCustomers(t, "closed", 10, 25*time.Hour)
	old := w.addCustomers(t, "old", 5, 8*24*time.Hour)
	never := w.addPageOnly(t, "never", 3)
	l, camp := templateCampaign(t, w, w.keys(inside, closing, closed, old, never))
	if n := l.Counts(); n.Text != 15 || n.Template != 15 || n.Skip != 3 || n.Total != 33 {
		t.Fatalf("ledger counts = %+v", n)
	}
	if camp.Counts.Queued != 30 || camp.Counts.Skipped != 3 {
		t.Fatalf("created %+v", camp.Counts)
	}
	w.clock.Advance(10 * time.Minute) // closing's windows close; the templates still go
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}),
		fbgraph.DispatcherOptions{Rate: 1000, Burst: 20, Concurrency: 8, Now: w.clock.Now, Poll: 20 * time.Millisecond})
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 33, Sent: 28, Skipped: 5}) {
		t.Fatalf("campaign = %s %+v", camp.Status, camp.Counts)
	}
	expect := func(psids []string, mt, text string) {
		for _, psid := range psids {
			sent := w.srv.SentTo(psid)
			if len(sent) != 1 || sent[0].MessagingType != mt || sent[0].Text != text || sent[0].Tag != "" {
				t.Errorf("%s got %+v, want one %s %q", psid, sent, mt, text)
			}
		}
	}
	expect(inside, "UPDATE", "Your order is delayed a day")
	expect(append(closed, old...), "UTILITY", "Order A-7 ships on Friday.")
	items := campaignItems(t, w.st, camp.ID)
	for _, psid := range append(closing, never...) {
		if n := len(w.srv.SentTo(psid)); n != 0 {
			t.Errorf("%s, who is skipped, got %d messages", psid, n)
		}
		if it := items[psid]; it.State != store.OutboxSkipped || it.Template != nil || it.Reason == "" {
			t.Errorf("%s: %+v", psid, it)
		}
	}
	if got := len(w.srv.Sent()); got != 28 {
		t.Errorf("the emulator accepted %d sends, want 28", got)
	}
}

// A Page without the Utility permission: the text recipients still get
// their text; every template item fails, not retryable, with the reason
// that says what to request, and no template reaches anyone.
func TestTemplateCampaignWithoutPermission(t *testing.T) {
	w := templateWorld(t)
	w.srv.SetUtilityDenied(true)
	inside := w.addCustomers(t, "in", 4, time.Hour)
	closed := w.addCustomers(t, "closed", 4, 30*time.Hour)
	_, camp := templateCampaign(t, w, w.keys(inside, closed))
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now, Poll: 20 * time.Millisecond})
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Counts != (store.CampaignCounts{Total: 8, Sent: 4, Failed: 4}) {
		t.Fatalf("counts = %+v", camp.Counts)
	}
	items := campaignItems(t, w.st, camp.ID)
	for _, psid := range inside {
		if sent := w.srv.SentTo(psid); len(sent) != 1 || sent[0].MessagingType != "UPDATE" {
			t.Errorf("%s got %+v", psid, sent)
		}
	}
	for _, psid := range closed {
		it := items[psid]
		if it.State != store.OutboxFailed || it.ErrorKind != "utility_unavailable" || it.Retryable ||
			!strings.Contains(it.Reason, fbgraph.UtilityPermission) {
			t.Errorf("%s: %s %s retryable=%v %q", psid, it.State, it.ErrorKind, it.Retryable, it.Reason)
		}
		if n := len(w.srv.SentTo(psid)); n != 0 {
			t.Errorf("%s got %d messages", psid, n)
		}
	}
}
