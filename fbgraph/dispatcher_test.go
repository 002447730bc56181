package fbgraph_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type world struct {
	srv   *fbtest.Server
	st    *store.Store
	path  string
	clock *clock
	page  string
	psids []string
}

// newWorld: n customers who wrote an hour ago, known to both the store
// and the emulator.
func newWorld(t testing.TB, n int, cfg fbtest.Config) *world {
	t.Helper()
	c := &clock{t: t0}
	cfg.PageToken, cfg.Now, cfg.Seed = token, c.Now, 7
	srv := fbtest.NewServer(cfg)
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "inbox.db")
	st, err := store.Open(path, store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{srv: srv, st: st, path: path, clock: c, page: srv.PageID()}
	st.EnsurePages(context.Background(), []string{w.page})
	var evs []store.Event
	for i := 0; i < n; i++ {
		psid := fmt.Sprintf("%016d", 1000+i)
		at := t0.Add(-time.Hour)
		srv.AddUser(psid, "Customer "+psid)
		srv.Inbound(psid, at)
		evs = append(evs, store.Event{Kind: store.EventMessage, PageID: w.page, PSID: psid, MID: "in-" + psid, Text: "hi", Time: at})
		w.psids = append(w.psids, psid)
	}
	for i := 0; i < len(evs); i += 500 {
		if err := st.Ingest(context.Background(), evs[i:min(i+500, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) client(o fbgraph.Options) *fbgraph.Client {
	o.BaseURL, o.PageToken = w.srv.URL(), token
	if o.BaseDelay == 0 {
		o.BaseDelay, o.MaxDelay = 5*time.Millisecond, 50*time.Millisecond
	}
	return fbgraph.New(o)
}

func (w *world) enqueueAll(t testing.TB) []store.OutboxItem {
	t.Helper()
	var items []store.OutboxItem
	for _, psid := range w.psids {
		it, err := w.st.Enqueue(context.Background(), store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: psid}, Text: "hello " + psid})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	return items
}

// run runs a dispatcher until cond holds (or the deadline), then stops it.
func run(t testing.TB, d *fbgraph.Dispatcher, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatal("dispatcher did not finish in time")
		}
		d.Wake()
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func states(t testing.TB, st *store.Store, items []store.OutboxItem) map[store.OutboxState]int {
	t.Helper()
	n := map[store.OutboxState]int{}
	for _, it := range items {
		got, err := st.Item(context.Background(), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		n[got.State]++
	}
	return n
}

// allDone reports whether every item has an outcome (none is queued or
// in flight).
func allDone(t testing.TB, st *store.Store, items []store.OutboxItem) bool {
	t.Helper()
	n := states(t, st, items)
	return n[store.OutboxQueued]+n[store.OutboxSending] == 0
}

// 1,000 sends through 5% server errors and Meta's rate limit: every one
// ends sent, exactly once.
func TestDispatcherSendsEachItemOnce(t *testing.T) {
	w := newWorld(t, 1000, fbtest.Config{})
	w.srv.SetErrorRate(0.05)
	w.srv.SetRateLimit(400, 5)
	items := w.enqueueAll(t)
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{MaxAttempts: 6}), fbgraph.DispatcherOptions{Rate: 300, Burst: 20, Concurrency: 16, Now: w.clock.Now})
	run(t, d, func() bool {
		n, _ := w.st.Queued(context.Background())
		return n == 0 && d.Stats().Sent+d.Stats().Failed == 1000
	})
	if got := states(t, w.st, items); got[store.OutboxSent] != 1000 {
		for _, it := range items {
			if g, _ := w.st.Item(context.Background(), it.ID); g.State != store.OutboxSent {
				t.Logf("item %d: %s %s %s", g.ID, g.State, g.ErrorKind, g.Reason)
				break
			}
		}
		t.Fatalf("states = %v", got)
	}
	for _, psid := range w.psids {
		if n := len(w.srv.SentTo(psid)); n != 1 {
			t.Errorf("%s got %d messages", psid, n)
		}
	}
	if w.srv.Calls(613) == 0 || w.srv.Calls(2) == 0 {
		t.Errorf("faults were not exercised: 613×%d, 5xx×%d", w.srv.Calls(613), w.srv.Calls(2))
	}
	// Each thread message carries Meta's mid.
	for _, it := range items[:10] {
		m, _ := w.st.Message(context.Background(), it.MessageID)
		if m.Status != store.StatusSent || m.MID == "" {
			t.Errorf("message %+v", m)
		}
	}
}

// The store closes while sends are in flight (the process dies): on
// reopening, only those in flight are unknown; nothing is sent twice.
func TestDispatcherCrashLeavesOnlyInFlightUnknown(t *testing.T) {
	w := newWorld(t, 200, fbtest.Config{})
	w.srv.SetLatency(50 * time.Millisecond)
	items := w.enqueueAll(t)
	const concurrency = 8
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Rate: 1000, Burst: concurrency, Concurrency: concurrency, Now: w.clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for len(w.srv.Sent()) < 40 {
		time.Sleep(5 * time.Millisecond)
	}
	w.st.Close() // the crash
	cancel()
	<-done
	st, err := store.Open(w.path, store.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := states(t, st, items)
	if got[store.OutboxUnknown] == 0 || got[store.OutboxUnknown] > concurrency {
		t.Errorf("unknown = %d, want 1..%d (states %v)", got[store.OutboxUnknown], concurrency, got)
	}
	if got[store.OutboxSending] != 0 || got[store.OutboxSent]+got[store.OutboxUnknown]+got[store.OutboxQueued] != len(items) {
		t.Errorf("states = %v", got)
	}
	// Finish the rest with a new dispatcher: unknown items are not resent.
	// It runs until every item has its outcome recorded: an empty queue is
	// not enough (claimed items are in sending, and a stopping dispatcher
	// puts the ones it had not sent yet back in the queue), nor is the
	// emulator's count (it holds the first run's unknown sends too).
	d2 := fbgraph.NewDispatcher(st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Rate: 1000, Concurrency: concurrency, Now: w.clock.Now})
	run(t, d2, func() bool { return allDone(t, st, items) })
	final := states(t, st, items)
	for _, psid := range w.psids {
		if n := len(w.srv.SentTo(psid)); n > 1 {
			t.Errorf("%s got %d messages", psid, n)
		}
	}
	if final[store.OutboxSent]+final[store.OutboxUnknown] != len(items) {
		t.Errorf("final states = %v", final)
	}
}

// The window closes between enqueue and send: caught before calling Meta.
func TestDispatcherRechecksTheWindow(t *testing.T) {
	w := newWorld(t, 3, fbtest.Config{})
	items := w.enqueueAll(t)
	w.clock.Advance(24 * time.Hour) // last inbound is now 25 h ago
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now})
	run(t, d, func() bool { return d.Stats().Failed == 3 })
	if n := len(w.srv.Requests()); n != 0 {
		t.Errorf("%d calls reached Meta", n)
	}
	it, _ := w.st.Item(context.Background(), items[0].ID)
	if it.State != store.OutboxFailed || it.ErrorKind != "outside_window" || it.Retryable {
		t.Errorf("item = %+v", it)
	}
}

