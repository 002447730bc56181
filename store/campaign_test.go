package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// campaignFixture: at t0+30d, customers who wrote 1 h ago (in1, in2), 25 h
// ago (closed1h), 8 days ago (old8d), one the Page only wrote to (never),
// and one whose last send failed as unavailable (blocked, wrote 2 h ago).
func campaignFixture(t *testing.T) (*store.Store, *clock, string) {
	t.Helper()
	now := at(30 * 24 * time.Hour)
	c := newClock(now)
	s, path := openStore(t, c)
	mustIngest(t, s,
		msg("in1", "m-in1", "hi", now.Add(-time.Hour)),
		msg("in2", "m-in2", "hello", now.Add(-time.Hour)),
		msg("closed1h", "m-closed", "hey", now.Add(-25*time.Hour)),
		msg("old8d", "m-old", "yo", now.Add(-8*24*time.Hour)),
		echo("never", "m-never", "a reply typed in Meta's inbox", now.Add(-time.Hour)),
		msg("blocked", "m-blocked", "hi", now.Add(-2*time.Hour)),
	)
	s.SetName(ctx(), key("in1"), "Ana Souza")
	item, err := s.Enqueue(ctx(), store.Send{ConvKey: key("blocked"), Text: "your order shipped"})
	if err != nil {
		t.Fatal(err)
	}
	claimed, _ := s.Claim(ctx(), 10)
	if len(claimed) != 1 || claimed[0].ID != item.ID {
		t.Fatalf("claimed %+v", claimed)
	}
	if err := s.Complete(ctx(), item.ID, store.Result{Failed: true, ErrorKind: store.KindUserUnavailable,
		Reason: "this person isn't available right now"}); err != nil {
		t.Fatal(err)
	}
	return s, c, path
}

func psids(es []store.LedgerEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.PSID)
	}
	return out
}

func keys(ps ...string) []store.ConvKey {
	var out []store.ConvKey
	for _, p := range ps {
		out = append(out, key(p))
	}
	return out
}

