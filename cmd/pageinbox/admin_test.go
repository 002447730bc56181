package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

const adminSecret = "admin-test-secret"

// dataEnv is a fresh data dir and the environment of a serve without a
// Page token: the webhook stores, nothing is sent.
func dataEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{"PAGEINBOX_DATA": dir, "HOME": dir, "APP_SECRET": adminSecret}
}

// serveWithWebhook runs serve in the test process with its webhook on a
// port of its own, and returns the webhook's base URL once daemon.json
// names the API. stop ends it (the test's end does too).
func serveWithWebhook(t testing.TB, env map[string]string) (hook string, stop func()) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		ctx, cancel := context.WithCancel(context.Background())
		logs := &syncBuffer{}
		exited := make(chan int, 1)
		go func() {
			exited <- run(ctx, []string{"serve", "--listen", addr, "--api-listen", "127.0.0.1:0"}, mapEnv(env), logs, logs)
		}()
		var once sync.Once
		stop = func() {
			once.Do(func() {
				cancel()
				select {
				case <-exited:
				case <-time.After(15 * time.Second):
					t.Errorf("serve did not stop within 15 s")
				}
			})
		}
		deadline := time.Now().Add(10 * time.Second)
		for daemonURL(config{DataDir: env["PAGEINBOX_DATA"]}) == "" {
			select {
			case code := <-exited:
				if attempt < 3 && strings.Contains(logs.String(), "address already in use") {
					goto retry
				}
				t.Fatalf("serve exited with %d:\n%s", code, logs.String())
			default:
			}
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("no %s after 10 s:\n%s", daemonFile, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Cleanup(stop)
		return "http://" + addr, stop
	retry:
		cancel()
	}
}

// postSigned posts a webhook body signed as Meta signs it.
func postSigned(hook string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, hook+"/webhook", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", webhook.SignatureHeader(body, adminSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func mustPost(t *testing.T, hook string, body []byte) {
	t.Helper()
	if code, err := postSigned(hook, body); err != nil || code != 200 {
		t.Fatalf("webhook POST: %d %v", code, err)
	}
}

// attachAs dials the daemon's /ws with a token and a hello.
func attachAs(t *testing.T, env map[string]string, token string, hello store.Agent) (*daemon.Client, error) {
	t.Helper()
	c, err := daemon.Dial(context.Background(), daemonURL(config{DataDir: env["PAGEINBOX_DATA"]}), token, hello, nil)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func TestAgentsCommandOnTheFile(t *testing.T) {
	env := dataEnv(t)
	code, out, errOut := runCLI(t, env, "agents", "add", "ana")
	token := strings.TrimSpace(out)
	if code != 0 || len(token) != 43 || !strings.Contains(errOut, "shown once") {
		t.Fatalf("agents add: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "agents", "add", "ana"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("adding ana twice: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "agents", "add", "ana\x1b]2;x"); code != 1 || !strings.Contains(errOut, "agent name") {
		t.Errorf("a name with an escape: exit %d, %q", code, errOut)
	}
	code, out, _ = runCLI(t, env, "agents", "list")
	if code != 0 || !strings.Contains(out, "ana") || !strings.Contains(out, "never") || strings.Contains(out, token) {
		t.Errorf("agents list: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, env, "agents", "revoke", "ana"); code != 0 || !strings.Contains(out, "revoked ana") {
		t.Errorf("revoke: exit %d, %q", code, out)
	}
	if code, _, errOut := runCLI(t, env, "agents", "revoke", "ana"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("revoking twice: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "agents", "remove", "ana"); code != 1 || !strings.Contains(errOut, "usage") {
		t.Errorf("unknown verb: exit %d, %q", code, errOut)
	}
}

// Through a running daemon: the agent added attaches with its token and
// is that agent whatever its hello says; revoking cuts its session and
// refuses its token.
func TestAgentsCommandThroughTheDaemon(t *testing.T) {
	env := dataEnv(t)
	hook, _ := serveWithWebhook(t, env)
	mustPost(t, hook, e2eBody(e2eInbound("u1", time.Now().UnixMilli(), `{"mid":"m1","text":"hi"}`)))
	code, out, errOut := runCLI(t, env, "agents", "add", "ben")
	if code != 0 {
		t.Fatalf("agents add through the daemon: exit %d, %s", code, errOut)
	}
	token := strings.TrimSpace(out)
	ben, err := attachAs(t, env, token, store.Agent{ID: "x", Name: "owner-impostor"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ben.Agent(); got.Name != "ben" {
		t.Fatalf("attached as %+v, want ben", got)
	}
	key := store.ConvKey{PageID: e2ePage, PSID: "u1"}
	if err := ben.SaveDraft(context.Background(), key, "ben's words"); err != nil {
		t.Fatal(err)
	}
	owner, err := attachAs(t, env, mustAPIToken(t, env), store.Agent{ID: "o", Name: "ben"})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := owner.Draft(context.Background(), key); d != "ben's words" {
		t.Errorf("the owner's session named ben reads %q: drafts are keyed by name", d)
	}
	if code, out, _ := runCLI(t, env, "agents", "list"); code != 0 || !strings.Contains(out, "ben") || strings.Contains(out, "never") {
		t.Errorf("list through the daemon (ben has attached): exit %d\n%s", code, out)
	}
	code, out, errOut = runCLI(t, env, "agents", "revoke", "ben")
	if code != 0 || !strings.Contains(out, "1 open session(s) cut") {
		t.Fatalf("revoke through the daemon: exit %d, %q %q", code, out, errOut)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := ben.Counts(context.Background()); err == daemon.ErrDisconnected {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ben's session survived the revocation")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := attachAs(t, env, token, store.Agent{Name: "ben"}); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("revoked token attached: %v", err)
	}
	if _, err := owner.Counts(context.Background()); err != nil {
		t.Errorf("the owner was cut too: %v", err)
	}
}

func mustAPIToken(t *testing.T, env map[string]string) string {
	t.Helper()
	tok, err := daemon.APIToken(env["PAGEINBOX_DATA"], false)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// ownerOnly refuses named agents' tokens and everyone else.
func TestAdminRoutesAreTheOwners(t *testing.T) {
	env := dataEnv(t)
	serveWithWebhook(t, env)
	base := strings.Replace(strings.TrimSuffix(daemonURL(config{DataDir: env["PAGEINBOX_DATA"]}), "/ws"), "ws", "http", 1)
	_, out, _ := runCLI(t, env, "agents", "add", "ana")
	agentTok := strings.TrimSpace(out)
	for _, path := range []string{"/agents", "/backup", "/forget?psid=u1", "/export"} {
		for _, tok := range []string{"", "wrong", agentTok} {
			req, _ := http.NewRequest(http.MethodGet, base+path, nil)
			if path == "/forget?psid=u1" {
				req.Method = http.MethodPost
			}
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s with token %.6q: %d, want 401", path, tok, resp.StatusCode)
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(env["PAGEINBOX_DATA"], "inbox.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("inbox.db: %v %v", fi, err)
	}
}
