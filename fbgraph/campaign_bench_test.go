package fbgraph_test

import (
	"context"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// BenchmarkCampaign10k runs a 10,000-recipient campaign the way the TUI
// and `pageinbox campaign` do (ledger, campaign written first, dispatcher
// until done) against the emulator answering in 100 ms under a 250/s
// limit. It must finish at 95% of the limit or better.
//
//	go test ./fbgraph -run '^$' -bench Campaign10k -benchtime 1x
func BenchmarkCampaign10k(b *testing.B) {
	const (
		n       = 10000
		limit   = 250.0
		latency = 100 * time.Millisecond
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := newWorld(b, n, fbtest.Config{})
		w.srv.SetLatency(latency)
		w.srv.SetRateLimit(limit, 25)
		ctx := context.Background()
		keys, err := w.st.ConversationKeys(ctx, store.ListQuery{Filter: store.FilterWindow})
		if err != nil || len(keys) != n {
			b.Fatalf("selected %d, %v", len(keys), err)
		}
		start := time.Now()
		l, err := w.st.Eligibility(ctx, w.page, keys)
		if err != nil || len(l.Send) != n {
			b.Fatalf("ledger: %d to send, %v", len(l.Send), err)
		}
		ledgerTime := time.Since(start)
		start = time.Now()
		camp, err := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "bench", Text: "10,000 people, one message each"}, l)
		if err != nil {
			b.Fatal(err)
		}
		createTime := time.Since(start)
		d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{MaxAttempts: 6, BaseDelay: 20 * time.Millisecond}),
			fbgraph.DispatcherOptions{Rate: limit, Burst: 10, Concurrency: 64, Now: w.clock.Now, Poll: 10 * time.Millisecond})
		b.StartTimer()
		start = time.Now()
		camp = runCampaign(b, w, d, camp.ID)
		elapsed := time.Since(start)
		b.StopTimer()
		perSec := float64(camp.Counts.Sent) / elapsed.Seconds()
		b.ReportMetric(perSec, "sends/s")
		b.ReportMetric(100*perSec/limit, "%-of-limit")
		b.ReportMetric(float64(w.srv.Calls(613)), "613-answers")
		b.ReportMetric(float64(camp.Counts.Failed), "failed")
		b.ReportMetric(float64(ledgerTime.Milliseconds()), "ledger-ms")
		b.ReportMetric(float64(createTime.Milliseconds()), "create-ms")
		b.Logf("%d sent in %v: %.1f sends/s (%.1f%% of %g/s), %d answers 613, %d failed; ledger %v, create %v",
			camp.Counts.Sent, elapsed.Round(time.Millisecond), perSec, 100*perSec/limit, limit, w.srv.Calls(613), camp.Counts.Failed,
			ledgerTime.Round(time.Millisecond), createTime.Round(time.Millisecond))
		if camp.Counts.Sent != n || len(w.srv.Sent()) != n {
			b.Errorf("campaign %s %+v, emulator accepted %d", camp.Status, camp.Counts, len(w.srv.Sent()))
		}
		if pct := 100 * perSec / limit; pct < 95 {
			b.Errorf("%.1f sends/s is %.1f%% of the %g/s limit, want >= 95%%", perSec, pct, limit)
		}
	}
}
