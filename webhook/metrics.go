package webhook

import (
	"fmt"
	"io"
	"net/http"
	"sort"
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

// Metrics serves GET /metrics in Prometheus text format. Sends and
// Campaigns are filled by whoever runs the dispatcher.
type Metrics struct {
	Hook      *Handler
	API       *APIServer
	Sends     func() map[string]uint64 // by result: sent, failed, skipped
	Campaigns func() map[string]int    // recipients of running campaigns by state
}

func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	if m.Hook != nil {
		st := m.Hook.Stats()
		counter("pageinbox_webhook_posts_total", "Verified webhook POSTs.", st.Posts)
		counter("pageinbox_webhook_events_total", "Webhook events stored.", st.Events)
		counter("pageinbox_webhook_signature_failures_total", "Webhook POSTs refused for their signature.", st.SignatureFailures)
		counter("pageinbox_webhook_unparsable_total", "Signed webhook bodies not understood at all (journaled, acknowledged).", st.Unparsable)
		counter("pageinbox_webhook_set_aside_bodies_total", "Acknowledged webhook bodies with anything set aside in the journal.", st.SetAsideBodies)
		counter("pageinbox_webhook_set_aside_events_total", "Webhook events, or unreadable parts of a body, set aside in the journal.", st.SetAsideEvents)
		counter("pageinbox_webhook_ingest_failures_total", "Webhook POSTs answered 500 because the store could not commit.", st.IngestFailures)
		m.Hook.ack.write(w, "pageinbox_webhook_ack_seconds", "Time from receiving a webhook POST to its durable 200.")
		m.Hook.commit.write(w, "pageinbox_webhook_commit_seconds", "Time the store took to commit a webhook body and its events (or to fail).")
	}
	if m.API != nil {
		fmt.Fprintf(w, "# HELP pageinbox_api_clients Attached TUIs.\n# TYPE pageinbox_api_clients gauge\npageinbox_api_clients %d\n", m.API.Attached())
		counter("pageinbox_api_clients_cut_total", "Attached clients dropped for not keeping up.", m.API.CutLoose())
	}
	labelled := func(name, help, typ string, values map[string]float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s{result=%q} %g\n", name, k, values[k])
		}
	}
	if m.Sends != nil {
		vals := map[string]float64{}
		for k, v := range m.Sends() {
			vals[k] = float64(v)
		}
		labelled("pageinbox_sends_total", "Send API outcomes.", "counter", vals)
	}
	if m.Campaigns != nil {
		vals := map[string]float64{}
		for k, v := range m.Campaigns() {
			vals[k] = float64(v)
		}
		labelled("pageinbox_campaign_recipients", "Recipients of running campaigns by state.", "gauge", vals)
	}
}
