package daemon

import (
	"fmt"
	"io"
	"net/http"
	"sort"
)

// HookMetrics is the webhook's part of /metrics (webhook.Handler), in
// Prometheus text format.
type HookMetrics interface {
	WriteMetrics(w io.Writer)
}

// Metrics serves GET /metrics in Prometheus text format. Sends and
// Campaigns are filled by whoever runs the dispatcher.
type Metrics struct {
	Hook      HookMetrics // the webhook's figures; nil: none
	API       *Server
	Sends     func() map[string]uint64 // by result: sent, failed, skipped
	Campaigns func() map[string]int    // recipients of running campaigns by state
}

func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	if m.Hook != nil {
		m.Hook.WriteMetrics(w)
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
