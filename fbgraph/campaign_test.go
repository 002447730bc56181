package fbgraph_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// addCustomers adds n customers whose last message was `ago` before the
// shared clock's now, to both the store and the emulator.
func (w *world) addCustomers(t testing.TB, prefix string, n int, ago time.Duration) []string {
	t.Helper()
	at := w.clock.Now().Add(-ago)
	var evs []store.Event
	var out []string
	for i := 0; i < n; i++ {
		psid := fmt.Sprintf("%s%04d", prefix, i)
		w.srv.AddUser(psid, "Customer "+psid)
		w.srv.Inbound(psid, at)
		evs = append(evs, store.Event{Kind: store.EventMessage, PageID: w.page, PSID: psid, MID: "in-" + psid, Text: "hi", Time: at})
		out = append(out, psid)
	}
	for i := 0; i < len(evs); i += 500 {
		if err := w.st.Ingest(context.Background(), evs[i:min(i+500, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (w *world) keys(psids ...[]string) []store.ConvKey {
	var out []store.ConvKey
	for _, list := range psids {
		for _, p := range list {
			out = append(out, store.ConvKey{PageID: w.page, PSID: p})
		}
	}
	return out
}

// runCampaign runs d until the campaign is no longer running and nothing
// of it is in flight.
func runCampaign(t testing.TB, w *world, d *fbgraph.Dispatcher, id uint64) store.Campaign {
	t.Helper()
	var c store.Campaign
	run(t, d, func() bool {
		var err error
		c, err = w.st.Campaign(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status != store.CampaignRunning && c.Counts.Sending == 0
	})
	return c
}

func campaignItems(t testing.TB, st *store.Store, id uint64) map[string]store.OutboxItem {
	t.Helper()
	items, err := st.CampaignItems(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.OutboxItem{}
	for _, it := range items {
		out[it.PSID] = it
	}
	return out
}

// 500 recipients: 400 inside the window, 50 whose window closed an hour
// ago, 50 beyond 7 days. Exactly the 400 get exactly one message, as
// UPDATE; the emulator's record is the proof.
func TestCampaign500ReachesExactlyThoseInsideTheWindow(t *testing.T) {
	w := newWorld(t, 0, fbtest.Config{})
	w.srv.SetErrorRate(0.03) // Meta failing now and then changes nothing
	inside := w.addCustomers(t, "in", 400, time.Hour)
	closed := w.addCustomers(t, "closed", 50, 25*time.Hour)
	old := w.addCustomers(t, "old", 50, 8*24*time.Hour)
	ctx := context.Background()

	l, err := w.st.Eligibility(ctx, w.page, w.keys(inside, closed, old))
	if err != nil {
		t.Fatal(err)
	}
	n := l.Counts()
	if n.Send != 400 || n.Skip != 100 || n.Blocked != 0 || n.ByKind[store.SkipOutsideWindow] != 50 || n.ByKind[store.SkipBeyond7Days] != 50 {
		t.Fatalf("ledger counts = %+v", n)
	}
	if got := l.Skip[0].Reason; got != "outside the 24 h window: it closed 1h00m ago" {
		t.Errorf("reason of a window closed an hour ago = %q", got)
	}
	if got := l.Skip[50].Reason; got != "beyond 7 days: the customer last wrote 8d0h ago" {
		t.Errorf("reason beyond 7 days = %q", got)
	}
	camp, err := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "Black Friday", Text: "30% off everything until Sunday"}, l)
	if err != nil {
		t.Fatal(err)
	}
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{MaxAttempts: 6}),
		fbgraph.DispatcherOptions{Rate: 1000, Burst: 20, Concurrency: 16, Now: w.clock.Now, Poll: 20 * time.Millisecond})
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 500, Sent: 400, Skipped: 100}) {
		t.Fatalf("campaign = %s %+v", camp.Status, camp.Counts)
	}
	for _, psid := range inside {
		sent := w.srv.SentTo(psid)
		if len(sent) != 1 {
			t.Errorf("%s got %d messages", psid, len(sent))
			continue
		}
		if sent[0].MessagingType != "UPDATE" || sent[0].Tag != "" || sent[0].Text != "30% off everything until Sunday" {
			t.Errorf("%s got %+v", psid, sent[0])
		}
	}
	if got := len(w.srv.Sent()); got != 400 {
		t.Errorf("the emulator accepted %d sends, want 400", got)
	}
	items := campaignItems(t, w.st, camp.ID)
	for _, list := range []struct {
		psids []string
		kind  string
	}{{closed, store.SkipOutsideWindow}, {old, store.SkipBeyond7Days}} {
		for _, psid := range list.psids {
			if len(w.srv.SentTo(psid)) != 0 {
				t.Errorf("%s, who should be skipped, got a message", psid)
			}
			it := items[psid]
			if it.State != store.OutboxSkipped || it.ErrorKind != list.kind || it.Reason == "" {
				t.Errorf("%s: %s %q %q", psid, it.State, it.ErrorKind, it.Reason)
			}
		}
	}
	for _, r := range w.srv.Requests() {
		if strings.Contains(string(r.Body), "MESSAGE_TAG") || strings.Contains(string(r.Body), "HUMAN_AGENT") {
			t.Fatalf("a campaign send carried a tag: %s", r.Body)
		}
	}
}

// A window that closes between confirmation and sending is caught at send
// time, by the dispatcher, before calling Meta; one that Meta's clock
// closes first is refused by Meta and skipped too.
func TestCampaignWindowClosesBeforeSending(t *testing.T) {
	w := newWorld(t, 0, fbtest.Config{})
	fresh := w.addCustomers(t, "fresh", 5, time.Hour)
	closing := w.addCustomers(t, "closing", 5, 23*time.Hour+55*time.Minute)
	// Meta knows better: this one's window already closed on Meta's side.
	w.srv.Inbound(fresh[0], w.clock.Now().Add(-25*time.Hour))
	ctx := context.Background()
	l, err := w.st.Eligibility(ctx, w.page, w.keys(fresh, closing))
	if err != nil || len(l.Send) != 10 {
		t.Fatalf("ledger: %d to send, %v", len(l.Send), err)
	}
	camp, err := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "t", Text: "last call"}, l)
	if err != nil || camp.Counts.Queued != 10 {
		t.Fatalf("created: %+v %v", camp.Counts, err)
	}
	w.clock.Advance(10 * time.Minute) // the person at the keyboard took their time
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now, Poll: 20 * time.Millisecond})
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Counts != (store.CampaignCounts{Total: 10, Sent: 4, Skipped: 6}) {
		t.Fatalf("counts = %+v", camp.Counts)
	}
	items := campaignItems(t, w.st, camp.ID)
	for _, psid := range closing {
		it := items[psid]
		if it.State != store.OutboxSkipped || it.ErrorKind != store.SkipOutsideWindow || !strings.Contains(it.Reason, "closed 5m ago") {
			t.Errorf("%s: %s %s %q", psid, it.State, it.ErrorKind, it.Reason)
		}
	}
	if it := items[fresh[0]]; it.State != store.OutboxSkipped || !strings.Contains(it.Reason, "refused by Meta") {
		t.Errorf("refused by Meta: %+v", it)
	}
	calls := 0
	for _, r := range w.srv.Requests() {
		if strings.HasSuffix(r.Path, "/messages") {
			calls++
		}
	}
	if len(w.srv.Sent()) != 4 || calls != 5 {
		t.Errorf("sent %d with %d calls; want 4 sent, 5 calls (no call for a closed window)", len(w.srv.Sent()), calls)
	}
}

