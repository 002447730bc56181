package main

// `pageinbox serve --ssh-listen` as an operator runs it, in-process:
// sessions dropped without q leave nothing behind (goroutines, the
// sessions gauge, presence seen through /ws), drafts are kept; idle
// connections are closed; /metrics wants the API token or its own
// listener.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
)

// servedSSH is an in-process `pageinbox serve` with SSH on.
type servedSSH struct {
	dataDir, sshAddr, metricsURL, wsURL, token string
	stop                                       func()
}

// serveSSH starts serve on a data dir holding one conversation, with the
// agents' keys listed in authorized, and extra flags.
func serveSSH(t *testing.T, authorized []string, env map[string]string, extra ...string) *servedSSH {
	t.Helper()
	dir := t.TempDir()
	s := &servedSSH{dataDir: filepath.Join(dir, "data")}
	logs := &syncBuffer{}
	seedDataDir(t, s.dataDir, "P1", "Ana Souza", fixtureCustomer)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, []byte(strings.Join(authorized, "\n")+"\n"), 0o600)
	full := map[string]string{"HOME": dir, "PAGEINBOX_DATA": s.dataDir, "APP_SECRET": "app-secret-must-not-show"}
	for k, v := range env {
		full[k] = v
	}
	// serve logs to the process's stderr: the SSH port is chosen here.
	s.sshAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--ssh-listen", s.sshAddr,
		"--ssh-authorized-keys", keys}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, args, mapEnv(full), logs, logs) }()
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				t.Errorf("serve did not stop within 15 s")
			}
		})
	}
	t.Cleanup(s.stop)
	waitUntil(t, 15*time.Second, "serve to listen", func() bool {
		select {
		case code := <-exited:
			t.Fatalf("serve exited with %d:\n%s", code, logs.String())
		default:
		}
		if daemonURL(config{DataDir: s.dataDir}) == "" {
			return false
		}
		c, err := net.Dial("tcp", s.sshAddr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	s.wsURL = daemonURL(config{DataDir: s.dataDir})
	s.metricsURL = "http" + strings.TrimSuffix(strings.TrimPrefix(s.wsURL, "ws"), "/ws") + "/metrics"
	var err error
	if s.token, err = daemon.APIToken(s.dataDir, false); err != nil {
		t.Fatal(err)
	}
	return s
}

// scrapeMetrics reads /metrics with the API token: each gauge's or
// counter's value by name (the first sample; enough for unlabelled ones).
func scrapeMetrics(t *testing.T, url, token string) (map[string]float64, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	out := map[string]float64{}
	for name, f := range families {
		if m := f.GetMetric(); len(m) > 0 {
			switch {
			case m[0].Gauge != nil:
				out[name] = m[0].GetGauge().GetValue()
			case m[0].Counter != nil:
				out[name] = m[0].GetCounter().GetValue()
			}
		}
	}
	return out, string(raw)
}

// Must show (issue 10, item 3): 20 SSH sessions with the inbox open, each
// in a thread with a reply half typed, are cut at the TCP level without
// q. Afterwards go_goroutines is back within 5 of what it was before they
// came, pageinbox_ssh_sessions is 0, no agent of theirs is present in the
// thread as seen through /ws, and each agent's draft is kept.
func TestServeSSHDroppedSessionsLeaveNothing(t *testing.T) {
	const n = 20
	keys := make([]gossh.Signer, n)
	var authorized []string
	for i := range keys {
		keys[i] = newKey(t)
		authorized = append(authorized, authorizedLine(keys[i], fmt.Sprintf("agent%02d@laptop", i+1)))
	}
	s := serveSSH(t, authorized, nil)
	conv := store.ConvKey{PageID: "P1", PSID: "u1"}
	ctx := t.Context()
	observer, err := daemon.Dial(ctx, s.wsURL, s.token, store.Agent{ID: "observer", Name: "observer"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer observer.Close()
	feed, _ := observer.Subscribe(ctx)
	presence := watchPresence(feed)

	goroutines := func() float64 { m, _ := scrapeMetrics(t, s.metricsURL, s.token); return m["go_goroutines"] }
	// A first session, ended with q, starts what the process keeps once
	// for all (the signal watcher); the scraping connection is part of
	// "before" too.
	warm := startTUI(t, s.sshAddr, keys[0], "root")
	warm.waitFor(fixtureCustomer, 15*time.Second)
	warm.write("q")
	warm.sess.Wait()
	warm.client.Close()
	waitUntil(t, 15*time.Second, "the first session to end", func() bool {
		m, _ := scrapeMetrics(t, s.metricsURL, s.token)
		return m["pageinbox_ssh_sessions"] == 0
	})
	before := goroutines()

	sessions := make([]*sshTUI, n)
	for i := range sessions {
		c := startTUI(t, s.sshAddr, keys[i], "root")
		c.openReply()
		c.write(fmt.Sprintf("draft of agent%02d", i+1))
		c.waitFor(fmt.Sprintf("draft of agent%02d", i+1), 15*time.Second)
		sessions[i] = c
	}
	presence.waitAgents(t, conv, n, 15*time.Second)
	m, _ := scrapeMetrics(t, s.metricsURL, s.token)
	if m["pageinbox_ssh_sessions"] != n {
		t.Errorf("pageinbox_ssh_sessions = %v with %d sessions open", m["pageinbox_ssh_sessions"], n)
	}
	during := m["go_goroutines"]

	for _, c := range sessions {
		c.reset()
	}
	waitUntil(t, 30*time.Second, "pageinbox_ssh_sessions to reach 0", func() bool {
		m, _ := scrapeMetrics(t, s.metricsURL, s.token)
		return m["pageinbox_ssh_sessions"] == 0
	})
	presence.waitAgents(t, conv, 0, 15*time.Second)
	var after float64
	deadline := time.Now().Add(30 * time.Second)
	for after = goroutines(); after > before+5 && time.Now().Before(deadline); after = goroutines() {
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("go_goroutines: %v before, %v with %d sessions, %v after they were cut", before, during, n, after)
	if after > before+5 {
		t.Errorf("go_goroutines = %v after the sessions were cut, %v before: more than 5 left behind", after, before)
	}

	s.stop()
	withStore(t, s.dataDir, func(st *store.Store) {
		for i := range n {
			agent := fmt.Sprintf("agent%02d", i+1)
			if d, err := st.Draft(context.Background(), agent, conv); err != nil || d != "draft of "+agent {
				t.Errorf("%s's draft after the cut: %q, %v", agent, d, err)
			}
		}
		if d, _ := st.Draft(context.Background(), "root", conv); d != "" {
			t.Errorf("a draft under the user name root: %q", d)
		}
	})
}

// 40 idle TCP connections to the SSH port are closed by the server after
// the login timeout (the cap on connections logging in is raised so that
// none is turned away at once instead). Plain `go test` runs it with a 2 s
// timeout; with PAGEINBOX_TEST_SSH_DEFAULT_TIMEOUT=1 it runs with the
// default (30 s) and wants them closed within 35 s.
func TestServeSSHClosesIdleConnections(t *testing.T) {
	timeout, extra := 2*time.Second, []string{"--ssh-login-timeout", "2s"}
	if os.Getenv("PAGEINBOX_TEST_SSH_DEFAULT_TIMEOUT") == "1" {
		timeout, extra = defaultSSHLoginTimeout, nil
	}
	s := serveSSH(t, []string{authorizedLine(newKey(t), "ana@laptop")}, nil, append(extra, "--ssh-max-unauthenticated", "64")...)
	start := time.Now()
	closed := idleConns(t, s.sshAddr, 40)
	limit := timeout + 5*time.Second
	if timeout < defaultSSHLoginTimeout {
		limit = timeout + 30*time.Second // the short run only proves they close: a loaded box is slow
	}
	wait := time.After(limit)
	for i := 0; i < 40; i++ {
		select {
		case got := <-closed:
			if !strings.HasPrefix(got, "SSH-2.0-") {
				t.Errorf("an idle connection read %q: turned away, not timed out", got)
			}
		case <-wait:
			t.Fatalf("only %d of 40 idle connections closed within %v (login timeout %v)", i, limit, timeout)
		}
	}
	t.Logf("40 idle connections closed by the server %v after they opened (login timeout %v)", time.Since(start).Round(time.Millisecond), timeout)
}

// /metrics on the API listener wants the API token as a bearer; on
// --metrics-listen it is open. Neither shows a secret.
func TestServeMetricsAccess(t *testing.T) {
	env := map[string]string{"VERIFY_TOKEN": "verify-token-must-not-show", "PAGE_ACCESS_TOKEN": "page-token-must-not-show",
		"PAGEINBOX_GRAPH_URL": "http://127.0.0.1:1"}
	open := fmt.Sprintf("http://127.0.0.1:%d/metrics", freePort(t))
	s := serveSSH(t, []string{authorizedLine(newKey(t), "ana@laptop")}, env, "--metrics-listen", strings.TrimSuffix(strings.TrimPrefix(open, "http://"), "/metrics"))
	for _, token := range []string{"", "wrong", s.token + "x"} {
		req, _ := http.NewRequest(http.MethodGet, s.metricsURL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /metrics on the API with token %q: %s, want 401", token, resp.Status)
		}
	}
	m, body := scrapeMetrics(t, s.metricsURL, s.token)
	if _, ok := m["pageinbox_ssh_sessions"]; !ok || m["go_goroutines"] < 1 {
		t.Errorf("the API's /metrics lacks pageinbox_ssh_sessions or go_goroutines:\n%s", body)
	}
	m2, body2 := scrapeMetrics(t, open, "")
	if _, ok := m2["pageinbox_webhook_events_total"]; !ok {
		t.Errorf("--metrics-listen lacks the webhook's metrics:\n%s", body2)
	}
	for _, secret := range []string{"app-secret-must-not-show", "verify-token-must-not-show", "page-token-must-not-show", s.token} {
		if strings.Contains(body, secret) || strings.Contains(body2, secret) {
			t.Errorf("a secret is in /metrics: %q", secret)
		}
	}
}
