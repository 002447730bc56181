package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func orderUpdate(params map[string]string) *store.TemplateSend {
	return &store.TemplateSend{Name: "order_update", Lang: "en_US", Params: params}
}

// A campaign naming a template: inside the window → text (UPDATE),
// outside it (1 h closed or 8 days) → the template (UTILITY), never-wrote,
// unknown and unreachable → skipped; each recipient gets exactly one item.
func TestTemplateCampaignLedgerAndItems(t *testing.T) {
	s, _, _ := campaignFixture(t)
	putTemplates(t, s)
	s.SetName(ctx(), key("closed1h"), "Bruno Lima")
	tpl := orderUpdate(map[string]string{"1": "A-7 for {first_name}", "2": "Friday"})
	l, err := s.EligibilityWithTemplate(ctx(), page, keys("in1", "closed1h", "old8d", "never", "stranger", "blocked", "in2"), tpl)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, list := range [][]store.LedgerEntry{l.Send, l.Skip, l.Blocked} {
		for _, e := range list {
			actions[e.PSID] = e.Action()
		}
	}
	want := map[string]string{
		"in1": "send text", "in2": "send text",
		"closed1h": "send template order_update", "old8d": "send template order_update",
		"never": "skip: the customer has never written", "stranger": "skip: no conversation",
		"blocked": "skip: unreachable since",
	}
	for psid, w := range want {
		if !strings.HasPrefix(actions[psid], w) {
			t.Errorf("%s: %q, want %q...", psid, actions[psid], w)
		}
	}
	n := l.Counts()
	if n.Text != 2 || n.Template != 2 || n.Send != 4 || n.Skip != 2 || n.Blocked != 1 || n.Total != 7 {
		t.Errorf("counts = %+v", n)
	}
	if got := l.ClosingWithin(23*time.Hour + time.Minute); got != 2 {
		t.Errorf("closing within 23h01m = %d: a template recipient has no window to miss", got)
	}

	camp, err := s.CreateCampaignFromLedger(ctx(), store.Campaign{Title: "t", Text: "Hi {first_name}", FillNames: true,
		ImageURL: "https://example.com/a.png"}, l)
	if err != nil {
		t.Fatal(err)
	}
	if camp.Template == nil || camp.Template.Name != "order_update" || camp.Counts.Queued != 4 || camp.Counts.Skipped != 3 || camp.Counts.Total != 7 {
		t.Fatalf("campaign = %+v", camp)
	}
	items := itemsByPSID(t, s, camp.ID)
	if len(items) != 7 {
		t.Fatalf("%d items for 7 recipients", len(items))
	}
	in1, closed := items["in1"], items["closed1h"]
	if in1.MessagingType != store.Update || in1.Template != nil || in1.Text != "Hi Ana" || in1.ImageURL == "" {
		t.Errorf("inside item = %+v", in1)
	}
	if closed.MessagingType != store.Utility || closed.Template == nil || closed.ImageURL != "" ||
		closed.Template.Params["1"] != "A-7 for Bruno" || closed.Text != "Order A-7 for Bruno ships on Friday." {
		t.Errorf("outside item = %+v (%+v)", closed, closed.Template)
	}
	if it := items["old8d"]; it.MessagingType != store.Utility || it.State != store.OutboxQueued {
		t.Errorf("8-day item = %+v", it)
	}
	for _, p := range []string{"never", "stranger", "blocked"} {
		if it := items[p]; it.State != store.OutboxSkipped || it.Template != nil {
			t.Errorf("%s = %+v", p, it)
		}
	}
	// Claimed, each shows in its thread as what it is: the filled template
	// (named, for export) or the text.
	if claimed, err := s.Claim(ctx(), 10); err != nil || len(claimed) != 4 {
		t.Fatalf("claimed %d: %v", len(claimed), err)
	}
	th := thread(t, s, "closed1h")
	if last := th[len(th)-1]; last.Template != "order_update" || last.Text != "Order A-7 for Bruno ships on Friday." || last.CampaignID != camp.ID {
		t.Errorf("template in the thread: %+v", last)
	}
	th = thread(t, s, "in1")
	if last := th[len(th)-1]; last.Template != "" || last.Text != "Hi Ana" {
		t.Errorf("text in the thread: %+v", last)
	}
}

