package fbgraph_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// echoWorld is a world whose emulator posts echoes (with the send's
// metadata) to a webhook that stores them, as serve does.
func echoWorld(t *testing.T, n int) *world {
	t.Helper()
	var st atomic.Pointer[store.Store]
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p, err := webhook.Parse(body)
		if err == nil {
			err = st.Load().Ingest(r.Context(), p.Events)
		}
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
		}
	}))
	t.Cleanup(rcv.Close)
	w := newWorld(t, n, fbtest.Config{WebhookURL: rcv.URL, Echoes: true, WebhookBackoff: 5 * time.Millisecond})
	st.Store(w.st)
	return w
}

// start runs d until the test ends (or stop is called).
func start(t *testing.T, d *fbgraph.Dispatcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func itemNow(t *testing.T, st *store.Store, id uint64) store.OutboxItem {
	t.Helper()
	it, err := st.Item(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// A third of the sends are accepted by Meta and answered 502 by an edge:
// none is repeated, and each is settled as sent by its echo, with Meta's
// mid. Every customer gets exactly one message.
func TestEdge502AfterAcceptIsSettledByTheEcho(t *testing.T) {
	w := echoWorld(t, 50)
	w.srv.SetAcceptFaultRate(0.3, fbtest.Edge502)
	items := w.enqueueAll(t)
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Concurrency: 4, Now: w.clock.Now})
	start(t, d)
	waitFor(t, "every item sent", func() bool { return states(t, w.st, items)[store.OutboxSent] == len(items) })
	if w.srv.AcceptFaults() == 0 || d.Stats().Unknown != uint64(w.srv.AcceptFaults()) || d.Stats().Resent != 0 {
		t.Errorf("faults %d, stats %+v", w.srv.AcceptFaults(), d.Stats())
	}
	for i, psid := range w.psids {
		got := w.srv.SentTo(psid)
		if len(got) != 1 {
			t.Fatalf("%s got %d messages", psid, len(got))
		}
		it := itemNow(t, w.st, items[i].ID)
		m, _ := w.st.Message(context.Background(), it.MessageID)
		if it.MID != got[0].MID || m.MID != got[0].MID || m.Status != store.StatusSent {
			t.Errorf("%s: item %+v, message %+v, Meta's mid %s", psid, it, m, got[0].MID)
		}
	}
}

// Meta's own error envelope on a 5xx proves a refusal: retried, sent once.
func TestMetaTransientErrorIsRetried(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	w.srv.FailNext(2, 2, 0, 500)
	items := w.enqueueAll(t)
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now})
	run(t, d, func() bool { return allDone(t, w.st, items) })
	if it := itemNow(t, w.st, items[0].ID); it.State != store.OutboxSent || len(w.srv.Requests()) != 3 || len(w.srv.Sent()) != 1 {
		t.Errorf("item %+v after %d calls, %d delivered", it, len(w.srv.Requests()), len(w.srv.Sent()))
	}
}

// A send that times out is unknown. With no echo, and no sign that echoes
// reach us, it stays unknown after the wait: never sent again.
func TestTimeoutWithoutEchoesStaysUnknown(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	w.srv.FaultAfterAccept(1, fbtest.StallAfterAccept)
	items := w.enqueueAll(t)
	c := w.client(fbgraph.Options{HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}})
	d := fbgraph.NewDispatcher(w.st, c, fbgraph.DispatcherOptions{Now: w.clock.Now, EchoWait: time.Minute, Sweep: 10 * time.Millisecond})
	start(t, d)
	waitFor(t, "the item unknown", func() bool { return itemNow(t, w.st, items[0].ID).State == store.OutboxUnknown })
	if it := itemNow(t, w.st, items[0].ID); it.ErrorKind != store.KindAmbiguous || it.Reason != "may have been sent: no answer from Meta in time" {
		t.Errorf("after the timeout: %+v", it)
	}
	w.clock.Advance(time.Minute + time.Second)
	waitFor(t, "the wait to end", func() bool { return itemNow(t, w.st, items[0].ID).ErrorKind == store.KindNoEcho })
	if n := len(w.srv.Requests()); n != 1 || d.Stats().Resent != 0 {
		t.Errorf("%d calls, stats %+v", n, d.Stats())
	}
}

