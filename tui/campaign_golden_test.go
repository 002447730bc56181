package tui

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// Golden screens of the campaign flow: the bulk compose form with its
// eligibility ledger, the exact confirmation, the progress view in the
// middle of a campaign, and the campaign history. Same machinery as
// TestGolden (a real program over the fake backend); regenerate both with
//
//	go test ./tui -run TestGolden -update

// The campaign goldens' inbox: the 30 busy conversations, two of them
// found unreachable by earlier sends. At testNow their ledger is
//
//	send 9: inside the 24 h window (Fatima and Gustavo close within the hour)
//	skip 19: 10 outside the 24 h window, 8 beyond 7 days, 1 never wrote
//	blocked 2: Noah (no such user) and Olga (unavailable)
var (
	noahKey = convKey("1000000000000015")
	olgaKey = convKey("1000000000000016")
)

const (
	campaignText  = "Spring sale: 20% off every rain jacket until Sunday. Reply STOP and we will not write again."
	campaignTitle = "Spring sale"
)

func campaignBackend() *fakeBackend {
	be := busyBackend()
	be.block(noahKey, "(#100/2018001) No matching user found", ago(50*time.Hour))
	be.block(olgaKey, "(#551) This person isn't available right now", ago(3*time.Hour))
	return be
}

// openBulkForm selects the whole inbox with V, opens the form with B and
// fills it in: the text, then (tab, tab) the title.
func (g *goldenRun) openBulkForm() {
	g.t.Helper()
	g.waitBusy()
	g.runes("V")
	g.waitFor("30 selected")
	g.runes("B")
	g.waitFor("New campaign to 30 selected", "Will send: 9")
	g.tm.Type(campaignText)
	g.key(tea.KeyTab)
	g.key(tea.KeyTab)
	g.tm.Type(campaignTitle)
	g.waitFor(fmt.Sprintf("%d/2000", len(campaignText)), "Title: "+campaignTitle)
}

func TestGoldenCampaign(t *testing.T) {
	t.Run("bulk_form", func(t *testing.T) {
		g := startGolden(t, campaignBackend(), 120, 36)
		g.openBulkForm()
		m := g.finish()
		if m.mode != modeBulk || m.form.Ledger() == nil {
			t.Fatalf("mode %v, ledger %v: not the form with its ledger", m.mode, m.form.Ledger())
		}
		if n := m.form.Ledger().Counts(); n.Send != 9 || n.Skip != 19 || n.Blocked != 2 {
			t.Errorf("ledger counts %+v, want send 9, skip 19, blocked 2", n)
		}
	})

	t.Run("bulk_confirm", func(t *testing.T) {
		g := startGolden(t, campaignBackend(), 120, 36)
		g.openBulkForm()
		g.key(tea.KeyCtrlS)
		g.waitFor("Send this message to 9 recipients now?")
		g.finish()
		if n := g.be.callCount("StartCampaign"); n != 0 {
			t.Errorf("StartCampaign called %d times before y", n)
		}
	})

	t.Run("progress", func(t *testing.T) {
		g := startGolden(t, campaignBackend(), 120, 40)
		g.openBulkForm()
		g.key(tea.KeyCtrlS)
		g.waitFor("Send this message to 9 recipients now?")
		g.runes("y")
		// The recipients are on screen before the dispatcher moves them.
		g.waitFor("RUNNING", "left 9 of 30", "queued    ")
		// Mid-campaign, 42 s in: five sent, one refused, one in flight.
		g.be.progress(1, func(items []store.OutboxItem) {
			for i := range items[:5] {
				items[i].State, items[i].MID = store.OutboxSent, fmt.Sprintf("m_%d", i)
			}
			items[5].State, items[5].Retryable, items[5].ErrorKind = store.OutboxFailed, true, "rate_limited"
			items[5].Reason = "(#613) Calls to this api have exceeded the rate limit: gave up after 6 attempts"
			items[6].State = store.OutboxSending
		}, func(c *store.Campaign) { c.CreatedAt = ago(42 * time.Second) })
		g.waitFor("sent 5 · failed 1 · skipped 21 · unknown 0 · left 3 of 30", "failed    ", "sending   ")
		m := g.finish()
		if m.mode != modeCampaign || m.progress.Campaign().Counts.Sent != 5 {
			t.Errorf("mode %v, counts %+v", m.mode, m.progress.Campaign().Counts)
		}
	})

	t.Run("history", func(t *testing.T) {
		be := busyBackend()
		addHistory(be)
		g := startGolden(t, be, 120, 36)
		g.waitBusy()
		g.runes("C")
		g.waitFor("Campaigns", "Order delays this week", "Opening hours over Easter")
		g.finish()
	})

	t.Run("history_open", func(t *testing.T) {
		be := busyBackend()
		addHistory(be)
		g := startGolden(t, be, 120, 36)
		g.waitBusy()
		g.runes("C")
		g.waitFor("Campaigns", "Order delays this week")
		g.key(tea.KeyEnter) // the newest
		g.waitFor("DONE", "sent 6 · failed 3 · skipped 2 · unknown 0 · left 0 of 11", "No matching user found")
		g.finish()
	})
}

