package daemon

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HookMetrics is the webhook's part of /metrics: its collectors.
type HookMetrics interface {
	Collectors() []prometheus.Collector
}

// Metrics serves GET /metrics from a registry of its own (never the
// global default, so nothing a library registers leaks in): the Go
// runtime and process collectors, and pageinbox's figures, each read at
// scrape time from the counters its part already keeps. Fill the fields,
// then serve it; a nil field leaves its metrics out.
type Metrics struct {
	Hook        HookMetrics // the webhook's figures (webhook.Handler); nil: none
	API         *Server
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
		reg.MustRegister(m.Hook.Collectors()...)
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
