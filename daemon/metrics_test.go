package daemon_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// scrape reads GET /metrics with Prometheus's own parser: every sample
// by its name and labels ("pageinbox_sends_total{result=\"sent\"}",
// histograms as their _bucket, _sum and _count series), and each
// metric's TYPE.
func scrape(t *testing.T, url string) (samples map[string]float64, types map[string]string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %s, Content-Type %q: %s", resp.Status, resp.Header.Get("Content-Type"), b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("GET /metrics: not Prometheus text: %v", err)
	}
	samples, types = map[string]float64{}, map[string]string{}
	for name, f := range families {
		types[name] = strings.ToLower(f.GetType().String())
		vec, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.Now()}, f)
		if err != nil {
			t.Fatalf("GET /metrics: %s: %v", name, err)
		}
		for _, s := range vec {
			samples[sampleKey(s.Metric)] = float64(s.Value)
		}
	}
	return samples, types
}

// sampleKey writes a sample's name and labels as the text format does,
// labels sorted: name{a="1",b="2"}.
func sampleKey(m model.Metric) string {
	var labels []string
	for k, v := range m {
		if k != model.MetricNameLabel {
			labels = append(labels, fmt.Sprintf("%s=%q", k, v))
		}
	}
	name := string(m[model.MetricNameLabel])
	if len(labels) == 0 {
		return name
	}
	sort.Strings(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

// TestMetricsMove serves /metrics the way `pageinbox serve` does (the
// webhook on its listener; /ws and /metrics on the API's, with the
// dispatcher's outcomes as sends) and checks that each figure moves with
// what it counts: events and POSTs, refused signatures, the ack
// histogram, attached clients, and sends by result.
func TestMetricsMove(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Real time: the emulator checks the 24 h window against its clock.
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	emu := fbtest.NewServer(fbtest.Config{PageID: pageID})
	t.Cleanup(emu.Close)
	gc := fbgraph.New(fbgraph.Options{BaseURL: emu.URL(), PageToken: emu.Config().PageToken, MaxAttempts: 1})
	disp := fbgraph.NewDispatcher(st, gc, fbgraph.DispatcherOptions{Poll: 20 * time.Millisecond})
	dispDone := make(chan struct{})
	go func() { defer close(dispDone); disp.Run(ctx) }()

	hook := webhook.New(st, webhook.Config{AppSecret: secret})
	hookSrv := httptest.NewServer(hook)
	t.Cleanup(hookSrv.Close)
	api := daemon.NewServer(storeInbox(st), apiToken, nil)
	apiDone := make(chan struct{})
	go func() { defer close(apiDone); api.Run(ctx) }()
	mux := http.NewServeMux()
	mux.Handle("/ws", api)
	mux.Handle("/metrics", &daemon.Metrics{Hook: hook, API: api, Sends: func() map[string]uint64 {
		s := disp.Stats() // as cmd/pageinbox's core.sendStats
		return map[string]uint64{"sent": s.Sent, "failed": s.Failed, "skipped": s.Skipped}
	}})
	apiSrv := httptest.NewServer(mux)
	t.Cleanup(apiSrv.Close)
	t.Cleanup(func() { cancel(); <-apiDone; <-dispDone })
	metricsURL := apiSrv.URL + "/metrics"
	wsURL := "ws" + strings.TrimPrefix(apiSrv.URL, "http") + "/ws"

	const (
		events  = "pageinbox_webhook_events_total"
		posts   = "pageinbox_webhook_posts_total"
		badSig  = "pageinbox_webhook_signature_failures_total"
		ack     = "pageinbox_webhook_ack_seconds"
		clients = "pageinbox_api_clients"
		sent    = `pageinbox_sends_total{result="sent"}`
		failed  = `pageinbox_sends_total{result="failed"}`
		skipped = `pageinbox_sends_total{result="skipped"}`
	)
	m, types := scrape(t, metricsURL)
	for name, typ := range map[string]string{events: "counter", posts: "counter", badSig: "counter", ack: "histogram",
		clients: "gauge", "pageinbox_api_clients_cut_total": "counter", "pageinbox_sends_total": "counter",
		"go_goroutines": "gauge", "process_cpu_seconds_total": "counter"} {
		if types[name] != typ {
			t.Errorf("# TYPE %s = %q, want %q", name, types[name], typ)
		}
	}
	for _, name := range []string{events, posts, badSig, ack + "_count", ack + `_bucket{le="+Inf"}`, clients, sent, failed, skipped} {
		if v, ok := m[name]; !ok || v != 0 {
			t.Errorf("at start %s = %v (present %v), want 0", name, v, ok)
		}
	}
	if m["go_goroutines"] < 1 {
		t.Errorf("go_goroutines = %v: the Go runtime collector is missing", m["go_goroutines"])
	}

	// Events: two signed POSTs of 2 and 1 messages, and one forged.
	at := time.Now().Add(-time.Second)
	ev := func(psid, mid string) string {
		return fmt.Sprintf(`{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"%s","text":"hi"}}`,
			psid, pageID, at.UnixMilli(), mid)
	}
	postHook := func(sig func([]byte) string, evs ...string) int {
		t.Helper()
		body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[%s]}]}`,
			pageID, at.UnixMilli(), strings.Join(evs, ",")))
		req, _ := http.NewRequest(http.MethodPost, hookSrv.URL+"/webhook", strings.NewReader(string(body)))
		req.Header.Set("X-Hub-Signature-256", sig(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good := func(b []byte) string { return webhook.SignatureHeader(b, secret) }
	forged := func(b []byte) string { return webhook.SignatureHeader(b, secret+"-not") }
	if c := postHook(good, ev("u1", "m1"), ev("u2", "m2")); c != 200 {
		t.Fatalf("signed POST: %d", c)
	}
	if c := postHook(good, ev("u1", "m3")); c != 200 {
		t.Fatalf("signed POST: %d", c)
	}
	if c := postHook(forged, ev("u1", "m4")); c != http.StatusForbidden {
		t.Fatalf("forged POST: %d, want 403", c)
	}
	m, _ = scrape(t, metricsURL)
	for name, want := range map[string]float64{events: 3, posts: 2, badSig: 1, ack + "_count": 2, ack + `_bucket{le="+Inf"}`: 2} {
		if m[name] != want {
			t.Errorf("after 2 signed POSTs (3 events) and a forged one: %s = %v, want %v", name, m[name], want)
		}
	}
	if m[ack+"_sum"] <= 0 {
		t.Errorf("%s_sum = %v, want > 0", ack, m[ack+"_sum"])
	}
	// Buckets are cumulative: they never decrease with le, and end at the count.
	prev, seen := 0.0, 0
	for _, le := range []string{"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"} {
		v, ok := m[ack+`_bucket{le="`+le+`"}`]
		if !ok {
			t.Errorf("no %s bucket le=%s", ack, le)
			continue
		}
		seen++
		if v < prev {
			t.Errorf("%s bucket le=%s = %v, below the previous %v: not cumulative", ack, le, v, prev)
		}
		prev = v
	}
	if seen > 0 && prev != m[ack+"_count"] {
		t.Errorf("+Inf bucket %v != count %v", prev, m[ack+"_count"])
	}

	// Attached clients: the gauge follows them in and out.
	waitMetric := func(what, name string, want float64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			m, _ := scrape(t, metricsURL)
			if m[name] == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s = %v, want %v", what, name, m[name], want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	a, err := daemon.Dial(ctx, wsURL, apiToken, store.Agent{ID: "a", Name: "Ana"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := daemon.Dial(ctx, wsURL, apiToken, store.Agent{ID: "b", Name: "Ben"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitMetric("two clients attached", clients, 2)
	b.Close()
	waitMetric("one client left", clients, 1)

	// Sends, through the attached client as a TUI would: u1 is known to
	// Meta (sent), u2 never wrote to the emulator (100/2018001: failed).
	emu.Inbound("u1", at)
	for _, psid := range []string{"u1", "u2"} {
		if _, err := a.Send(ctx, store.Send{ConvKey: store.ConvKey{PageID: pageID, PSID: psid}, Text: "hello " + psid,
			MessagingType: store.Response}); err != nil {
			t.Fatalf("send to %s: %v", psid, err)
		}
	}
	waitMetric("a send went through", sent, 1)
	waitMetric("a send was refused", failed, 1)
	if m, _ := scrape(t, metricsURL); m[skipped] != 0 || m[events] != 3 {
		t.Errorf("after the sends: skipped = %v, events = %v; want 0 and 3", m[skipped], m[events])
	}
	if got := emu.SentTo("u1"); len(got) != 1 || got[0].Text != "hello u1" {
		t.Errorf("the emulator got %+v for u1", got)
	}
}

// TestMetricsCampaignsSSHAndPrivateRegistry: campaign recipients by
// state and live SSH sessions are read at each scrape, and nothing
// registered on Prometheus's global default registry shows up.
func TestMetricsCampaignsSSHAndPrivateRegistry(t *testing.T) {
	global := prometheus.NewCounter(prometheus.CounterOpts{Name: "pageinbox_test_global_total", Help: "On the default registry."})
	prometheus.MustRegister(global)
	t.Cleanup(func() { prometheus.Unregister(global) })
	var mu sync.Mutex
	sessions, recipients := 0, map[string]int{"queued": 3, "sent": 0}
	evicted := uint64(0)
	srv := httptest.NewServer(&daemon.Metrics{
		Campaigns:   func() map[string]int { mu.Lock(); defer mu.Unlock(); return maps.Clone(recipients) },
		SSHSessions: func() int { mu.Lock(); defer mu.Unlock(); return sessions },
		Forgotten: func() map[string]uint64 {
			mu.Lock()
			defer mu.Unlock()
			return map[string]uint64{"name_lookups": evicted}
		},
	})
	t.Cleanup(srv.Close)
	const (
		ssh    = "pageinbox_ssh_sessions"
		queued = `pageinbox_campaign_recipients{state="queued"}`
		sent   = `pageinbox_campaign_recipients{state="sent"}`
		names  = `pageinbox_bounded_evictions_total{set="name_lookups"}`
	)
	m, types := scrape(t, srv.URL)
	if types[ssh] != "gauge" || types["pageinbox_campaign_recipients"] != "gauge" {
		t.Errorf("types: %s %q, campaign recipients %q; want gauges", ssh, types[ssh], types["pageinbox_campaign_recipients"])
	}
	if m[ssh] != 0 || m[queued] != 3 || m[sent] != 0 {
		t.Errorf("at start: %s = %v, %s = %v, %s = %v", ssh, m[ssh], queued, m[queued], sent, m[sent])
	}
	if _, ok := types["pageinbox_test_global_total"]; ok {
		t.Error("a metric of the global default registry is served")
	}
	if _, ok := types["pageinbox_webhook_events_total"]; ok {
		t.Error("webhook metrics served without a webhook handler")
	}
	mu.Lock()
	sessions, recipients["queued"], recipients["sent"], evicted = 2, 1, 2, 7
	mu.Unlock()
	if m, types = scrape(t, srv.URL); m[names] != 7 || types["pageinbox_bounded_evictions_total"] != "counter" {
		t.Errorf("%s = %v (%s); want 7, a counter", names, m[names], types["pageinbox_bounded_evictions_total"])
	}
	if m, _ = scrape(t, srv.URL); m[ssh] != 2 || m[queued] != 1 || m[sent] != 2 {
		t.Errorf("after a change: %s = %v, %s = %v, %s = %v; want 2, 1, 2", ssh, m[ssh], queued, m[queued], sent, m[sent])
	}
}
