package main

// TestEndToEnd builds the real binary and drives it as Meta and an operator
// would: `pageinbox serve` as a process on loopback, signed webhook POSTs
// over HTTP, SIGTERM, then `export` and `replay` on the data dir. Skipped
// with -short.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/webhook"
)

const (
	e2ePage   = "106512345678901"
	e2eAlice  = "2490000000000001"
	e2eBob    = "2490000000000002"
	e2eInbox  = "263902037430900" // Meta's Page Inbox app id: a human agent's echo
	e2eImage  = "https://scontent.xx.fbcdn.net/v/t1.15752-9/4412_n.jpg?_nc_cat=1&oh=00_AfB&oe=6A1B2C3D"
	e2eChalng = "1158201444"
)

// e2eTimeFormat is how export writes times: RFC 3339, UTC, milliseconds.
const e2eTimeFormat = "2006-01-02T15:04:05.000Z07:00"

var e2eTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// syncBuffer is a bytes.Buffer a child process and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// e2eBinary builds pageinbox into a temp dir.
func e2eBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not in PATH: cannot build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "pageinbox")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// e2eServer is a running `pageinbox serve`.
type e2eServer struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	stderr *syncBuffer
	exited chan struct{} // closed when the process has been waited for
	err    error         // Wait's result, once exited is closed
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServe starts serve on a free port and waits for /healthz. Another
// process can take the port between our probe and serve's listen; then
// serve exits at once and we try another.
func startServe(t *testing.T, bin string, env []string, dataDir string) *e2eServer {
	t.Helper()
	for attempt := 1; ; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		s := &e2eServer{
			cmd:    exec.Command(bin, "serve", "--listen", addr, "--api-listen", "127.0.0.1:0", "--data", dataDir),
			base:   "http://" + addr,
			stderr: &syncBuffer{},
			exited: make(chan struct{}),
		}
		s.cmd.Env = env
		s.cmd.Stdout = s.stderr
		s.cmd.Stderr = s.stderr
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { s.err = s.cmd.Wait(); close(s.exited) }()
		t.Cleanup(func() {
			select {
			case <-s.exited:
			default:
				_ = s.cmd.Process.Kill()
				<-s.exited
			}
		})
		err := s.waitHealthy(10 * time.Second)
		if err == nil {
			return s
		}
		inUse := strings.Contains(s.stderr.String(), "address already in use")
		if !inUse || attempt == 3 {
			t.Fatalf("serve did not become healthy: %v\nstderr:\n%s", err, s.stderr.String())
		}
	}
}

func (s *e2eServer) waitHealthy(timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		resp, err := client.Get(s.base + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && string(body) == "ok" {
				return nil
			}
			err = fmt.Errorf("GET /healthz: %s %q", resp.Status, body)
		}
		last = err
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v: %w", timeout, last)
		}
		select {
		case <-s.exited:
			return fmt.Errorf("serve exited: %v", s.err)
		case <-tick.C:
		}
	}
}

// e2eRun runs a one-shot command of the binary and returns what it did.
func e2eRun(t *testing.T, bin string, env []string, args ...string) (code int, stdout, stderr string, took time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	took = time.Since(start)
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	default:
		t.Fatalf("%v: %v", args, err)
	}
	return code, out.String(), errOut.String(), took
}

// e2eBody is a Messenger POST for the Page carrying the given
// entry[].messaging elements.
func e2eBody(events ...string) []byte {
	return []byte(`{"object":"page","entry":[{"id":"` + e2ePage + `","time":` +
		fmt.Sprint(time.Now().UnixMilli()) + `,"messaging":[` + strings.Join(events, ",") + `]}]}`)
}

// e2eInbound is a customer's message to the Page.
func e2eInbound(psid string, ms int64, message string) string {
	return fmt.Sprintf(`{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,"message":%s}`,
		psid, e2ePage, ms, message)
}