// The template is checked before anything is written: unknown, marketing,
// not approved and missing parameters are refused with a clear error, and
// no campaign is created.
func TestTemplateCampaignRefusals(t *testing.T) {
	s, _, _ := campaignFixture(t)
	putTemplates(t, s)
	if _, err := s.SetTemplateStatus(ctx(), page, "", "order_update", "en_US", "PAUSED"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tpl  *store.TemplateSend
		want string
	}{
		{"unknown", &store.TemplateSend{Name: "nope", Lang: "en_US"}, "templates sync"},
		{"marketing", &store.TemplateSend{Name: "promo", Lang: "en_US"}, "never marketing"},
		{"unapproved", orderUpdate(map[string]string{"1": "a", "2": "b"}), "not APPROVED"},
		{"no language", &store.TemplateSend{Name: "promo"}, "name and language"},
	} {
		_, err := s.EligibilityWithTemplate(ctx(), page, keys("in1", "closed1h"), tc.tpl)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ledger error %v, want %q", tc.name, err, tc.want)
		}
		l, _ := s.Eligibility(ctx(), page, keys("in1", "closed1h"))
		_, err = s.CreateCampaignFromLedger(ctx(), store.Campaign{Title: "t", Text: "hi", Template: tc.tpl}, l)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: campaign error %v, want %q", tc.name, err, tc.want)
		}
	}
	putTemplates(t, s) // approved again
	_, err := s.EligibilityWithTemplate(ctx(), page, keys("closed1h"), orderUpdate(map[string]string{"1": "a"}))
	if err == nil || !strings.Contains(err.Error(), "needs parameter 2") {
		t.Errorf("missing parameter: %v", err)
	}
	if cs, _ := s.Campaigns(ctx()); len(cs) != 0 {
		t.Errorf("a refused template created campaigns: %+v", cs)
	}
}

// Without a template the ledger is as before (outside → skipped); a token
// problem blocks the template recipients too; HUMAN_AGENT never appears.
func TestTemplateLedgerTokenProblemAndNoTemplate(t *testing.T) {
	s, _, _ := campaignFixture(t)
	putTemplates(t, s)
	l, err := s.EligibilityWithTemplate(ctx(), page, keys("in1", "closed1h"), nil)
	if err != nil || fmt.Sprint(psids(l.Send), psids(l.Skip)) != "[in1] [closed1h]" || l.Template != nil {
		t.Fatalf("no template: %+v %v", l, err)
	}
	l = l.WithTokenProblem("the Page access token is invalid").WithTemplate(orderUpdate(nil))
	if len(l.Send) != 0 || fmt.Sprint(psids(l.Blocked)) != "[in1 closed1h]" || l.Blocked[1].Kind != store.SkipTokenInvalid {
		t.Errorf("token problem with a template: %+v", l)
	}
	for _, e := range append(l.Blocked, l.Skip...) {
		if e.Via != "" || strings.Contains(e.Action(), store.TagHumanAgent) {
			t.Errorf("entry %+v", e)
		}
	}
}

// A parameter that is just {first_name} would go empty to a customer whose
// name is unknown: Meta refuses that, so the ledger and the campaign skip
// them with the reason; the named customer gets the template.
func TestTemplateCampaignSkipsAnEmptyFirstName(t *testing.T) {
	s, _, _ := campaignFixture(t)
	putTemplates(t, s)
	s.SetName(ctx(), key("closed1h"), "Bruno Lima")
	tpl := orderUpdate(map[string]string{"1": "A-7", "2": "{first_name}"})
	l, err := s.EligibilityWithTemplate(ctx(), page, keys("closed1h", "old8d"), tpl)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(psids(l.Send), psids(l.Skip)) != "[closed1h] [old8d]" || l.Skip[0].Kind != store.SkipTemplateParam ||
		!strings.Contains(l.Skip[0].Reason, "parameter 2 would be empty") {
		t.Fatalf("ledger: %+v", l)
	}
	camp, err := s.CreateCampaignFromLedger(ctx(), store.Campaign{Title: "t", Text: "hi", Template: tpl}, l)
	if err != nil {
		t.Fatal(err)
	}
	items := itemsByPSID(t, s, camp.ID)
	if it := items["closed1h"]; it.State != store.OutboxQueued || it.Text != "Order A-7 ships on Bruno." {
		t.Errorf("named: %+v", it)
	}
	if it := items["old8d"]; it.State != store.OutboxSkipped || it.ErrorKind != store.SkipTemplateParam {
		t.Errorf("nameless: %+v", it)
	}
	// Created straight from recipients (no ledger), the store finds it too.
	camp, err = s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "t", Text: "hi", Template: tpl},
		[]store.Recipient{{ConvKey: key("old8d")}})
	if err != nil || camp.Counts.Skipped != 1 || itemsByPSID(t, s, camp.ID)["old8d"].ErrorKind != store.SkipTemplateParam {
		t.Errorf("from recipients: %+v %v", camp.Counts, err)
	}
}