func TestEligibilityLedger(t *testing.T) {
	s, c, _ := campaignFixture(t)
	l, err := s.Eligibility(ctx(), page, keys("in1", "closed1h", "old8d", "never", "stranger", "blocked", "in2", "in1"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(psids(l.Send), psids(l.Skip), psids(l.Blocked)); got != "[in1 in2] [closed1h old8d never stranger] [blocked]" {
		t.Errorf("ledger = %s", got)
	}
	if l.MessagingType != store.Update || !l.At.Equal(c.Now()) || l.PageID != page {
		t.Errorf("ledger header = %s %v %s", l.MessagingType, l.At, l.PageID)
	}
	want := map[string]struct{ kind, reason string }{
		"in1":      {"", "inside the 24 h window (23h00m left)"},
		"closed1h": {store.SkipOutsideWindow, "outside the 24 h window: it closed 1h00m ago"},
		"old8d":    {store.SkipBeyond7Days, "beyond 7 days: the customer last wrote 8d0h ago"},
		"never":    {store.SkipNeverWrote, "never written"},
		"stranger": {store.SkipNoConversation, "no conversation"},
		"blocked":  {store.SkipBlocked, "isn't available right now"},
	}
	for _, list := range [][]store.LedgerEntry{l.Send, l.Skip, l.Blocked} {
		for _, e := range list {
			w, ok := want[e.PSID]
			if !ok {
				continue
			}
			if e.Kind != w.kind || !strings.Contains(e.Reason, w.reason) {
				t.Errorf("%s: kind %q reason %q, want %q containing %q", e.PSID, e.Kind, e.Reason, w.kind, w.reason)
			}
		}
	}
	if l.Send[0].Name != "Ana Souza" || l.Send[0].Left != 23*time.Hour {
		t.Errorf("send entry = %+v", l.Send[0])
	}
	counts := l.Counts()
	if counts.Total != 7 || counts.Send != 2 || counts.Skip != 4 || counts.Blocked != 1 ||
		counts.ByKind[store.SkipOutsideWindow] != 1 || counts.ByKind[store.SkipBlocked] != 1 {
		t.Errorf("counts = %+v", counts)
	}
	if n := l.ClosingWithin(23*time.Hour + time.Minute); n != 2 {
		t.Errorf("closing within 23h01m = %d", n)
	}

	// The store's clock decides: an hour later in1's window has 22 h left,
	// and a day later it has closed.
	c.Advance(24 * time.Hour)
	l, _ = s.Eligibility(ctx(), page, keys("in1"))
	if len(l.Send) != 0 || len(l.Skip) != 1 || l.Skip[0].Reason != "outside the 24 h window: it closed 1h00m ago" {
		t.Errorf("a day later: %+v", l)
	}

	// A token problem blocks everyone who would have been sent to.
	c.Advance(-24 * time.Hour)
	l, _ = s.Eligibility(ctx(), page, keys("in1", "old8d", "blocked"))
	l = l.WithTokenProblem("the Page access token is invalid")
	if len(l.Send) != 0 || fmt.Sprint(psids(l.Blocked)) != "[blocked in1]" || l.Blocked[1].Kind != store.SkipTokenInvalid ||
		l.TokenProblem == "" || len(l.Skip) != 1 {
		t.Errorf("with a token problem: %+v", l)
	}

	if _, err := s.Eligibility(ctx(), page, []store.ConvKey{{PageID: "OTHER", PSID: "in1"}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a key of another page: %v", err)
	}
	if _, err := s.Eligibility(ctx(), "NOPAGE", nil); !errors.Is(err, store.ErrUnknownPage) {
		t.Errorf("unknown page: %v", err)
	}
}

func TestBlockedMemory(t *testing.T) {
	s, c, path := campaignFixture(t)
	cv := conv(t, s, "blocked")
	if !strings.Contains(cv.Blocked, "isn't available") || !cv.BlockedAt.Equal(c.Now()) {
		t.Fatalf("blocked = %q at %v", cv.Blocked, cv.BlockedAt)
	}
	// Other failures do not block.
	it, _ := s.Enqueue(ctx(), store.Send{ConvKey: key("in1"), Text: "x"})
	s.Claim(ctx(), 1)
	s.Complete(ctx(), it.ID, store.Result{Failed: true, ErrorKind: "transient", Retryable: true, Reason: "Meta failed"})
	if cv := conv(t, s, "in1"); cv.Blocked != "" {
		t.Errorf("a transient failure blocked in1: %q", cv.Blocked)
	}
	// New fields are omitted while empty: files stay as they were.
	raw, _ := json.Marshal(conv(t, s, "in1"))
	if strings.Contains(string(raw), "blocked") {
		t.Errorf("unblocked conversation JSON mentions blocked: %s", raw)
	}
	// It survives a restart.
	s.Close()
	s = reopen(t, path, c)
	if conv(t, s, "blocked").Blocked == "" {
		t.Fatal("blocked forgotten on reopen")
	}
	// A message from before it was learnt (a late webhook, a backfill)
	// does not clear it; a later one does.
	mustIngest(t, s, msg("blocked", "m-late", "old news", c.Now().Add(-time.Minute)))
	if conv(t, s, "blocked").Blocked == "" {
		t.Error("an older message cleared blocked")
	}
	c.Advance(time.Hour)
	mustIngest(t, s, msg("blocked", "m-back", "I'm back", c.Now()))
	if cv := conv(t, s, "blocked"); cv.Blocked != "" || !cv.BlockedAt.IsZero() {
		t.Errorf("a new message did not clear blocked: %q %v", cv.Blocked, cv.BlockedAt)
	}
	// no_such_user blocks too.
	it, _ = s.Enqueue(ctx(), store.Send{ConvKey: key("in2"), Text: "x"})
	s.Claim(ctx(), 1)
	s.Complete(ctx(), it.ID, store.Result{Failed: true, ErrorKind: store.KindNoSuchUser, Reason: "no matching user"})
	if cv := conv(t, s, "in2"); cv.Blocked != "no matching user" {
		t.Errorf("no_such_user: blocked = %q", cv.Blocked)
	}
}

func itemsByPSID(t *testing.T, s *store.Store, id uint64) map[string]store.OutboxItem {
	t.Helper()
	items, err := s.CampaignItems(ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.OutboxItem{}
	for _, it := range items {
		out[it.PSID] = it
	}
	return out
}

func TestCampaignFromLedger(t *testing.T) {
	s, c, _ := campaignFixture(t)
	// The first recipient is skipped: the campaign must still run.
	l, err := s.Eligibility(ctx(), page, keys("old8d", "in1", "closed1h", "never", "stranger", "blocked", "in2"))
	if err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe(64)
	defer sub.Close()
	camp, err := s.CreateCampaignFromLedger(ctx(), store.Campaign{Title: "Sale", Text: "20% off"}, l)
	if err != nil {
		t.Fatal(err)
	}
	if camp.PageID != page || camp.Status != store.CampaignRunning || camp.Counts != (store.CampaignCounts{Total: 7, Queued: 2, Skipped: 5}) {
		t.Fatalf("campaign = %s %+v", camp.Status, camp.Counts)
	}
	if ch := <-sub.C; ch.Kind != store.CampaignProgress || ch.Campaign.Counts != camp.Counts {
		t.Errorf("first change = %+v", ch)
	}
	items := itemsByPSID(t, s, camp.ID)
	for psid, kind := range map[string]string{"old8d": store.SkipBeyond7Days, "closed1h": store.SkipOutsideWindow,
		"never": store.SkipNeverWrote, "stranger": store.SkipNoConversation, "blocked": store.SkipBlocked} {
		it := items[psid]
		if it.State != store.OutboxSkipped || it.ErrorKind != kind || it.Reason == "" {
			t.Errorf("%s: %s %q %q", psid, it.State, it.ErrorKind, it.Reason)
		}
	}
	for _, psid := range []string{"in1", "in2"} {
		if it := items[psid]; it.State != store.OutboxQueued || it.MessagingType != store.Update || it.Tag != "" {
			t.Errorf("%s: %+v", psid, it)
		}
	}
	got, _ := s.Claim(ctx(), 10)
	if len(got) != 2 {
		t.Fatalf("claimed %d, want 2", len(got))
	}

	// The ledger is checked again at creation: a window that closed since
	// it was drawn up is skipped then.
	l, _ = s.Eligibility(ctx(), page, keys("in1", "in2"))
	c.Advance(23*time.Hour + 30*time.Minute)
	mustIngest(t, s, msg("in2", "m-in2-again", "still there?", c.Now()))
	c.Advance(time.Hour)
	camp, err = s.CreateCampaignFromLedger(ctx(), store.Campaign{Title: "Later", Text: "hello"}, l)
	if err != nil {
		t.Fatal(err)
	}
	items = itemsByPSID(t, s, camp.ID)
	if items["in1"].State != store.OutboxSkipped || items["in1"].ErrorKind != store.SkipOutsideWindow || items["in2"].State != store.OutboxQueued {
		t.Errorf("re-check at creation: in1 %s %s, in2 %s", items["in1"].State, items["in1"].ErrorKind, items["in2"].State)
	}

	// Everyone skipped: done at once, nothing to claim.
	l, _ = s.Eligibility(ctx(), page, keys("old8d", "never"))
	camp, err = s.CreateCampaignFromLedger(ctx(), store.Campaign{Title: "Nobody", Text: "x"}, l)
	if err != nil || camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 2, Skipped: 2}) {
		t.Errorf("all skipped: %s %+v %v", camp.Status, camp.Counts, err)
	}
	if _, err := s.CreateCampaignFromLedger(ctx(), store.Campaign{PageID: "OTHER", Text: "x"}, l); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("ledger of another page: %v", err)
	}
}

func TestRetryFailed(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	var rs []store.Recipient
	for i := 0; i < 7; i++ {
		psid := fmt.Sprintf("r%d", i)
		mustIngest(t, s, msg(psid, "m"+psid, "hi", at(0)))
		rs = append(rs, store.Recipient{ConvKey: key(psid)})
	}
	rs[6].SkipReason, rs[6].SkipKind = "outside the 24 h window", store.SkipOutsideWindow
	camp, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T", Text: "x"}, rs)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.RetryFailed(ctx(), camp.ID); n != 0 || err != nil {
		t.Errorf("nothing failed yet: %d %v", n, err)
	}
	items, _ := s.Claim(ctx(), 10)
	if len(items) != 6 {
		t.Fatalf("claimed %d", len(items))
	}
	byPSID := map[string]uint64{}
	for _, it := range items {
		byPSID[it.PSID] = it.ID
	}
	results := map[string]store.Result{
		"r0": {MID: "mid-r0"},
		"r1": {Failed: true, ErrorKind: "rate_limited", Reason: "rate limited by Meta; retries exhausted", Retryable: true},
		"r2": {Failed: true, ErrorKind: "transient", Reason: "Meta or the network failed temporarily", Retryable: true},
		"r3": {Failed: true, ErrorKind: store.KindUserUnavailable, Reason: "this person isn't available right now"},
		"r4": {Unknown: true, ErrorKind: "interrupted", Reason: "interrupted while sending"},
		"r5": {Skipped: true, ErrorKind: store.SkipOutsideWindow, Reason: "the window closed"},
	}
	for psid, res := range results {
		if err := s.Complete(ctx(), byPSID[psid], res); err != nil {
			t.Fatal(err)
		}
	}
	camp, _ = s.Campaign(ctx(), camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 7, Sent: 1, Failed: 3, Skipped: 2, Unknown: 1}) {
		t.Fatalf("before retry: %s %+v", camp.Status, camp.Counts)
	}
	sub := s.Subscribe(256)
	defer sub.Close()
	n, err := s.RetryFailed(ctx(), camp.ID)
	if err != nil || n != 2 {
		t.Fatalf("RetryFailed = %d, %v; want 2", n, err)
	}
	camp, _ = s.Campaign(ctx(), camp.ID)
	if camp.Status != store.CampaignRunning || camp.Counts != (store.CampaignCounts{Total: 7, Sent: 1, Queued: 2, Failed: 1, Skipped: 2, Unknown: 1}) {
		t.Errorf("after retry: %s %+v", camp.Status, camp.Counts)
	}
	var last store.Change
	for len(sub.C) > 0 {
		last = <-sub.C
	}
	if last.Kind != store.CampaignProgress || last.Campaign.Status != store.CampaignRunning {
		t.Errorf("last change = %+v", last)
	}
	again, _ := s.Claim(ctx(), 10)
	var got []string
	for _, it := range again {
		got = append(got, it.PSID)
		if it.Attempts != 1 || it.Reason != "" || it.Retryable {
			t.Errorf("re-queued item %+v", it)
		}
		m, _ := s.Message(ctx(), it.MessageID)
		if m.Status != store.StatusSending || m.Error != "" {
			t.Errorf("its thread message: %s %q", m.Status, m.Error)
		}
	}
	slices.Sort(got)
	if fmt.Sprint(got) != "[r1 r2]" {
		t.Errorf("re-sent %v, want [r1 r2]", got)
	}
	for _, it := range again {
		s.Complete(ctx(), it.ID, store.Result{MID: "mid-" + it.PSID})
	}
	camp, _ = s.Campaign(ctx(), camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts.Sent != 3 {
		t.Errorf("final: %s %+v", camp.Status, camp.Counts)
	}
	// Nothing retryable is left: the campaign stays done.
	if n, err := s.RetryFailed(ctx(), camp.ID); n != 0 || err != nil {
		t.Errorf("second retry: %d %v", n, err)
	}
	if camp, _ = s.Campaign(ctx(), camp.ID); camp.Status != store.CampaignDone {
		t.Errorf("status after an empty retry: %s", camp.Status)
	}
	if _, err := s.RetryFailed(ctx(), 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown campaign: %v", err)
	}
}