// A recipient found unreachable after the campaign was created is skipped
// at send time, without a call.
func TestCampaignSkipsRecipientsBlockedSinceCreation(t *testing.T) {
	w := newWorld(t, 0, fbtest.Config{})
	ps := w.addCustomers(t, "p", 3, time.Hour)
	ctx := context.Background()
	l, _ := w.st.Eligibility(ctx, w.page, w.keys(ps))
	camp, err := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "t", Text: "news"}, l)
	if err != nil {
		t.Fatal(err)
	}
	w.st.SetCampaignStatus(ctx, camp.ID, store.CampaignPaused)
	w.srv.SetUnavailable(ps[1])
	item, err := w.st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: ps[1]}, Text: "your parcel"})
	if err != nil {
		t.Fatal(err)
	}
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now, Poll: 20 * time.Millisecond})
	run(t, d, func() bool { it, _ := w.st.Item(ctx, item.ID); return it.State.Done() })
	if c, _ := w.st.Conversation(ctx, store.ConvKey{PageID: w.page, PSID: ps[1]}); !strings.Contains(c.Blocked, "isn't available") {
		t.Fatalf("not blocked after a 551: %q", c.Blocked)
	}
	before := len(w.srv.Requests())
	w.st.SetCampaignStatus(ctx, camp.ID, store.CampaignRunning)
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Counts != (store.CampaignCounts{Total: 3, Sent: 2, Skipped: 1}) || len(w.srv.Requests())-before != 2 {
		t.Errorf("counts %+v, %d calls", camp.Counts, len(w.srv.Requests())-before)
	}
	if it := campaignItems(t, w.st, camp.ID)[ps[1]]; it.ErrorKind != store.SkipBlocked {
		t.Errorf("blocked recipient: %+v", it)
	}
}