// An invalid token pauses all sending with one alert; nothing fails.
func TestDispatcherStopsOnInvalidToken(t *testing.T) {
	w := newWorld(t, 20, fbtest.Config{})
	w.srv.ExpireToken()
	items := w.enqueueAll(t)
	var alerts atomic.Int32
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Concurrency: 4, Now: w.clock.Now,
		OnAlert: func(string) { alerts.Add(1) }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for d.Blocked() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if got := states(t, w.st, items); got[store.OutboxQueued] != 20 {
		t.Errorf("states while blocked = %v", got)
	}
	if calls := len(w.srv.Requests()); calls > 4 {
		t.Errorf("%d calls with a dead token", calls)
	}
	w.srv.SetToken(token)
	d.Unblock()
	deadline = time.Now().Add(10 * time.Second)
	for d.Stats().Sent < 20 && time.Now().Before(deadline) {
		d.Wake()
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if alerts.Load() != 1 || d.Stats().Sent != 20 {
		t.Errorf("alerts = %d, sent = %d", alerts.Load(), d.Stats().Sent)
	}
}

// Campaign items whose window closed are skipped, not failed.
func TestDispatcherSkipsCampaignItemsOutsideTheWindow(t *testing.T) {
	w := newWorld(t, 4, fbtest.Config{})
	var rs []store.Recipient
	for _, p := range w.psids {
		rs = append(rs, store.Recipient{ConvKey: store.ConvKey{PageID: w.page, PSID: p}})
	}
	camp, err := w.st.CreateCampaign(context.Background(), store.Campaign{PageID: w.page, Title: "t", Text: "sale"}, rs)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(23*time.Hour + 30*time.Minute)
	w.st.Ingest(context.Background(), []store.Event{{Kind: store.EventMessage, PageID: w.page, PSID: w.psids[0], MID: "again", Text: "still there?", Time: w.clock.Now()}})
	w.srv.Inbound(w.psids[0], w.clock.Now())
	w.clock.Advance(time.Hour)
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now})
	run(t, d, func() bool {
		c, _ := w.st.Campaign(context.Background(), camp.ID)
		return c.Status == store.CampaignDone
	})
	c, _ := w.st.Campaign(context.Background(), camp.ID)
	if c.Counts.Sent != 1 || c.Counts.Skipped != 3 || len(w.srv.Sent()) != 1 {
		t.Errorf("counts = %+v, emulator sent %d", c.Counts, len(w.srv.Sent()))
	}
}
