package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// The contact pane's campaigns: every campaign the customer was a
// recipient of, newest first, with their own outcome (a skip and its
// reason included, though a skip never reaches the thread); campaigns
// sent only to others are not theirs.
func TestContactListsCampaignsReceived(t *testing.T) {
	ob, srv, st := fileOutbox(t, "u1", "u2", "u3")
	ctx := context.Background()
	k := func(psid string) store.ConvKey { return store.ConvKey{PageID: srv.PageID(), PSID: psid} }
	l, err := ob.Eligibility(ctx, []store.ConvKey{k("u1"), k("u2")})
	if err != nil {
		t.Fatal(err)
	}
	sale, err := ob.StartCampaign(ctx, store.Campaign{Title: "Spring sale", Text: "20% off"}, l)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := ob.DriveCampaign(ctx, sale.ID, inbox.DriveOptions{Poll: 10 * time.Millisecond}); err != nil || d.Campaign.Counts.Sent != 2 {
		t.Fatalf("drive = %+v, %v", d, err)
	}
	restock, err := st.CreateCampaign(ctx, store.Campaign{PageID: srv.PageID(), Title: "Restock", Text: "back in stock"},
		[]store.Recipient{{ConvKey: k("u1"), SkipReason: "asked not to be messaged"}, {ConvKey: k("u2")}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ob.Contact(ctx, k("u1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Campaigns) != 2 {
		t.Fatalf("u1's campaigns = %+v, want Restock and Spring sale", c.Campaigns)
	}
	if r := c.Campaigns[0]; r.CampaignID != restock.ID || r.Title != "Restock" || r.State != store.OutboxSkipped ||
		r.Reason != "asked not to be messaged" || r.Time.IsZero() {
		t.Errorf("newest = %+v, want Restock skipped with its reason", r)
	}
	if r := c.Campaigns[1]; r.CampaignID != sale.ID || r.Title != "Spring sale" || r.State != store.OutboxSent || r.Reason != "" {
		t.Errorf("oldest = %+v, want Spring sale sent", r)
	}
	if c, err := ob.Contact(ctx, k("u2")); err != nil || len(c.Campaigns) != 2 || c.Campaigns[0].State != store.OutboxQueued {
		t.Errorf("u2's campaigns = %+v, %v; want Restock still queued, then Spring sale", c.Campaigns, err)
	}
	if c, err := ob.Contact(ctx, k("u3")); err != nil || len(c.Campaigns) != 0 {
		t.Errorf("u3 received %+v, %v; want none", c.Campaigns, err)
	}
}
