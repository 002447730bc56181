package daemon_test

// BenchmarkAttachedClients: 50 TUIs attached over real loopback /ws while
// the webhook takes 5,000 events/s (issue 7). It only runs with -bench:
//
//	go test ./daemon -run '^$' -bench AttachedClients -benchtime 1x
//
// One process holds everything, as a small daemon box would: a store
// (group commit, fsync), the webhook.Handler and the daemon.Server each
// behind an httptest server, 50 daemon.Clients each with one subscriber, and a
// paced sender posting signed POSTs of 10 events at 500 POSTs/s for 5 s.
//
// For every message it takes the moment the webhook's 200 reached the
// sender (the ack) and the moment each client's subscriber got the
// MessageAdded of that mid (the receipt), and reports over all clients
// and messages the p50/p99/max of receipt - ack in ms (a receipt before
// the ack, which happens since the store publishes on commit, counts as
// 0 and is reported as before-ack-%), the events/s achieved and the
// webhook's own ack p99. It fails when any client misses a message, sees
// a Resync or is cut loose: every change must reach every client. After
// the last POST it waits for the last receipts until none has come for
// 3 s (30 s at most). The figures are logged before any failure.
//
// CPU per change per client: the CPU of the clients' own goroutines (a
// CPU profile split by pprof label, api_bench_cpu_test.go) over every
// change they received while the events went out, as
// client-cpu-ns/change/client; the whole process's CPU the same way as
// proc-cpu-ns/change/client.
//
// PAGEINBOX_BENCH_EVENTS_PER_SEC, PAGEINBOX_BENCH_CLIENTS and
// PAGEINBOX_BENCH_SECONDS change the load, to find where a machine tops out.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

const (
	attClients      = 50
	attEventsPerSec = 5000
	attPerPost      = 10
	attSeconds      = 5
	attSenders      = 64 // POSTs in flight at most; the pace decides the rate
	attPSIDs        = 1000
	attToken        = "bench-api-token-5b1d"
	benchPage       = "106512345678901"
	benchSecret     = "bench-app-secret-0f3c9a7e"
	attMIDPrefix    = "m_att"
	// attDrain bounds the wait for the last receipts after the last POST.
	attDrain = 30 * time.Second
)

func attEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// attBody is one POST: perPost messages, mids attMIDPrefix+index, from
// consecutive customers.
func attBody(prefix string, first, perPost int, at time.Time) []byte {
	var sb strings.Builder
	ms := at.UnixMilli()
	fmt.Fprintf(&sb, `{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[`, benchPage, ms)
	for i := range perPost {
		n := first + i
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"sender":{"id":"%d"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"%s%d","text":"Hello! Is order #%d still on its way? I paid on Monday."}}`,
			24900000000000+n%attPSIDs, benchPage, ms, prefix, n, n)
	}
	sb.WriteString(`]}]}`)
	return []byte(sb.String())
}

// attReceiver is one attached client's subscriber: it notes when each
// measured message arrived, as offsets from base.
type attReceiver struct {
	prefix   string          // of the measured mids: prefix + index
	got      []time.Duration // by message index; 0: not yet (offsets are > 0)
	n        atomic.Int64    // distinct measured messages received
	changes  atomic.Int64    // every change received, for CPU per change
	dups     int
	resyncs  int
	complete chan struct{} // closed when every measured message is in
	done     chan struct{} // closed when the subscription ended
}

func (r *attReceiver) run(sub <-chan store.Change, base time.Time, warmLast string, warmed chan<- struct{}) {
	defer close(r.done)
	total := len(r.got)
	for ch := range sub {
		r.changes.Add(1)
		switch ch.Kind {
		case store.Resync:
			r.resyncs++
		case store.MessageAdded:
			at := time.Since(base)
			mid := ch.Message.MID
			if rest, ok := strings.CutPrefix(mid, r.prefix); ok {
				i, err := strconv.Atoi(rest)
				if err != nil || i < 0 || i >= total {
					continue
				}
				if r.got[i] != 0 {
					r.dups++
					continue
				}
				r.got[i] = at
				if r.n.Add(1) == int64(total) {
					close(r.complete)
				}
			} else if mid == warmLast {
				warmed <- struct{}{}
			}
		}
	}
}

func BenchmarkAttachedClients(b *testing.B) {
	clients := attEnvInt("PAGEINBOX_BENCH_CLIENTS", attClients)
	rate := attEnvInt("PAGEINBOX_BENCH_EVENTS_PER_SEC", attEventsPerSec)
	seconds := attEnvInt("PAGEINBOX_BENCH_SECONDS", attSeconds)
	posts := rate * seconds / attPerPost
	total := posts * attPerPost
	interval := time.Second * attPerPost / time.Duration(rate)

	st, err := store.Open(filepath.Join(b.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	hook := webhook.New(st, webhook.Config{AppSecret: benchSecret})
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	api := daemon.NewServer(storeInbox(st), attToken, nil)
	apiDone := make(chan struct{})
	go func() { defer close(apiDone); api.Run(ctx) }()
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	wsURL := "ws" + strings.TrimPrefix(apiSrv.URL, "http") + "/ws"

	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        2 * attSenders,
		MaxIdleConnsPerHost: 2 * attSenders,
		MaxConnsPerHost:     attSenders,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	httpc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	postURL := hookSrv.URL + "/webhook"
	send := func(body []byte) (int, error) {
		req, err := http.NewRequest(http.MethodPost, postURL, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hub-Signature-256", webhook.SignatureHeader(body, benchSecret))
		resp, err := httpc.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	for run := 0; run < b.N; run++ {
		b.StopTimer()
		// Fresh mids every run: the store would take repeats as redeliveries.
		prefix := fmt.Sprintf("%s%d_", attMIDPrefix, run)
		base := time.Now()
		warmLast := fmt.Sprintf("m_warm%d_%d", run, attPSIDs-1)
		warmed := make(chan struct{}, clients)
		rcv := make([]*attReceiver, clients)
		conns := make([]*daemon.Client, clients)
		subCtx, subCancel := context.WithCancel(ctx)
		for i := range clients {
			var c *daemon.Client
			asRole("client", func() { // its goroutines are the client's CPU
				c, err = daemon.Dial(ctx, wsURL, attToken, store.Agent{ID: fmt.Sprintf("bench-%d", i), Name: fmt.Sprintf("agent %d", i)}, nil)
			})
			if err != nil {
				b.Fatalf("client %d: %v", i, err)
			}
			conns[i] = c
			sub, _ := c.Subscribe(subCtx)
			rcv[i] = &attReceiver{prefix: prefix, got: make([]time.Duration, total), complete: make(chan struct{}), done: make(chan struct{})}
			asRole("consumer", func() { go rcv[i].run(sub, base, warmLast, warmed) })
		}
		deadline := time.Now().Add(10 * time.Second)
		for api.Attached() != clients {
			if time.Now().After(deadline) {
				b.Fatalf("attached = %d, want %d", api.Attached(), clients)
			}
			time.Sleep(5 * time.Millisecond)
		}

		// Warm-up: the page, every customer's conversation, the keep-alive
		// connections. Then wait until every client has it all.
		for i := 0; i < attPSIDs; i += attPerPost {
			if code, err := send(attBody(fmt.Sprintf("m_warm%d_", run), i, attPerPost, time.Now())); err != nil || code != 200 {
				b.Fatalf("warm-up POST: %d %v", code, err)
			}
		}
		for i := range clients {
			select {
			case <-warmed:
			case <-time.After(20 * time.Second):
				b.Fatalf("only %d of %d clients got the warm-up", i, clients)
			}
		}

		// Bodies are built before the clock starts: that is Meta's work.
		bodies := make([][]byte, posts)
		at := time.Now()
		for i := range bodies {
			bodies[i] = attBody(prefix, i*attPerPost, attPerPost, at)
		}
		acks := make([]time.Duration, total)
		ackLat := make([]time.Duration, posts)
		var (
			next    atomic.Int64
			wg      sync.WaitGroup
			errOnce sync.Once
			sendErr error
		)
		cutBefore := api.CutLoose()
		changesBefore := attChanges(rcv)
		split := startCPUSplit()
		cpuBefore := processCPU()
		b.StartTimer()
		start := time.Now()
		sendLoop := func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= posts {
					return
				}
				if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
					time.Sleep(d)
				}
				t0 := time.Now()
				code, err := send(bodies[i])
				if err == nil && code != http.StatusOK {
					err = fmt.Errorf("POST %d: status %d", i, code)
				}
				if err != nil {
					errOnce.Do(func() { sendErr = err })
					return
				}
				ack := time.Since(base)
				ackLat[i] = time.Since(t0)
				for j := range attPerPost {
					acks[i*attPerPost+j] = ack
				}
			}
		}
		for range attSenders {
			wg.Add(1)
			asRole("sender", func() { go sendLoop() })
		}
		wg.Wait()
		elapsed := time.Since(start)
		if sendErr != nil {
			b.Fatal(sendErr)
		}
		// The last receipts: wait until every client has every message, or
		// nothing has arrived for 3 s (a client cut loose never will).
		drainBy := time.Now().Add(attDrain)
		var lastSum int64
		lastProgress := time.Now()
		for time.Now().Before(drainBy) && time.Since(lastProgress) < 3*time.Second {
			var sum int64
			for _, r := range rcv {
				sum += r.n.Load()
			}
			if sum == int64(total*clients) {
				break
			}
			if sum != lastSum {
				lastSum, lastProgress = sum, time.Now()
			}
			time.Sleep(10 * time.Millisecond)
		}
		var lastReceipt time.Duration
		complete := 0
		b.StopTimer()
		procCPU := processCPU() - cpuBefore
		byRole, cpuErr := split.stop()
		delivered := attChanges(rcv) - changesBefore
		subCancel()
		for _, r := range rcv {
			<-r.done
		}
		for _, c := range conns {
			c.Close()
		}
		for deadline := time.Now().Add(10 * time.Second); api.Attached() != 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}

		var lat []time.Duration
		before, missing, dups, resyncs := 0, 0, 0, 0
		var worst []string
		for ci, r := range rcv {
			miss := 0
			for i, got := range r.got {
				if got == 0 {
					miss++
					continue
				}
				lastReceipt = max(lastReceipt, got-start.Sub(base))
				d := got - acks[i]
				if d < 0 {
					before++
					d = 0
				}
				lat = append(lat, d)
			}
			missing += miss
			if miss == 0 {
				complete++
			}
			dups += r.dups
			resyncs += r.resyncs
			if miss > 0 || r.resyncs > 0 {
				worst = append(worst, fmt.Sprintf("client %d: %d missing, %d resyncs", ci, miss, r.resyncs))
			}
		}
		slices.Sort(lat)
		slices.Sort(ackLat)
		cut := api.CutLoose() - cutBefore
		evps := float64(total) / elapsed.Seconds()
		p50, p99, mx := benchPercentile(lat, 0.50), benchPercentile(lat, 0.99), benchPercentile(lat, 1)
		b.ReportMetric(evps, "events/s")
		b.ReportMetric(p50, "p50-ms")
		b.ReportMetric(p99, "p99-ms")
		b.ReportMetric(mx, "max-ms")
		b.ReportMetric(benchPercentile(ackLat, 0.99), "ack-p99-ms")
		b.ReportMetric(100*float64(before)/float64(max(len(lat), 1)), "before-ack-%")
		perChange := func(d time.Duration) float64 { return float64(d) / float64(max(delivered, 1)) }
		b.ReportMetric(perChange(procCPU), "proc-cpu-ns/change/client")
		if cpuErr == nil {
			b.ReportMetric(perChange(byRole["client"]), "client-cpu-ns/change/client")
			b.Logf("CPU while the events went out: process %v; by profile: client %v, consumer %v, sender %v, the rest (daemon, store, webhook, GC) %v; %d changes delivered over all clients",
				procCPU.Round(time.Millisecond), byRole["client"].Round(time.Millisecond), byRole["consumer"].Round(time.Millisecond),
				byRole["sender"].Round(time.Millisecond), byRole[""].Round(time.Millisecond), delivered)
		} else {
			b.Logf("no client CPU split: %v", cpuErr)
		}
		b.Logf("%d clients, %d events in %d POSTs over %v (%.0f events/s, asked %d); last receipt %v after the first POST; "+
			"ack->receipt over %d receipts: p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 < 50 ms: %v); "+
			"webhook ack p50 %.2f ms, p99 %.2f ms; %d receipts before the ack; %d missing, %d duplicates, %d resyncs, %d clients cut loose",
			clients, total, posts, elapsed.Round(time.Millisecond), evps, rate, lastReceipt.Round(time.Millisecond),
			len(lat), p50, p99, mx, p99 < 50, benchPercentile(ackLat, 0.5), benchPercentile(ackLat, 0.99),
			before, missing, dups, resyncs, cut)
		if missing > 0 || resyncs > 0 || cut > 0 || complete < clients {
			if len(worst) > 5 {
				worst = append(worst[:5], fmt.Sprintf("and %d more", len(worst)-5))
			}
			b.Fatalf("not every client got every change: %d of %d clients complete, %d receipts missing, %d resyncs, %d cut loose (%s)",
				complete, clients, missing, resyncs, cut, strings.Join(worst, "; "))
		}
	}
	cancel()
	<-apiDone
}

// attChanges is the number of changes all receivers have had.
func attChanges(rcv []*attReceiver) int64 {
	var n int64
	for _, r := range rcv {
		n += r.changes.Load()
	}
	return n
}

// benchPercentile is the nearest-rank percentile of sorted, in ms.
func benchPercentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i]) / 1e6
}