func e2eMsTime(ms int64) string { return time.UnixMilli(ms).UTC().Format(e2eTimeFormat) }

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	bin := e2eBinary(t)
	home := t.TempDir()
	dataDir := filepath.Join(t.TempDir(), "data")
	secretHex := fmt.Sprintf("%x", time.Now().UnixNano())
	appSecret := "e2e-app-secret-" + secretHex
	verifyToken := "e2e-verify-token-" + secretHex
	baseEnv := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	serveEnv := append(slices.Clone(baseEnv), "APP_SECRET="+appSecret, "VERIFY_TOKEN="+verifyToken)

	srv := startServe(t, bin, serveEnv, dataDir)
	client := &http.Client{Timeout: 5 * time.Second}
	var sigHeaders []string // every X-Hub-Signature-256 we sent: must never be logged

	get := func(query url.Values) (int, string) {
		t.Helper()
		resp, err := client.Get(srv.base + "/webhook?" + query.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	post := func(body []byte, sig string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.base+"/webhook", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
			sigHeaders = append(sigHeaders, sig)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	postSigned := func(what string, body []byte) {
		t.Helper()
		if code, out := post(body, webhook.SignatureHeader(body, appSecret)); code != http.StatusOK {
			t.Fatalf("signed POST (%s): %d %q, want 200", what, code, out)
		}
	}

	// Meta's subscription check.
	code, body := get(url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {e2eChalng}})
	if code != http.StatusOK || body != e2eChalng {
		t.Errorf("verification with the right token: %d %q, want 200 %q", code, body, e2eChalng)
	}
	code, body = get(url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken + "x"}, "hub.challenge": {e2eChalng}})
	if code != http.StatusForbidden || strings.Contains(body, e2eChalng) {
		t.Errorf("verification with a wrong token: %d %q, want 403 without the challenge", code, body)
	}

	// Events, a few seconds apart; the first at .123 s so milliseconds show.
	t0 := time.Now().Add(-10*time.Minute).Truncate(time.Second).UnixMilli() + 123
	tEcho, tDeliv, tAtt, tDup := t0+1000, t0+1500, t0+2000, t0+3000
	postSigned("text", e2eBody(e2eInbound(e2eAlice, t0, `{"mid":"m_e2e_text","text":"Hi, do you ship to Lyon?"}`)))
	postSigned("echo", e2eBody(fmt.Sprintf(
		`{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"is_echo":true,"app_id":%s,"mid":"m_e2e_echo","text":"Yes, in 2-3 days."}}`,
		e2ePage, e2eAlice, tEcho, e2eInbox)))
	postSigned("delivery", e2eBody(fmt.Sprintf(
		`{"sender":{"id":"%s"},"recipient":{"id":"%s"},"delivery":{"mids":["m_e2e_echo"],"watermark":%d}}`,
		e2eAlice, e2ePage, tDeliv)))
	postSigned("attachment", e2eBody(e2eInbound(e2eBob, tAtt,
		`{"mid":"m_e2e_image","attachments":[{"type":"image","payload":{"url":"`+e2eImage+`"}}]}`)))
	dup := e2eBody(e2eInbound(e2eBob, tDup, `{"mid":"m_e2e_dup","text":"Thanks!"}`))
	postSigned("message, first delivery", dup)
	postSigned("message, redelivered", dup)

	// Refused POSTs store nothing.
	forged := e2eBody(e2eInbound(e2eBob, tDup+1000, `{"mid":"m_e2e_forged","text":"forged"}`))
	if code, out := post(forged, ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned POST: %d %q, want 401", code, out)
	}
	if code, out := post(forged, webhook.SignatureHeader(forged, appSecret+"-wrong")); code != http.StatusForbidden {
		t.Errorf("POST signed with another secret: %d %q, want 403", code, out)
	}

	// The daemon holds the file: export goes through its API.
	code, liveExport, errOut, _ := e2eRun(t, bin, baseEnv, "export", "--data", dataDir)
	if code != 0 || strings.Count(liveExport, "\n") != 4 {
		t.Errorf("export while serve runs: exit %d, stderr %q, stdout %q; want the 4 messages through the daemon", code, errOut, liveExport)
	}
	// A command that needs the file itself says at once who holds it.
	code, out, errOut, took := e2eRun(t, bin, baseEnv, "replay", "--data", dataDir)
	if code != exitError || !strings.Contains(errOut, "in use by another pageinbox") || took > 3*time.Second {
		t.Errorf("replay while serve runs: exit %d after %v, stderr %q, stdout %q; want exit 1 within 3s naming the other pageinbox",
			code, took.Round(time.Millisecond), errOut, out)
	}

	// SIGTERM: a clean stop.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.exited:
		if srv.err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit 0\nstderr:\n%s", srv.err, srv.stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve still running 10s after SIGTERM\nstderr:\n%s", srv.stderr.String())
	}
	logs := srv.stderr.String()
	for _, leak := range append([]string{appSecret, verifyToken, secretHex}, sigHeaders...) {
		if strings.Contains(logs, leak) {
			t.Errorf("serve's stderr contains a secret or signature %q:\n%s", leak, logs)
		}
	}

	// Messages: thread by thread (Alice's was created first), oldest first.
	exportMsgs := e2eExport(t, bin, baseEnv, dataDir, false)
	if exportMsgs != liveExport {
		t.Errorf("export through the daemon differs from export of the file:\n%s\n---\n%s", liveExport, exportMsgs)
	}
	noAtts := []any{}
	wantMsgs := []map[string]any{
		{"page_id": e2ePage, "psid": e2eAlice, "mid": "m_e2e_text", "direction": "in", "text": "Hi, do you ship to Lyon?",
			"attachments": noAtts, "time": e2eMsTime(t0), "status": "received"},
		{"page_id": e2ePage, "psid": e2eAlice, "mid": "m_e2e_echo", "direction": "out", "text": "Yes, in 2-3 days.",
			"attachments": noAtts, "time": e2eMsTime(tEcho), "status": "delivered"},
		{"page_id": e2ePage, "psid": e2eBob, "mid": "m_e2e_image", "direction": "in", "text": "",
			"attachments": []any{map[string]any{"type": "image", "url": e2eImage}}, "time": e2eMsTime(tAtt), "status": "received"},
		{"page_id": e2ePage, "psid": e2eBob, "mid": "m_e2e_dup", "direction": "in", "text": "Thanks!",
			"attachments": noAtts, "time": e2eMsTime(tDup), "status": "received"},
	}
	e2eCompareLines(t, "export", exportMsgs, wantMsgs)

	// Conversations: in key order (page, psid).
	exportConvs := e2eExport(t, bin, baseEnv, dataDir, true)
	window := func(ms int64) string { return e2eMsTime(ms + (24 * time.Hour).Milliseconds()) }
	wantConvs := []map[string]any{
		{"page_id": e2ePage, "psid": e2eAlice, "name": "", "last_message": "Yes, in 2-3 days.",
			"last_message_time": e2eMsTime(tEcho), "last_inbound_time": e2eMsTime(t0), "window_expires_at": window(t0),
			"status": "active", "unread": float64(1), "message_count": float64(2)},
		{"page_id": e2ePage, "psid": e2eBob, "name": "", "last_message": "Thanks!",
			"last_message_time": e2eMsTime(tDup), "last_inbound_time": e2eMsTime(tDup), "window_expires_at": window(tDup),
			"status": "active", "unread": float64(2), "message_count": float64(2)},
	}
	e2eCompareLines(t, "export --conversations", exportConvs, wantConvs)

	for _, out := range []string{exportMsgs, exportConvs} {
		for _, leak := range []string{appSecret, verifyToken} {
			if strings.Contains(out, leak) {
				t.Errorf("export contains a secret %q", leak)
			}
		}
	}

	// Replay: every journaled POST again (the refused ones were never
	// journaled). Idempotent, so the store must not change.
	code, out, errOut, _ = e2eRun(t, bin, baseEnv, "replay", "--data", dataDir)
	if code != exitOK {
		t.Fatalf("replay: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if want := "replayed 6 webhook bodies: 6 events, 0 set aside, 0 unparsable\n"; out != want {
		t.Errorf("replay printed %q, want %q", out, want)
	}
	if again := e2eExport(t, bin, baseEnv, dataDir, false); again != exportMsgs {
		t.Errorf("replay changed the messages:\nbefore:\n%s\nafter:\n%s", exportMsgs, again)
	}
	if again := e2eExport(t, bin, baseEnv, dataDir, true); again != exportConvs {
		t.Errorf("replay changed the conversations:\nbefore:\n%s\nafter:\n%s", exportConvs, again)
	}
}

