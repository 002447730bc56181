package webhook

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics serves GET /metrics from a registry of its own (never the
// global default, so nothing a library registers leaks in): the Go
// runtime and process collectors, and pageinbox's figures, each read at
// scrape time from the counters its part already keeps. Fill the fields,
// then serve it; a nil field leaves its metrics out.
type Metrics struct {
	Hook        *Handler
	API         *APIServer
	Sends       func() map[string]uint64 // Send API outcomes by result: sent, failed, skipped
	Campaigns   func() map[string]int    // recipients of running campaigns by state
	SSHSessions func() int               // live SSH sessions
	// Forgotten counts what the bounded in-memory sets keyed by outside
	// input pushed out, by set: growth there is input, not a leak.
	Forgotten func() map[string]uint64

	once    sync.Once
	handler http.Handler
}

func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.once.Do(func() { m.handler = promhttp.HandlerFor(m.Registry(), promhttp.HandlerOpts{}) })
	m.handler.ServeHTTP(w, r)
}

// Registry builds the registry behind ServeHTTP.
func (m *Metrics) Registry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if m.Hook != nil {
		registerHook(reg, m.Hook)
	}
	if api := m.API; api != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pageinbox_api_clients", Help: "Attached TUIs."},
				func() float64 { return float64(api.Attached()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "pageinbox_api_clients_cut_total", Help: "Attached clients dropped for not keeping up."},
				func() float64 { return float64(api.CutLoose()) }))
	}
	if f := m.Sends; f != nil {
		reg.MustRegister(labelled("pageinbox_sends_total", "Send API outcomes.", "result", prometheus.CounterValue,
			func() map[string]float64 { return floats(f()) }))
	}
	if f := m.Campaigns; f != nil {
		reg.MustRegister(labelled("pageinbox_campaign_recipients", "Recipients of running campaigns by state.", "state", prometheus.GaugeValue,
			func() map[string]float64 { return floats(f()) }))
	}
	if f := m.Forgotten; f != nil {
		reg.MustRegister(labelled("pageinbox_bounded_evictions_total",
			"Entries pushed out of a bounded in-memory set keyed by outside input.", "set", prometheus.CounterValue,
			func() map[string]float64 { return floats(f()) }))
	}
	if f := m.SSHSessions; f != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pageinbox_ssh_sessions", Help: "Live SSH sessions."},
			func() float64 { return float64(f()) }))
	}
	return reg
}

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
	{"pageinbox_webhook_ingest_failures_total", "Webhook POSTs answered 500 because the store could not commit.", func(s Stats) uint64 { return s.IngestFailures }},
}

func registerHook(reg *prometheus.Registry, h *Handler) {
	for _, c := range hookCounters {
		value := c.value
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help},
			func() float64 { return float64(value(h.Stats())) }))
	}
	reg.MustRegister(h.ack, h.commit)
}

// newLatency is a histogram of seconds for the time a webhook POST (or
// its commit) takes; the handler observes it, /metrics collects it.
func newLatency(name, help string) prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help,
		Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}})
}

// labelled is one metric with a sample per key of what read returns,
// under label.
func labelled(name, help, label string, typ prometheus.ValueType, read func() map[string]float64) prometheus.Collector {
	desc := prometheus.NewDesc(name, help, []string{label}, nil)
	return collectorFunc{desc, func(ch chan<- prometheus.Metric) {
		for k, v := range read() {
			ch <- prometheus.MustNewConstMetric(desc, typ, v, k)
		}
	}}
}

// collectorFunc is a Collector of one metric whose samples are made at
// scrape time.
type collectorFunc struct {
	desc    *prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (c collectorFunc) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }

func floats[V uint64 | int](m map[string]V) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}