func TestRetryFailedRefusesCancelled(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	mustIngest(t, s, msg("a", "ma", "hi", at(0)), msg("b", "mb", "hi", at(0)))
	camp, _ := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T", Text: "x"}, []store.Recipient{{ConvKey: key("a")}, {ConvKey: key("b")}})
	items, _ := s.Claim(ctx(), 1)
	s.Complete(ctx(), items[0].ID, store.Result{Failed: true, ErrorKind: "transient", Retryable: true, Reason: "x"})
	s.SetCampaignStatus(ctx(), camp.ID, store.CampaignCancelled)
	if n, err := s.RetryFailed(ctx(), camp.ID); n != 0 || !errors.Is(err, store.ErrInvalid) {
		t.Errorf("retry of a cancelled campaign: %d %v", n, err)
	}
}

// A crash that leaves nothing queued finishes the campaign on reopen (the
// unknown item is never resent); resuming a paused campaign whose last
// sends completed while it was paused finishes it too.
func TestResumeWithNothingLeft(t *testing.T) {
	c := newClock(at(time.Hour))
	s, path := openStore(t, c)
	mustIngest(t, s, msg("a", "ma", "hi", at(0)), msg("b", "mb", "hi", at(0)), msg("c", "mc", "hi", at(0)))
	two := []store.Recipient{{ConvKey: key("a")}, {ConvKey: key("b")}}
	camp, _ := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T", Text: "x"}, two)
	items, _ := s.Claim(ctx(), 2)
	s.Complete(ctx(), items[0].ID, store.Result{MID: "m1"})
	s.Close() // items[1] was in flight
	s = reopen(t, path, c)
	camp, _ = s.Campaign(ctx(), camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 2, Sent: 1, Unknown: 1}) {
		t.Fatalf("after crash: %s %+v", camp.Status, camp.Counts)
	}
	if it, _ := s.Item(ctx(), items[1].ID); it.State != store.OutboxUnknown {
		t.Errorf("the in-flight item became %s", it.State)
	}

	camp, _ = s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T2", Text: "y"}, append(two, store.Recipient{ConvKey: key("c")}))
	items, _ = s.Claim(ctx(), 3)
	if _, err := s.SetCampaignStatus(ctx(), camp.ID, store.CampaignPaused); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		s.Complete(ctx(), it.ID, store.Result{MID: "mid-" + it.PSID})
	}
	if camp, _ = s.Campaign(ctx(), camp.ID); camp.Status != store.CampaignPaused || camp.Counts.Sent != 3 {
		t.Fatalf("paused: %s %+v", camp.Status, camp.Counts)
	}
	camp, err := s.SetCampaignStatus(ctx(), camp.ID, store.CampaignRunning)
	if err != nil || camp.Status != store.CampaignDone {
		t.Errorf("resume: %s %v", camp.Status, err)
	}
}

