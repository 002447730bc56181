package inbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// exportRow is the part of an export row attribution is about.
type exportRow struct {
	PSID       string          `json:"psid"`
	Direction  store.Direction `json:"direction"`
	Text       string          `json:"text"`
	Status     store.Status    `json:"status"`
	Agent      *string         `json:"agent"`
	CampaignID *uint64         `json:"campaign_id"`
}

// A reply ana sends through inbox.Local is recorded as hers on the
// message itself, and its export row carries "agent":"ana"; a campaign's
// message carries its campaign_id and no agent; what customers wrote
// carries neither.
func TestExportRowsCarryAttribution(t *testing.T) {
	_, srv, st := fileOutbox(t, "u1", "u2")
	ctx := context.Background()
	gc := fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), Version: "v25.0", PageToken: fbtest.DefaultPageToken})
	ana := inbox.OnFile(st, store.Agent{ID: "a1", Name: "ana"}, gc, fbgraph.DispatcherOptions{EchoWait: -1, Poll: 20 * time.Millisecond})
	k := func(psid string) store.ConvKey { return store.ConvKey{PageID: srv.PageID(), PSID: psid} }

	it, err := ana.Deliver(ctx, store.Send{ConvKey: k("u1"), Text: "on its way", Agent: "someone else"}, nil)
	if err != nil || it.State != store.OutboxSent {
		t.Fatalf("Deliver = %+v, %v", it, err)
	}
	if m, err := st.Message(ctx, it.MessageID); err != nil || m.Agent != "ana" {
		t.Fatalf("the sent message = %+v, %v; want it recorded as ana's", m, err)
	}
	l, err := ana.Eligibility(ctx, []store.ConvKey{k("u2")})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := ana.StartCampaign(ctx, store.Campaign{Title: "Spring sale", Text: "20% off"}, l)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := ana.DriveCampaign(ctx, camp.ID, inbox.DriveOptions{Poll: 10 * time.Millisecond}); err != nil || d.Campaign.Counts.Sent != 1 {
		t.Fatalf("drive = %+v, %v", d, err)
	}

	var buf bytes.Buffer
	if err := st.Export(ctx, &buf, false); err != nil {
		t.Fatal(err)
	}
	rows := map[string]exportRow{}
	for dec := json.NewDecoder(&buf); dec.More(); {
		var r exportRow
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		rows[r.PSID+"/"+string(r.Direction)] = r
	}
	if r := rows["u1/out"]; r.Text != "on its way" || r.Agent == nil || *r.Agent != "ana" || r.CampaignID != nil {
		t.Errorf("ana's reply exports as %+v, want agent ana and no campaign", r)
	}
	if r := rows["u2/out"]; r.Text != "20% off" || r.CampaignID == nil || *r.CampaignID != camp.ID || r.Agent != nil {
		t.Errorf("the campaign's message exports as %+v, want campaign_id %d and no agent", r, camp.ID)
	}
	for _, in := range []string{"u1/in", "u2/in"} {
		if r, ok := rows[in]; !ok || r.Agent != nil || r.CampaignID != nil {
			t.Errorf("customer's row %s = %+v (found %v), want neither agent nor campaign_id", in, r, ok)
		}
	}
}