// addHistory seeds five campaigns, one of each ending, oldest first.
func addHistory(be *fakeBackend) {
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	items := func(psid0 int, states ...any) []store.OutboxItem {
		var out []store.OutboxItem
		for i := 0; i+2 < len(states); i += 3 {
			n, st, reason := states[i].(int), states[i+1].(store.OutboxState), states[i+2].(string)
			for range n {
				out = append(out, store.OutboxItem{ConvKey: convKey(fmt.Sprintf("30000000000%05d", psid0)), State: st, Reason: reason})
				psid0++
			}
		}
		return out
	}
	const outside = "outside the 24 h window: it closed 3h10m ago"
	be.addCampaign(store.Campaign{PageID: testPage, Title: "Opening hours over Easter", Text: "We are closed on Easter Monday.",
		Status: store.CampaignDone, CreatedAt: day(1, 9, 0), UpdatedAt: day(1, 9, 0).Add(4 * time.Second)},
		items(1, 10, store.OutboxSent, "", 2, store.OutboxSkipped, outside)...)
	be.addCampaign(store.Campaign{PageID: testPage, Title: "Black Friday: 30% off everything in the shop until Sunday night", Text: "30% off everything until Sunday!",
		Status: store.CampaignInterrupted, CreatedAt: day(2, 10, 0), UpdatedAt: day(2, 10, 0).Add(12 * time.Second)},
		items(100, 30, store.OutboxSent, "", 2, store.OutboxUnknown, "in flight when pageinbox stopped; not resent",
			6, store.OutboxQueued, "", 2, store.OutboxSkipped, outside)...)
	be.addCampaign(store.Campaign{PageID: testPage, Title: "New rain jackets in stock", Text: "The new rain jackets are in.",
		Status: store.CampaignCancelled, CreatedAt: day(3, 11, 0), UpdatedAt: day(3, 11, 1)},
		items(200, 5, store.OutboxSent, "", 10, store.OutboxSkipped, "campaign cancelled", 5, store.OutboxSkipped, outside)...)
	be.addCampaign(store.Campaign{PageID: testPage, Title: "Spring sale", Text: campaignText,
		Status: store.CampaignPaused, CreatedAt: day(4, 14, 0), UpdatedAt: day(4, 14, 3)},
		items(300, 8, store.OutboxSent, "", 12, store.OutboxQueued, "", 1, store.OutboxFailed, "(#2) Service temporarily unavailable")...)
	be.addCampaign(store.Campaign{PageID: testPage, Title: "Order delays this week", Text: "Sorry: orders from this week ship a day late.",
		Status: store.CampaignDone, CreatedAt: day(4, 15, 0), UpdatedAt: day(4, 15, 0).Add(3 * time.Second)},
		items(400, 6, store.OutboxSent, "",
			1, store.OutboxFailed, "(#551) This person isn't available right now",
			1, store.OutboxFailed, "(#100/2018001) No matching user found",
			1, store.OutboxFailed, "(#613) Calls to this api have exceeded the rate limit: gave up after 6 attempts",
			1, store.OutboxSkipped, outside,
			1, store.OutboxSkipped, "beyond 7 days: the customer last wrote 9d2h ago")...)
}
