package main

// send, campaign and campaigns while a daemon owns the data file: they go
// through its API, its dispatcher sends, and what they print and how they
// exit is what they print and how they exit without it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// inProcessDaemon runs `pageinbox serve` on env's data dir inside the test
// process until the test ends, and returns once daemon.json names its API.
func inProcessDaemon(t *testing.T, env map[string]string) {
	t.Helper()
	startInProcessDaemon(t, env, "127.0.0.1:0")
}

// startInProcessDaemon is inProcessDaemon with its API on apiAddr; stop
// ends it before the test does (and may be called again).
func startInProcessDaemon(t *testing.T, env map[string]string, apiAddr string) (stop func()) {
	t.Helper()
	dir := env["PAGEINBOX_DATA"]
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--api-listen", apiAddr}, mapEnv(env), logs, logs)
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
			if _, err := os.Stat(filepath.Join(dir, daemonFile)); err == nil {
				t.Errorf("serve left %s behind", daemonFile)
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(10 * time.Second)
	for daemonURL(config{DataDir: dir}) == "" {
		select {
		case code := <-exited:
			t.Fatalf("serve exited with %d:\n%s", code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 10 s:\n%s", daemonFile, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return stop
}

// cliStep is one command of a scenario, with what to do to the emulator
// first.
type cliStep struct {
	args   []string
	before func(srv *fbtest.Server)
}

var (
	durationRE = regexp.MustCompile(`\b\d+(d\d+h|h\d\dm|m|s)\b`)
	stampRE    = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`)
	progressRE = regexp.MustCompile(`(?m)^campaign \d+: sent .*; \d+ to go; [\d.]+/s, \S+\n`)
	rateTailRE = regexp.MustCompile(`; [\d.]+/s, \S+$`)
)

// runTranscript runs the steps and writes down, per step, the exit code
// and both outputs with what may differ from run to run taken out: the
// message ids Meta hands out, durations, timestamps, and the rate and
// interim lines of a campaign's progress (its last line stays).
func runTranscript(t *testing.T, srv *fbtest.Server, env map[string]string, steps []cliStep) []string {
	t.Helper()
	var out []string
	for _, s := range steps {
		if s.before != nil {
			s.before(srv)
		}
		sentBefore := len(srv.Sent())
		code, stdout, stderr := runCLI(t, env, s.args...)
		if s.args[0] == "send" && code == 0 {
			sent := srv.Sent()
			if len(sent) != sentBefore+1 || strings.TrimSpace(stdout) != sent[len(sent)-1].MID {
				t.Errorf("%v printed %q; the emulator has %d new sends: %+v", s.args, stdout, len(sent)-sentBefore, sent[sentBefore:])
			}
			stdout = "<mid>\n"
		}
		progress := progressRE.FindAllString(stderr, -1)
		stderr = progressRE.ReplaceAllString(stderr, "")
		if len(progress) > 0 {
			stderr += rateTailRE.ReplaceAllString(strings.TrimSuffix(progress[len(progress)-1], "\n"), "") + "\n"
		}
		norm := func(s string) string {
			return stampRE.ReplaceAllString(durationRE.ReplaceAllString(s, "<dur>"), "<time>")
		}
		out = append(out, fmt.Sprintf("$ pageinbox %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(s.args, " "), code, norm(stdout), norm(stderr)))
	}
	return out
}

// The same session of commands, once on the file and once through a
// running daemon, reads the same, step by step.
func TestCommandsThroughTheDaemonMatchTheFile(t *testing.T) {
	groups := map[string]group{"in": {4, time.Hour}, "closed": {2, 25 * time.Hour}, "old": {1, 8 * 24 * time.Hour}}
	steps := []cliStep{
		{args: []string{"send", "--to", "in0000", "--text", "Yes, we ship to Porto"}},
		{args: []string{"send", "--to", "closed0000", "--text", "hello?"}},
		{args: []string{"send", "--to", "closed0000", "--text", "Sorry for the wait!", "--tag", "HUMAN_AGENT"}},
		{args: []string{"send", "--to", "closed0001", "--text", "x", "--tag", "POST_PURCHASE_UPDATE"}},
		{args: []string{"send", "--to", "nobody", "--text", "x"}},
		{args: []string{"send", "--to", "in0003", "--text", "your parcel is here"}, before: func(srv *fbtest.Server) { srv.SetUnavailable("in0003") }},
		{args: []string{"send", "--to", "in0001", "--image", "https://example.com/a.png"}},
		{args: []string{"campaign", "--title", "Spring", "--text", "New collection in store", "--all", "--dry-run"}},
		{args: []string{"campaigns"}},
		{args: []string{"campaign", "--title", "Spring", "--text", "New collection in store", "--all"},
			before: func(srv *fbtest.Server) { srv.SetUnavailable("in0002") }},
		{args: []string{"campaign", "--retry-failed", "1"}},
		{args: []string{"campaign", "--title", "Flash", "--text", "Two hours only", "--to", "in0000", "--to", "in0001"},
			before: func(srv *fbtest.Server) { srv.FailNext(8, 2, 0, 500) }},
		{args: []string{"campaign", "--retry-failed", "2"}},
		{args: []string{"campaign", "--resume", "2"}},
		{args: []string{"campaign", "--resume", "7"}},
		{args: []string{"campaign", "--title", "Window", "--text", "Still open?", "--window-open"}},
		{args: []string{"campaign", "--title", "Unread", "--text", "Did you see?", "--unread", "--dry-run"}},
		{args: []string{"campaign", "--title", "Nobody", "--text", "x", "--to", "ghost"}},
		{args: []string{"campaigns"}},
		{args: []string{"campaigns", "1"}},
		{args: []string{"campaigns", "9"}},
		// A token that died: the first send finds out and stops sending;
		// a campaign afterwards blocks everyone and creates nothing.
		{args: []string{"send", "--to", "in0001", "--text", "one more"}, before: func(srv *fbtest.Server) { srv.ExpireToken() }},
		{args: []string{"campaign", "--title", "Dead", "--text", "x", "--all", "--dry-run"}},
		{args: []string{"campaign", "--title", "Dead", "--text", "x", "--all"}},
		{args: []string{"campaigns"}},
	}

	srvFile, envFile, _ := campaignEnv(t, groups)
	onFile := runTranscript(t, srvFile, envFile, steps)

	srvD, envD, _ := campaignEnv(t, groups)
	inProcessDaemon(t, envD)
	throughDaemon := runTranscript(t, srvD, envD, steps)

	for i := range steps {
		if onFile[i] != throughDaemon[i] {
			t.Errorf("step %d differs\non the file:\n%s\nthrough the daemon:\n%s", i+1, onFile[i], throughDaemon[i])
		} else if testing.Verbose() {
			t.Logf("step %d, the same both ways:\n%s", i+1, onFile[i])
		}
	}
	if t.Failed() {
		return
	}
	// What Meta received is the same too.
	if a, b := sendCalls(srvFile), sendCalls(srvD); a != b {
		t.Errorf("%d send calls on the file, %d through the daemon", a, b)
	}
	for _, psid := range []string{"in0000", "in0001", "in0002", "in0003", "closed0000", "closed0001", "old0000"} {
		if a, b := len(srvFile.SentTo(psid)), len(srvD.SentTo(psid)); a != b {
			t.Errorf("%s got %d messages on the file, %d through the daemon", psid, a, b)
		}
	}
	// Nothing above opened the daemon's file: it is still held.
	if code, _, errOut := runCLI(t, envD, "replay"); code != 1 || !strings.Contains(errOut, "in use by another pageinbox") {
		t.Errorf("replay while the daemon runs: exit %d %q", code, errOut)
	}
}

// Ctrl-C pauses the campaign on the daemon, after its sends in flight are
// recorded; --resume through the daemon finishes it, once per person.
func TestCampaignThroughTheDaemonInterruptAndResume(t *testing.T) {
	const n = 200
	srv, env, _ := campaignEnv(t, map[string]group{"p": {n, time.Hour}})
	srv.SetLatency(50 * time.Millisecond)
	inProcessDaemon(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(srv.Sent()) < 10 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel() // what SIGINT does to main's context
	}()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"campaign", "--title", "T", "--text", "Hello all", "--window-open"}, mapEnv(env), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "interrupted: campaign 1 is paused; pageinbox campaign --resume 1 continues it") {
		t.Fatalf("interrupt: exit %d, stdout %q\n%s", code, out.String(), errOut.String())
	}
	// The line printed is the final count: nothing was in flight any more.
	time.Sleep(200 * time.Millisecond)
	sent := len(srv.Sent())
	if want := fmt.Sprintf("sent %d, failed 0, skipped 0\n", sent); out.String() != want || sent >= n {
		t.Errorf("after Ctrl-C: stdout %q, want %q (of %d)", out.String(), want, n)
	}
	code, stdout, _ := runCLI(t, env, "campaigns")
	if code != 0 || !regexpMatch(fmt.Sprintf(`(?m)^1\s+paused\s+%d\s+0\s+0\s+0\s+%d\s+%d\s`, sent, n-sent, n), stdout) {
		t.Errorf("campaigns after Ctrl-C: exit %d\n%s", code, stdout)
	}
	if len(srv.Sent()) != sent {
		t.Errorf("the daemon went on sending a paused campaign: %d -> %d", sent, len(srv.Sent()))
	}

	code, stdout, stderr := runCLI(t, env, "campaign", "--resume", "1")
	if code != 0 || stdout != fmt.Sprintf("sent %d, failed 0, skipped 0\n", n) || !strings.Contains(stderr, "resuming campaign 1") {
		t.Fatalf("resume: exit %d %q\n%s", code, stdout, stderr)
	}
	for i := 0; i < n; i++ {
		if got := len(srv.SentTo(fmt.Sprintf("p%04d", i))); got != 1 {
			t.Errorf("p%04d got %d messages", i, got)
		}
	}
}

// A daemon that has not sent since its token died learns it from the
// campaign's first send: it stops sending, the campaign is paused with
// nothing sent, and the command says why.
func TestCampaignThroughTheDaemonWithADeadToken(t *testing.T) {
	srv, env, _ := campaignEnv(t, map[string]group{"p": {5, time.Hour}})
	inProcessDaemon(t, env)
	srv.ExpireToken()
	code, stdout, stderr := runCLI(t, env, "campaign", "--title", "T", "--text", "x", "--all")
	if code != 1 || stdout != "sent 0, failed 0, skipped 0\n" ||
		!strings.Contains(stderr, "sending stopped: campaign 1 is paused; pageinbox campaign --resume 1 continues it") ||
		!strings.Contains(stderr, "token is invalid or expired") || strings.Contains(stderr, testToken) {
		t.Fatalf("dead token: exit %d %q\n%s", code, stdout, stderr)
	}
	if len(srv.Sent()) != 0 {
		t.Errorf("%d sent with a dead token", len(srv.Sent()))
	}
	// Resuming is refused until the daemon can send again.
	code, _, stderr = runCLI(t, env, "campaign", "--resume", "1")
	if code != 1 || !strings.Contains(stderr, "token is invalid or expired") {
		t.Errorf("resume with a dead token: exit %d\n%s", code, stderr)
	}
}

// --server reaches a daemon wherever it is, without the data dir; a
// daemon.json left by a daemon that died sends the commands to the file.
func TestCommandsFindTheDaemon(t *testing.T) {
	srv, env, dir := campaignEnv(t, map[string]group{"in": {2, time.Hour}})
	inProcessDaemon(t, env)
	tok, err := os.ReadFile(filepath.Join(dir, apiTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := map[string]string{"PAGEINBOX_DATA": t.TempDir(), "HOME": t.TempDir(), "PAGEINBOX_SERVER": daemonURL(config{DataDir: dir}),
		"PAGEINBOX_API_TOKEN": strings.TrimSpace(string(tok))}
	code, out, errOut := runCLI(t, elsewhere, "send", "--to", "in0000", "--text", "from afar")
	if code != 0 || len(srv.SentTo("in0000")) != 1 || strings.TrimSpace(out) != srv.SentTo("in0000")[0].MID {
		t.Fatalf("send --server: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, elsewhere, "campaign", "--title", "Far", "--text", "hello from afar", "--all", "--rate", "50")
	if code != 0 || out != "sent 2, failed 0, skipped 0\n" || !strings.Contains(errOut, "sends at its own pace") {
		t.Fatalf("campaign --server: exit %d %q\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, elsewhere, "campaigns", "1")
	if code != 0 || !strings.Contains(out, `campaign 1 "Far", done: sent 2`) {
		t.Errorf("campaigns --server: exit %d\n%s", code, out)
	}
	// A wrong token is refused, and said so.
	elsewhere["PAGEINBOX_API_TOKEN"] = "wrong"
	if code, _, errOut := runCLI(t, elsewhere, "campaigns"); code != 1 || !strings.Contains(errOut, "refused the API token") {
		t.Errorf("wrong API token: exit %d %q", code, errOut)
	}
}

func TestCommandsIgnoreADeadDaemonsFile(t *testing.T) {
	srv, env, dir := campaignEnv(t, map[string]group{"in": {1, time.Hour}})
	port := freePort(t) // nothing listens there
	if err := os.WriteFile(filepath.Join(dir, daemonFile), fmt.Appendf(nil, `{"url":"ws://127.0.0.1:%d/ws","pid":1}`, port), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, apiTokenFile), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, env, "send", "--to", "in0000", "--text", "hello"); code != 0 || len(srv.Sent()) != 1 {
		t.Fatalf("send with a stale daemon.json: exit %d %q %q", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, env, "campaign", "--title", "T", "--text", "x", "--all"); code != 0 || out != "sent 1, failed 0, skipped 0\n" {
		t.Fatalf("campaign with a stale daemon.json: exit %d %q %q", code, out, errOut)
	}
	withStore(t, dir, func(st *store.Store) {
		if c, err := st.Campaign(context.Background(), 1); err != nil || c.Status != store.CampaignDone {
			t.Errorf("campaign on the file: %+v %v", c, err)
		}
	})
}

// The real thing: `pageinbox serve` as a process with the emulator, and
// send, campaign (Ctrl-C included) and campaigns as processes beside it,
// without a Page token of their own: only the daemon can have sent.
// Skipped with -short.
func TestDaemonCommandsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const n = 300
	bin := e2eBinary(t)
	srv, envMap, dir := campaignEnv(t, map[string]group{"p": {n, time.Hour}, "old": {1, 72 * time.Hour}})
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PAGEINBOX_DATA=" + dir}
	serveEnv := append(base, "PAGEINBOX_GRAPH_URL="+envMap["PAGEINBOX_GRAPH_URL"], "PAGE_ACCESS_TOKEN="+testToken, "APP_SECRET=cmd-secret")
	daemon := startServe(t, bin, serveEnv, dir)
	for deadline := time.Now().Add(10 * time.Second); daemonURL(config{DataDir: dir}) == ""; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s:\n%s", daemonFile, daemon.stderr.String())
		}
	}
	cli := base // no token, no Graph URL: the file alone could not send

	code, out, errOut, _ := e2eRun(t, bin, cli, "send", "--to", "p0000", "--text", "Your order shipped")
	if code != 0 || len(srv.SentTo("p0000")) != 1 || strings.TrimSpace(out) != srv.SentTo("p0000")[0].MID {
		t.Fatalf("send: exit %d %q %q\n%s", code, out, errOut, daemon.stderr.String())
	}
	code, _, errOut, _ = e2eRun(t, bin, cli, "send", "--to", "old0000", "--text", "hello?")
	if code != 1 || !strings.Contains(errOut, "outside the 24 h window") || strings.Contains(errOut, "in use by another pageinbox") {
		t.Errorf("send outside the window: exit %d %q", code, errOut)
	}
	code, out, _, _ = e2eRun(t, bin, cli, "campaign", "--title", "Sale", "--text", "Summer sale", "--all", "--dry-run")
	if code != 0 || !regexpMatch(`(?m)^\s+send\s+300\s+inside`, out) || !regexpMatch(`(?m)^\s+skip\s+1\s+outside`, out) {
		t.Errorf("dry run: exit %d\n%s", code, out)
	}

	// Ctrl-C: the campaign is paused on the daemon, which keeps running.
	srv.SetLatency(50 * time.Millisecond)
	cmd := exec.Command(bin, "campaign", "--title", "Sale", "--text", "Summer sale", "--all")
	cmd.Env = cli
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); countText(srv, "Summer sale") < 10; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the campaign did not start sending\n%s", stderr.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	select {
	case err := <-exited:
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
			t.Fatalf("after Ctrl-C: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 30 s after Ctrl-C\n%s", stderr.String())
	}
	time.Sleep(200 * time.Millisecond)
	sent := countText(srv, "Summer sale")
	if want := fmt.Sprintf("sent %d, failed 0, skipped 1\n", sent); stdout.String() != want || sent >= n ||
		!strings.Contains(stderr.String(), "interrupted: campaign 1 is paused; pageinbox campaign --resume 1 continues it") {
		t.Fatalf("after Ctrl-C: stdout %q, want %q\n%s", stdout.String(), want, stderr.String())
	}
	code, out, _, _ = e2eRun(t, bin, cli, "campaigns")
	if code != 0 || !regexpMatch(fmt.Sprintf(`(?m)^1\s+paused\s+%d\s+0\s+1\s+0\s+%d\s+%d\s`, sent, n-sent, n+1), out) {
		t.Errorf("campaigns while paused: exit %d\n%s", code, out)
	}

	srv.SetLatency(0)
	code, out, errOut, _ = e2eRun(t, bin, cli, "campaign", "--resume", "1")
	if code != 0 || out != fmt.Sprintf("sent %d, failed 0, skipped 1\n", n) {
		t.Fatalf("resume: exit %d %q\n%s", code, out, errOut)
	}
	for i := 0; i < n; i++ {
		if got := sentWithText(srv, fmt.Sprintf("p%04d", i), "Summer sale"); got != 1 {
			t.Errorf("p%04d got %d campaign messages", i, got)
		}
	}
	code, out, _, _ = e2eRun(t, bin, cli, "campaigns", "1")
	if code != 0 || !strings.Contains(out, fmt.Sprintf(`campaign 1 "Sale", done: sent %d, failed 0, skipped 1`, n)) {
		t.Errorf("campaigns 1: exit %d\n%s", code, out[:min(len(out), 500)])
	}
	if logs := daemon.stderr.String(); strings.Count(logs, "api: client attached") < 7 || strings.Contains(logs, testToken) {
		t.Errorf("the daemon's log does not show the commands attaching (or shows the token):\n%s", logs)
	}
}

// countText counts the messages carrying text, whoever they went to.
func countText(srv *fbtest.Server, text string) int {
	n := 0
	for _, m := range srv.Sent() {
		if m.Text == text {
			n++
		}
	}
	return n
}

// Through the daemon another agent may pause or cancel the campaign the
// command follows (from the TUI): the command stops following, says so
// and exits 1.
func TestCampaignThroughTheDaemonStoppedByAnotherAgent(t *testing.T) {
	for _, status := range []store.CampaignStatus{store.CampaignPaused, store.CampaignCancelled} {
		t.Run(string(status), func(t *testing.T) {
			const n = 100
			srv, env, dir := campaignEnv(t, map[string]group{"p": {n, time.Hour}})
			srv.SetLatency(50 * time.Millisecond)
			inProcessDaemon(t, env)
			agent, err := attach(context.Background(), config{DataDir: dir}, store.Agent{ID: "ana-1", Name: "Ana"})
			if err != nil || agent == nil {
				t.Fatalf("attach: %v", err)
			}
			defer agent.Close()
			go func() {
				for countText(srv, "Hello all") < 5 {
					time.Sleep(5 * time.Millisecond)
				}
				if _, err := agent.SetCampaignStatus(context.Background(), 1, status); err != nil {
					t.Errorf("%s from the TUI: %v", status, err)
				}
			}()
			code, stdout, stderr := runCLI(t, env, "campaign", "--title", "T", "--text", "Hello all", "--all")
			time.Sleep(200 * time.Millisecond)
			sent := countText(srv, "Hello all")
			want := fmt.Sprintf("sent %d, failed 0, skipped 0\n", sent)
			wantErr := "stopped outside this command: campaign 1 is paused; pageinbox campaign --resume 1 continues it"
			if status == store.CampaignCancelled {
				want = fmt.Sprintf("sent %d, failed 0, skipped %d\n", sent, n-sent)
				wantErr = "campaign 1 was cancelled before it finished"
			}
			if code != 1 || stdout != want || sent >= n || !strings.Contains(stderr, wantErr) {
				t.Errorf("%s by another agent: exit %d, stdout %q, want %q\n%s", status, code, stdout, want, stderr)
			}
		})
	}
}

// The daemon restarts under a campaign: the command waits for it to come
// back (the client reconnects), finds the campaign interrupted, and says
// how to resume it; --resume then finishes it, once per person.
func TestCampaignThroughARestartingDaemon(t *testing.T) {
	const n = 100
	srv, env, _ := campaignEnv(t, map[string]group{"p": {n, time.Hour}})
	srv.SetLatency(50 * time.Millisecond)
	api := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	stop := startInProcessDaemon(t, env, api)
	go func() {
		for countText(srv, "Hello all") < 10 {
			time.Sleep(5 * time.Millisecond)
		}
		stop()
		time.Sleep(300 * time.Millisecond) // the command is left without a daemon a while
		startInProcessDaemon(t, env, api)
	}()
	code, stdout, stderr := runCLI(t, env, "campaign", "--title", "T", "--text", "Hello all", "--all")
	m := regexp.MustCompile(`^sent (\d+), failed 0, skipped 0\n$`).FindStringSubmatch(stdout)
	if code != 1 || m == nil || countText(srv, "Hello all") >= n ||
		!strings.Contains(stderr, "stopped outside this command: campaign 1 is interrupted; pageinbox campaign --resume 1 continues it") {
		t.Fatalf("across a restart: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	// Sends in flight when the daemon stopped may be left unknown: they are
	// not sent again.
	code, stdout, stderr = runCLI(t, env, "campaign", "--resume", "1")
	u := regexp.MustCompile(`(\d+) in flight when it stopped stay unknown`).FindStringSubmatch(stderr)
	if u == nil {
		t.Fatalf("resume: exit %d %q\n%s", code, stdout, stderr)
	}
	unknown, _ := strconv.Atoi(u[1])
	if code != 0 || stdout != fmt.Sprintf("sent %d, failed 0, skipped 0\n", n-unknown) {
		t.Fatalf("resume: exit %d %q, want sent %d\n%s", code, stdout, n-unknown, stderr)
	}
	t.Logf("the command printed %s; %d were left unknown by the restart", strings.TrimSpace(m[0]), unknown)
	for i := 0; i < n; i++ {
		if got := len(srv.SentTo(fmt.Sprintf("p%04d", i))); got != 1 {
			t.Errorf("p%04d got %d messages", i, got)
		}
	}
}