func TestCampaignReplies(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	var rs []store.Recipient
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		mustIngest(t, s, msg(p, "m"+p, "hi", at(0)))
		rs = append(rs, store.Recipient{ConvKey: key(p)})
	}
	camp, _ := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T", Text: "x"}, rs)
	items, _ := s.Claim(ctx(), 10)
	c.Advance(time.Minute)
	for _, it := range items {
		if it.PSID == "e" {
			s.Complete(ctx(), it.ID, store.Result{Failed: true, ErrorKind: "transient", Reason: "x", Retryable: true})
			continue
		}
		s.Complete(ctx(), it.ID, store.Result{MID: "out-" + it.PSID})
	}
	sentAt := c.Now()
	mustIngest(t, s,
		msg("a", "a2", "thanks!", sentAt.Add(10*time.Minute)),                                                                          // a reply
		msg("b", "b2", "written before it was sent", sentAt.Add(-30*time.Second)),                                                      // not a reply
		store.Event{Kind: store.EventReaction, PageID: page, PSID: "c", MID: "out-c", Reaction: "love", Time: sentAt.Add(time.Minute)}, // not writing
		msg("e", "e2", "never got it", sentAt.Add(time.Minute)),                                                                        // not sent to
		store.Event{Kind: store.EventPostback, PageID: page, PSID: "d", Title: "Shop now", Payload: "SHOP", Time: sentAt.Add(2 * time.Minute)},
	)
	n, err := s.CampaignReplies(ctx(), camp.ID)
	if err != nil || n != 2 {
		t.Errorf("replies = %d, %v; want 2 (a wrote, d tapped a button)", n, err)
	}
	if _, err := s.CampaignReplies(ctx(), 42); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown campaign: %v", err)
	}
}

