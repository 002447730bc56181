package webhook

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// latency is a Prometheus-style histogram of durations.
type latency struct {
	mu      sync.Mutex
	buckets []float64 // upper bounds, seconds
	counts  []uint64
	sum     float64
	n       uint64
}

var ackBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

func (l *latency) observe(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets, l.counts = ackBuckets, make([]uint64, len(ackBuckets))
	}
	s := d.Seconds()
	for i, b := range l.buckets {
		if s <= b {
			l.counts[i]++
		}
	}
	l.sum += s
	l.n++
}

func (l *latency) write(w io.Writer, name, help string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	for i, b := range ackBuckets {
		var c uint64
		if l.counts != nil {
			c = l.counts[i]
		}
		fmt.Fprintf(w, "%s_bucket{le=\"%g\"} %d\n", name, b, c)
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", name, l.n, name, l.sum, name, l.n)
}

// WriteMetrics writes the webhook's counters and latency histograms in
// Prometheus text format, for the daemon's /metrics.
func (h *Handler) WriteMetrics(w io.Writer) {
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	st := h.Stats()
	counter("pageinbox_webhook_posts_total", "Verified webhook POSTs.", st.Posts)
	counter("pageinbox_webhook_events_total", "Webhook events stored.", st.Events)
	counter("pageinbox_webhook_signature_failures_total", "Webhook POSTs refused for their signature.", st.SignatureFailures)
	counter("pageinbox_webhook_unparsable_total", "Signed webhook bodies not understood at all (journaled, acknowledged).", st.Unparsable)
	counter("pageinbox_webhook_set_aside_bodies_total", "Acknowledged webhook bodies with anything set aside in the journal.", st.SetAsideBodies)
	counter("pageinbox_webhook_set_aside_events_total", "Webhook events, or unreadable parts of a body, set aside in the journal.", st.SetAsideEvents)
	counter("pageinbox_webhook_ingest_failures_total", "Webhook POSTs answered 500 because the store could not commit.", st.IngestFailures)
	h.ack.write(w, "pageinbox_webhook_ack_seconds", "Time from receiving a webhook POST to its durable 200.")
	h.commit.write(w, "pageinbox_webhook_commit_seconds", "Time the store took to commit a webhook body and its events (or to fail).")
}
