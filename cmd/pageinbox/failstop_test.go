package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// serveInProcess runs `pageinbox serve` on the given addresses inside the
// test process; it returns once daemon.json names the API, and a channel
// that gives serve's exit code.
func serveInProcess(t *testing.T, ctx context.Context, env map[string]string, hookAddr, apiAddr string, logs *syncBuffer) <-chan int {
	t.Helper()
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--listen", hookAddr, "--api-listen", apiAddr}, mapEnv(env), logs, logs)
	}()
	for deadline := time.Now().Add(15 * time.Second); daemonURL(config{DataDir: env["PAGEINBOX_DATA"]}) == ""; {
		select {
		case code := <-exited:
			t.Fatalf("serve exited with %d:\n%s", code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start within 15 s:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return exited
}

// metaPoster plays Meta: it posts signed messages to the webhook and
// redelivers every one not answered 200 until it is.
type metaPoster struct {
	url, secret, page string
	client            http.Client

	mu      sync.Mutex
	posted  [][2]string // mid, psid
	pending [][2]string // not acknowledged yet
	refused int         // answers other than 200, connection errors included
}

// deliver posts a new message and notes whether it was acknowledged.
func (m *metaPoster) deliver(mid, psid string) {
	ok := m.post(mid, psid)
	m.mu.Lock()
	m.posted = append(m.posted, [2]string{mid, psid})
	if !ok {
		m.pending = append(m.pending, [2]string{mid, psid})
	}
	m.mu.Unlock()
	if !ok {
		time.Sleep(5 * time.Millisecond) // Meta backs off too
	}
}

// redeliver posts what was not acknowledged until it is.
func (m *metaPoster) redeliver(t *testing.T) {
	for _, p := range m.pending {
		for i := 0; !m.post(p[0], p[1]); i++ {
			if i == 50 {
				t.Fatalf("redelivery of %s refused 50 times", p[0])
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	m.pending = nil
}

func (m *metaPoster) post(mid, psid string) bool {
	body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"%s","text":"are you there?"}}]}]}`,
		m.page, time.Now().UnixMilli(), psid, m.page, time.Now().UnixMilli(), mid))
	req, _ := http.NewRequest(http.MethodPost, m.url, bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", webhook.SignatureHeader(body, m.secret))
	resp, err := m.client.Do(req)
	ok := err == nil && resp.StatusCode == http.StatusOK
	if err == nil {
		resp.Body.Close()
	}
	if !ok {
		m.mu.Lock()
		m.refused++
		m.mu.Unlock()
	}
	return ok
}

// An injected commit failure (PAGEINBOX_FAULT_COMMIT) under a campaign and
// webhook traffic: serve stops with a clear error and exit 1, restarts
// clean on the same data dir, the campaign resumes and Meta's redeliveries
// are stored; no outbox item, campaign recipient or message exists twice,
// and nobody is sent the campaign twice.
func TestServeFailsStopOnACommitFailure(t *testing.T) {
	const n = 300
	srv, env, dir := campaignEnv(t, map[string]group{"p": {n, time.Hour}})
	srv.SetLatency(20 * time.Millisecond)
	hookAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	apiAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	faulty := map[string]string{"PAGEINBOX_FAULT_COMMIT": "40"}
	for k, v := range env {
		faulty[k] = v
	}
	logs := &syncBuffer{}
	exited := serveInProcess(t, context.Background(), faulty, hookAddr, apiAddr, logs)

	type result struct {
		code           int
		stdout, stderr string
	}
	campaign := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"campaign", "--title", "T", "--text", "Hello all", "--all", "--rate", "300"},
			mapEnv(env), &out, &errOut)
		campaign <- result{code, out.String(), errOut.String()}
	}()
	for len(srv.Sent()) < 5 {
		time.Sleep(5 * time.Millisecond)
	}
	meta := &metaPoster{url: "http://" + hookAddr + "/webhook", secret: env["APP_SECRET"], page: srv.PageID(),
		client: http.Client{Timeout: 10 * time.Second}}
	var code int
	func() {
		deadline := time.After(60 * time.Second)
		for i := 0; ; i++ {
			select {
			case code = <-exited:
				return
			case <-deadline:
				t.Fatalf("serve did not stop after the injected commit failure:\n%s", logs.String())
			default:
			}
			meta.deliver(fmt.Sprintf("w-%d", i), fmt.Sprintf("p%04d", i%n))
		}
	}()
	want := "pageinbox: store: commit failed: injected fault (PAGEINBOX_FAULT_COMMIT=40)"
	if code != exitError || !strings.Contains(logs.String(), want) ||
		!strings.Contains(logs.String(), "; exiting so the supervisor restarts on the last good state") {
		t.Fatalf("serve exited %d; want %d and %q in:\n%s", code, exitError, want, logs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, daemonFile)); err == nil {
		t.Errorf("serve left %s behind", daemonFile)
	}
	atFailure := len(srv.Sent())
	if atFailure >= n {
		t.Fatalf("the campaign finished (%d sent) before the failure: nothing was tested", atFailure)
	}

	// The supervisor restarts it, without the fault, on the same data dir.
	ctx, cancel := context.WithCancel(context.Background())
	restarted := serveInProcess(t, ctx, env, hookAddr, apiAddr, &syncBuffer{})
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if code := <-restarted; code != exitOK {
				t.Errorf("restarted serve exited %d", code)
			}
		})
	}
	t.Cleanup(stop)
	res := <-campaign
	t.Logf("the campaign command across the failure: exit %d, %q\n%s", res.code, res.stdout, res.stderr)
	if code, stdout, stderr := runCLI(t, env, "campaign", "--resume", "1"); code != 0 {
		t.Fatalf("resume: exit %d %q\n%s", code, stdout, stderr)
	}
	meta.redeliver(t)
	stop()
	t.Logf("failed at %d of %d sends; %d webhook POSTs, %d answers not 200 (redelivered)", atFailure, n, len(meta.posted), meta.refused)

	withStore(t, dir, func(st *store.Store) {
		ctx := context.Background()
		if err := st.Check(); err != nil {
			t.Error(err)
		}
		items, err := st.CampaignItems(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		perPSID := map[string]int{}
		unknown := 0
		for _, it := range items {
			perPSID[it.PSID]++
			got := sentWithText(srv, it.PSID, "Hello all")
			switch it.State {
			case store.OutboxSent:
				if got != 1 {
					t.Errorf("%s is sent but has %d messages", it.PSID, got)
				}
			case store.OutboxUnknown:
				unknown++
				if got > 1 {
					t.Errorf("%s is unknown and has %d messages", it.PSID, got)
				}
			default:
				t.Errorf("%s: %s %s", it.PSID, it.State, it.Reason)
			}
		}
		if len(items) != n || len(perPSID) != n {
			t.Errorf("%d campaign items for %d recipients, want %d", len(items), len(perPSID), n)
		}
		for psid, c := range perPSID {
			if c != 1 {
				t.Errorf("%s is a recipient %d times", psid, c)
			}
		}
		for _, p := range meta.posted {
			if _, err := st.MessageByMID(ctx, srv.PageID(), p[0]); err != nil {
				t.Errorf("webhook message %s: %v", p[0], err)
			}
		}
		for i := 0; i < n; i++ {
			psid := fmt.Sprintf("p%04d", i)
			p, err := st.Thread(ctx, store.ConvKey{PageID: srv.PageID(), PSID: psid}, "", 1000)
			if err != nil {
				t.Fatal(err)
			}
			mids, out := map[string]int{}, 0
			for _, m := range p.Messages {
				if m.MID != "" {
					mids[m.MID]++
				}
				if m.Direction == store.Out {
					out++
				}
			}
			for mid, c := range mids {
				if c != 1 {
					t.Errorf("%s: message %s stored %d times", psid, mid, c)
				}
			}
			if out != 1 {
				t.Errorf("%s: %d outbound messages, want the campaign's one", psid, out)
			}
			if got := sentWithText(srv, psid, "Hello all"); got > 1 {
				t.Errorf("%s was sent the campaign %d times", psid, got)
			}
		}
		t.Logf("%d sends left unknown by the failure (not resent)", unknown)
	})
}

// PAGEINBOX_FAULT_COMMIT takes a commit number and nothing else.
func TestFaultCommitSetting(t *testing.T) {
	for _, v := range []string{"abc", "0", "-3"} {
		code, _, stderr := runCLI(t, map[string]string{"PAGEINBOX_DATA": t.TempDir(), "PAGEINBOX_FAULT_COMMIT": v}, "replay")
		if code != exitUsage || !strings.Contains(stderr, "PAGEINBOX_FAULT_COMMIT") {
			t.Errorf("%q: exit %d %q", v, code, stderr)
		}
	}
}