func TestConversationKeys(t *testing.T) {
	c := newClock(at(48 * time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s,
		msg("old", "m1", "Where is my order?", at(time.Hour)),
		msg("new", "m2", "hello", at(47*time.Hour)),
		msg("mid", "m3", "order 42 arrived", at(20*time.Hour)),
		echo("recent-echo", "m4", "we wrote last", at(46*time.Hour)),
	)
	s.MarkRead(ctx(), key("new"))
	s.SetStatus(ctx(), key("mid"), store.ConvDone)
	tests := []struct {
		q    store.ListQuery
		want string
	}{
		{store.ListQuery{Filter: store.FilterAll}, "[new recent-echo mid old]"},
		{store.ListQuery{}, "[new recent-echo mid old]"},
		{store.ListQuery{Filter: store.FilterUnread}, "[mid old]"},
		{store.ListQuery{Filter: store.FilterWindow}, "[new]"},
		{store.ListQuery{Filter: store.FilterDone}, "[mid]"},
		{store.ListQuery{Filter: store.FilterAll, Search: "order"}, "[mid old]"},
		{store.ListQuery{Filter: store.FilterAll, Limit: 1, After: "whatever"}, "[new recent-echo mid old]"},
	}
	for _, tt := range tests {
		got, err := s.ConversationKeys(ctx(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range got {
			if k.PageID != page {
				t.Errorf("key %v", k)
			}
			ids = append(ids, k.PSID)
		}
		if fmt.Sprint(ids) != tt.want {
			t.Errorf("%+v: %v, want %s", tt.q, ids, tt.want)
		}
	}
	if _, err := s.ConversationKeys(ctx(), store.ListQuery{Filter: "bogus"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bogus filter: %v", err)
	}
}
