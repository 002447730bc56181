package fbgraph_test

import (
	"context"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// BenchmarkDispatch sends through the emulator answering in 100 ms with a
// 250/s limit, as Meta's per-Page limit would: the dispatcher against a
// naive sender that waits for each answer before the next send.
//
//	go test ./fbgraph -run '^$' -bench Dispatch -benchtime 1x
func BenchmarkDispatch(b *testing.B) {
	const (
		limit   = 250.0
		latency = 100 * time.Millisecond
	)
	b.Run("dispatcher/10000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			w := newWorld(b, 10000, fbtest.Config{})
			w.srv.SetLatency(latency)
			w.srv.SetRateLimit(limit, 25)
			items := w.enqueueAll(b)
			d := fbgraph.NewDispatcher(w.st, w.client(fbgraph.Options{MaxAttempts: 6, BaseDelay: 20 * time.Millisecond}),
				fbgraph.DispatcherOptions{Rate: limit, Burst: 10, Concurrency: 64, Now: w.clock.Now, Poll: 10 * time.Millisecond})
			b.StartTimer()
			start := time.Now()
			run(b, d, func() bool { return d.Stats().Sent+d.Stats().Failed >= uint64(len(items)) })
			elapsed := time.Since(start)
			b.StopTimer()
			perSec := float64(len(items)) / elapsed.Seconds()
			b.ReportMetric(perSec, "sends/s")
			b.ReportMetric(100*perSec/limit, "%-of-limit")
			b.ReportMetric(float64(w.srv.Calls(613)), "613-answers")
			b.ReportMetric(float64(d.Stats().Failed), "failed")
			if d.Stats().Failed != 0 {
				b.Errorf("%d sends failed", d.Stats().Failed)
			}
		}
	})
	b.Run("naive/100", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			w := newWorld(b, 100, fbtest.Config{})
			w.srv.SetLatency(latency)
			w.srv.SetRateLimit(limit, 25)
			c := w.client(fbgraph.Options{})
			b.StartTimer()
			start := time.Now()
			for _, psid := range w.psids {
				if _, err := c.Send(context.Background(), fbgraph.Message{PSID: psid, Text: "hello", MessagingType: string(store.Update)}); err != nil {
					b.Fatal(err)
				}
			}
			perSec := float64(len(w.psids)) / time.Since(start).Seconds()
			b.ReportMetric(perSec, "sends/s")
			b.ReportMetric(100*perSec/limit, "%-of-limit")
		}
	})
}