// lossy delivers every message but, for the PSIDs it names, pretends the
// answer was lost: cut off mid-call, or a 200 whose body did not parse.
// Meta has those messages; they must never be sent again.
type lossy struct {
	fbgraph.Sender
	mu   sync.Mutex
	lose map[string]*fbgraph.Error
}

func (l *lossy) Send(ctx context.Context, m fbgraph.Message) (fbgraph.SendResult, error) {
	res, err := l.Sender.Send(ctx, m)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.lose[m.PSID]; e != nil && err == nil {
		delete(l.lose, m.PSID)
		return fbgraph.SendResult{}, e
	}
	return res, err
}

// RetryFailed re-queues only retryable failures (Meta failing, rate limit
// exhausted): never a non-retryable failure (unavailable), never a send
// whose outcome is unknown, never one sent or skipped. Each recipient ends
// with at most one message.
func TestRetryFailedResendsOnlyRetryableFailures(t *testing.T) {
	w := newWorld(t, 0, fbtest.Config{})
	ps := w.addCustomers(t, "r", 12, time.Hour)
	old := w.addCustomers(t, "old", 1, 3*24*time.Hour)
	ctx := context.Background()
	l, _ := w.st.Eligibility(ctx, w.page, w.keys(ps, old))
	camp, err := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "t", Text: "flash sale"}, l)
	if err != nil {
		t.Fatal(err)
	}
	// One at a time, so the faults land on known recipients: ps[0] and
	// ps[1] see Meta fail twice each (2 attempts, then a retryable
	// failure), ps[2] is throttled until the rate-limited attempts run
	// out; ps[3] is unavailable; ps[4] and ps[5] reach Meta but the
	// answers are lost.
	w.srv.FailNext(4, 2, 0, 500)
	w.srv.FailNext(10, 613, 0, 400)
	w.srv.SetUnavailable(ps[3])
	sender := &lossy{Sender: w.client(fbgraph.Options{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}),
		lose: map[string]*fbgraph.Error{
			ps[4]: {Class: fbgraph.ClassTransient, Op: "send", Err: context.DeadlineExceeded, MaybeSent: true},
			ps[5]: {Class: fbgraph.ClassTransient, Op: "send", HTTPStatus: 200, Err: fmt.Errorf("answer is not JSON")},
		}}
	d := fbgraph.NewDispatcher(w.st, sender, fbgraph.DispatcherOptions{Rate: 1000, Burst: 1, Concurrency: 1, Now: w.clock.Now, Poll: 10 * time.Millisecond})
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 13, Sent: 6, Failed: 4, Skipped: 1, Unknown: 2}) {
		t.Fatalf("first run: %s %+v", camp.Status, camp.Counts)
	}
	items := campaignItems(t, w.st, camp.ID)
	for psid, want := range map[string]struct {
		kind      string
		retryable bool
	}{ps[0]: {"transient", true}, ps[1]: {"transient", true}, ps[2]: {"rate_limited", true}, ps[3]: {"user_unavailable", false}} {
		if it := items[psid]; it.State != store.OutboxFailed || it.ErrorKind != want.kind || it.Retryable != want.retryable {
			t.Errorf("%s: %s %s retryable=%t", psid, it.State, it.ErrorKind, it.Retryable)
		}
	}
	for _, psid := range ps[4:6] {
		if it := items[psid]; it.State != store.OutboxUnknown {
			t.Errorf("%s, whose answer was lost: %s %s", psid, it.State, it.ErrorKind)
		}
	}

	n, err := w.st.RetryFailed(ctx, camp.ID)
	if err != nil || n != 3 {
		t.Fatalf("RetryFailed = %d, %v; want 3", n, err)
	}
	if c, _ := w.st.Campaign(ctx, camp.ID); c.Status != store.CampaignRunning {
		t.Errorf("after RetryFailed the campaign is %s", c.Status)
	}
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 13, Sent: 9, Failed: 1, Skipped: 1, Unknown: 2}) {
		t.Fatalf("after retry: %s %+v", camp.Status, camp.Counts)
	}
	for i, psid := range ps {
		want := 1
		if i == 3 {
			want = 0
		}
		if got := len(w.srv.SentTo(psid)); got != want {
			t.Errorf("%s got %d messages, want %d", psid, got, want)
		}
	}
	if len(w.srv.SentTo(old[0])) != 0 {
		t.Error("a skipped recipient got a message")
	}
	if n, _ := w.st.RetryFailed(ctx, camp.ID); n != 0 {
		t.Errorf("second RetryFailed re-queued %d", n)
	}
	if c, _ := w.st.Conversation(ctx, store.ConvKey{PageID: w.page, PSID: ps[3]}); c.Blocked == "" {
		t.Error("the unavailable recipient is not remembered as blocked")
	}
}

