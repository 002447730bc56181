package webhook

import "github.com/prometheus/client_golang/prometheus"

// hookCounters are the webhook's counters, each a field of Stats: a new
// counter there is one line here.
var hookCounters = []struct {
	name, help string
	value      func(Stats) uint64
}{
	{"pageinbox_webhook_posts_total", "Verified webhook POSTs.", func(s Stats) uint64 { return s.Posts }},
	{"pageinbox_webhook_events_total", "Webhook events stored.", func(s Stats) uint64 { return s.Events }},
	{"pageinbox_webhook_signature_failures_total", "Webhook POSTs refused for their signature.", func(s Stats) uint64 { return s.SignatureFailures }},
	{"pageinbox_webhook_unparsable_total", "Signed webhook bodies not understood at all (journaled, acknowledged).", func(s Stats) uint64 { return s.Unparsable }},
	{"pageinbox_webhook_set_aside_bodies_total", "Acknowledged webhook bodies with anything set aside in the journal.", func(s Stats) uint64 { return s.SetAsideBodies }},
	{"pageinbox_webhook_set_aside_events_total", "Webhook events, or unreadable parts of a body, set aside in the journal.", func(s Stats) uint64 { return s.SetAsideEvents }},
	{"pageinbox_webhook_unconnected_page_events_total", "Webhook events stored for Pages with no token here (see status, doctor).", func(s Stats) uint64 { return s.UnconnectedPageEvents }},
	{"pageinbox_webhook_ingest_failures_total", "Webhook POSTs answered 500 because the store could not commit.", func(s Stats) uint64 { return s.IngestFailures }},
}

// Collectors are the webhook's figures for the daemon's /metrics: its
// counters, read at scrape time, and its latency histograms.
func (h *Handler) Collectors() []prometheus.Collector {
	var cs []prometheus.Collector
	for _, c := range hookCounters {
		value := c.value
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help},
			func() float64 { return float64(value(h.Stats())) }))
	}
	return append(cs, h.ack, h.commit)
}

// newLatency is a histogram of seconds for the time a webhook POST (or
// its commit) takes; the handler observes it, /metrics collects it.
func newLatency(name, help string) prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help,
		Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}})
}