// e2eExport runs export (or export --conversations) and returns its stdout.
func e2eExport(t *testing.T, bin string, env []string, dataDir string, conversations bool) string {
	t.Helper()
	args := []string{"export", "--data", dataDir}
	if conversations {
		args = append(args, "--conversations")
	}
	code, out, errOut, _ := e2eRun(t, bin, env, args...)
	if code != exitOK {
		t.Fatalf("%s: exit %d\nstderr:\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// e2eCompareLines checks JSON Lines against want, line by line, with the
// exact set of fields, and that every time field has the export format.
func e2eCompareLines(t *testing.T, what, out string, want []map[string]any) {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("%s: output does not end with a newline: %q", what, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Errorf("%s: %d lines, want %d:\n%s", what, len(lines), len(want), out)
	}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Errorf("%s line %d is not a JSON object: %v: %s", what, i+1, err, line)
			continue
		}
		for k, v := range got {
			if !strings.HasSuffix(k, "time") && k != "window_expires_at" {
				continue
			}
			if s, _ := v.(string); !e2eTimeRE.MatchString(s) {
				t.Errorf("%s line %d: %s = %v, want RFC 3339 UTC with milliseconds", what, i+1, k, v)
			}
		}
		if i >= len(want) {
			continue
		}
		if diff := e2eDiff(got, want[i]); diff != "" {
			t.Errorf("%s line %d: %s\ngot:  %s", what, i+1, diff, line)
		}
	}
}

// e2eDiff describes how got differs from want, field by field.
func e2eDiff(got, want map[string]any) string {
	var diffs []string
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("missing %s", k))
			continue
		}
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if !bytes.Equal(gj, wj) {
			diffs = append(diffs, fmt.Sprintf("%s = %s, want %s", k, gj, wj))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("unexpected field %s", k))
		}
	}
	slices.Sort(diffs)
	return strings.Join(diffs, "; ")
}