// Replies from campaign recipients land in the normal inbox and count.
func TestCampaignRepliesAfterSending(t *testing.T) {
	w := newWorld(t, 0, fbtest.Config{})
	ps := w.addCustomers(t, "c", 4, time.Hour)
	ctx := context.Background()
	l, _ := w.st.Eligibility(ctx, w.page, w.keys(ps))
	camp, _ := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "t", Text: "new stock"}, l)
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now, Poll: 20 * time.Millisecond})
	runCampaign(t, w, d, camp.ID)
	w.clock.Advance(5 * time.Minute)
	w.st.Ingest(ctx, []store.Event{
		{Kind: store.EventMessage, PageID: w.page, PSID: ps[0], MID: "reply-0", Text: "how much?", Time: w.clock.Now()},
		{Kind: store.EventMessage, PageID: w.page, PSID: ps[2], MID: "reply-2", Text: "stop", Time: w.clock.Now()},
	})
	if n, err := w.st.CampaignReplies(ctx, camp.ID); n != 2 || err != nil {
		t.Errorf("replies = %d, %v", n, err)
	}
	page, _ := w.st.Conversations(ctx, store.FilterUnread, "", 10)
	if len(page.Conversations) != 4 || page.Conversations[0].LastMessage != "how much?" && page.Conversations[0].LastMessage != "stop" {
		t.Errorf("inbox after replies: %+v", page.Conversations)
	}
}