// A 502 from an edge that never passed the send on: no echo comes. Echoes
// of other sends do, so after the wait it goes once more, and the customer
// gets it once. Without echoes subscribed it stays unknown.
func TestNoEchoAfterTheWait(t *testing.T) {
	for _, subscribed := range []bool{true, false} {
		t.Run(map[bool]string{true: "echoes subscribed", false: "no echoes"}[subscribed], func(t *testing.T) {
			w := echoWorld(t, 2)
			if !subscribed {
				w.srv.SetSubscribedFields([]string{"messages"})
			}
			w.srv.RefuseAtEdge(1)
			ctx := context.Background()
			lost, _ := w.st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: w.psids[0]}, Text: "lost at the edge"})
			d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now,
				EchoWait: time.Minute, Sweep: 10 * time.Millisecond, Poll: 10 * time.Millisecond})
			start(t, d)
			waitFor(t, "the lost send unknown", func() bool { return itemNow(t, w.st, lost.ID).State == store.OutboxUnknown })
			// Another send goes through after it; its echo, if any, comes later.
			w.clock.Advance(time.Second)
			other, _ := w.st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: w.psids[1]}, Text: "fine"})
			d.Wake()
			waitFor(t, "the other sent", func() bool { return itemNow(t, w.st, other.ID).State == store.OutboxSent })
			if err := w.srv.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			w.clock.Advance(time.Minute)
			if subscribed {
				waitFor(t, "the lost send sent once more", func() bool { return itemNow(t, w.st, lost.ID).State == store.OutboxSent })
				if got := w.srv.SentTo(w.psids[0]); len(got) != 1 || got[0].MID != itemNow(t, w.st, lost.ID).MID {
					t.Errorf("the customer got %+v", got)
				}
				if d.Stats().Resent != 1 {
					t.Errorf("stats %+v", d.Stats())
				}
				return
			}
			waitFor(t, "the wait to end", func() bool { return itemNow(t, w.st, lost.ID).ErrorKind == store.KindNoEcho })
			if it := itemNow(t, w.st, lost.ID); it.State != store.OutboxUnknown || len(w.srv.SentTo(w.psids[0])) != 0 {
				t.Errorf("item %+v, sent %+v", it, w.srv.SentTo(w.psids[0]))
			}
		})
	}
}

// A process that cannot receive echoes leaves an ambiguous send unknown at
// once: nothing waits for an echo that cannot come.
func TestNoEchoWaitWithoutAWebhook(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	w.srv.FaultAfterAccept(1, fbtest.Edge502)
	items := w.enqueueAll(t)
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now, EchoWait: -1})
	run(t, d, func() bool { return allDone(t, w.st, items) })
	if it := itemNow(t, w.st, items[0].ID); it.State != store.OutboxUnknown || it.ErrorKind != store.KindNoEcho ||
		it.Reason != "may have been sent: HTTP 502 without Meta's error: Meta may have accepted it" {
		t.Errorf("item %+v", it)
	}
}

// Sending stopped by a refused token resumes by itself once the token
// works again: the held replies go out then, once.
func TestDispatcherResumesWhenTheTokenWorksAgain(t *testing.T) {
	w := newWorld(t, 3, fbtest.Config{})
	w.srv.ExpireToken()
	items := w.enqueueAll(t)
	c := w.client(fbgraph.Options{})
	probe := func(ctx context.Context) error { _, err := c.Me(ctx); return err }
	d := fbgraph.NewDispatcher(w.st, c, fbgraph.DispatcherOptions{Now: w.clock.Now, Probe: probe, ProbeEvery: 20 * time.Millisecond})
	start(t, d)
	// Held: put back in the queue, nothing sent.
	waitFor(t, "the replies held", func() bool { return d.Blocked() != "" && states(t, w.st, items)[store.OutboxQueued] == 3 })
	if n := len(w.srv.Sent()); n != 0 {
		t.Fatalf("%d sent with a dead token", n)
	}
	w.srv.SetToken(token)
	waitFor(t, "the held replies sent", func() bool { return allDone(t, w.st, items) })
	if d.Blocked() != "" || states(t, w.st, items)[store.OutboxSent] != 3 {
		t.Errorf("blocked %q, states %v", d.Blocked(), states(t, w.st, items))
	}
	for _, p := range w.psids {
		if n := len(w.srv.SentTo(p)); n != 1 {
			t.Errorf("%s got %d", p, n)
		}
	}
}

// A dispatcher whose store closes under it stops, echo sweeps included,
// without waiting for its context.
func TestDispatcherStopsWhenTheStoreCloses(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{}), fbgraph.DispatcherOptions{Now: w.clock.Now,
		Poll: 10 * time.Millisecond, Sweep: 10 * time.Millisecond})
	done := make(chan struct{})
	go func() { d.Run(context.Background()); close(done) }()
	w.st.Close()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after the store closed")
	}
}
