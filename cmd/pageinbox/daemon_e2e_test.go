package main

// TestDaemonAttachedTUIsInTmux is issue 7's end-to-end run: the real
// binary as `pageinbox serve` (webhook, dispatcher, /ws API) talking to an
// in-test Meta emulator, and two agents, Ana and Ben, each running
// `pageinbox --data DIR` in a tmux pane, attached to the daemon. A customer
// writes (a signed webhook), both agents see it; Ana types a reply, Ben
// opens the conversation and sees "Ana is replying…"; Ana sends and Ben
// watches the reply go out live; `export` works through the daemon; the
// daemon is stopped (SIGTERM) and started again on the same ports, both
// TUIs reattach by themselves and the next customer's message reaches
// them. Skipped with -short; fails without tmux.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

// daemonAgent is one attached TUI in its own tmux server.
type daemonAgent struct {
	name string
	pane *tmuxPane
}

func TestDaemonAttachedTUIsInTmux(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildTUIBinary(t)
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	raceLog := filepath.Join(dir, "race")
	gorace := "GORACE=log_path=" + raceLog + " exitcode=66 atexit_sleep_ms=0"
	start := time.Now()
	since := func() time.Duration { return time.Since(start).Round(10 * time.Millisecond) }

	// The emulator posts echoes and deliveries to the daemon's webhook, so
	// the webhook's port is chosen first and kept across the restart.
	var logMu sync.Mutex
	testDone := false
	t.Cleanup(func() { logMu.Lock(); testDone = true; logMu.Unlock() })
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		if !testDone {
			t.Logf("emulator: "+format, args...)
		}
	}
	var (
		emu            *fbtest.Server
		srv            *e2eServer
		hookAddr, addr string // the webhook's and the API's
		serveEnv       []string
	)
	for attempt := 1; ; attempt++ {
		hookAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		if hookAddr == addr {
			continue
		}
		emu = fbtest.NewServer(fbtest.Config{WebhookURL: "http://" + hookAddr + "/webhook", Echoes: true,
			DeliveryDelay: time.Second, Logf: logf})
		cfg := emu.Config()
		serveEnv = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, gorace,
			"PAGEINBOX_GRAPH_URL=" + emu.URL(), "PAGE_ACCESS_TOKEN=" + cfg.PageToken, "APP_SECRET=" + cfg.AppSecret,
			"VERIFY_TOKEN=daemon-e2e-verify", "PAGE_ID=" + cfg.PageID}
		var inUse bool
		srv, inUse = startDaemonProcess(t, bin, serveEnv, hookAddr, addr, dataDir, attempt == 3)
		if srv != nil {
			break
		}
		emu.Close()
		if !inUse {
			t.FailNow()
		}
	}
	t.Cleanup(emu.Close)
	cfg := emu.Config()
	wsURL := "ws://" + addr + "/ws"
	t.Logf("%v: serve up: webhook %s, API %s", since(), hookAddr, wsURL)
	if info := daemonURL(config{DataDir: dataDir}); info != wsURL {
		t.Fatalf("daemon.json names %q, want %q", info, wsURL)
	}

	// Two agents attach: `pageinbox --data DIR` finds the daemon by itself.
	agents := []*daemonAgent{{name: "Ana"}, {name: "Ben"}}
	for _, a := range agents {
		inner := shellQuote(bin) + " --data " + shellQuote(dataDir) + "; echo EXITED:$?; sleep 30"
		command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(home) +
			" TERM=xterm-256color PAGEINBOX_BELL=0 PAGEINBOX_AGENT=" + a.name + " " + shellQuote(gorace) +
			" sh -c " + shellQuote(inner)
		a.pane = startTmuxPane(t, tmux, filepath.Join(dir, "tmux-"+a.name), "/dev/null", command)
	}
	t.Cleanup(func() { // runs before the panes' own, which log what each agent saw
		reportRaces(t, raceLog)
		if !t.Failed() {
			return
		}
		t.Logf("serve's output:\n%s", srv.stderr.String())
		if b, err := os.ReadFile(filepath.Join(dataDir, "tui.log")); err == nil {
			t.Logf("tui.log:\n%s", b)
		}
	})
	attached := func(s screen) bool { return strings.Contains(s.text(), "● attached to "+wsURL) }
	for _, a := range agents {
		a.pane.waitFor(a.name+"'s status bar saying attached to "+wsURL, 15*time.Second, attached)
	}
	t.Logf("%v: Ana and Ben attached", since())
	ana, ben := agents[0].pane, agents[1].pane

	// 1. A customer writes in: a signed webhook to the daemon.
	driver := &fbtest.Driver{URL: "http://" + hookAddr + "/webhook", AppSecret: cfg.AppSecret, PageID: cfg.PageID}
	carla, diego := "2490000000007001", "2490000000007002"
	emu.AddUser(carla, "Carla Mendes")
	emu.AddUser(diego, "Diego Ruiz")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	first := "Is my parcel on its way?"
	if _, err := emu.CustomerWrites(ctx, driver, carla, first); err != nil {
		t.Fatalf("customer's webhook: %v", err)
	}
	for _, a := range agents {
		a.pane.waitFor("Carla's message in "+a.name+"'s inbox", 10*time.Second, func(s screen) bool {
			return strings.Contains(s.text(), first)
		})
	}
	t.Logf("%v: the customer's message is in both inboxes", since())

	// 2. Ana opens it and types a reply without sending it.
	ana.keys("Enter")
	ana.waitFor("Ana's compose pane focused", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.helpLine(), "enter send") && strings.Contains(s.text(), first)
	})
	reply := fmt.Sprintf("Yes, it left today, ref %06d", time.Now().UnixNano()%1e6)
	ana.typeText(reply)
	ana.waitFor("the reply typed in Ana's compose pane", 15*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), reply) && strings.Contains(s.text(), fmt.Sprintf("%d/2000", len(reply)))
	})

	// Ben opens the same conversation: Ana is there, typing. (Typing lapses
	// 4 s after the last key, so a slow machine gets a nudge: a key and its
	// undo, which leave the text as it was.)
	ben.keys("Enter")
	nudged := time.Now()
	ben.waitFor("Ben's compose pane focused", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.helpLine(), "enter send")
	})
	replying := func(s screen) bool { return strings.Contains(s.header(), "Ana is replying") }
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, ok := ben.poll(time.Second, replying); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Ben's thread header never said \"Ana is replying\"")
		}
		if time.Since(nudged) > 2*time.Second {
			ana.keys("x", "BSpace")
			nudged = time.Now()
		}
	}
	t.Logf("%v: Ben sees \"Ana is replying…\"", since())
	ana.waitFor("Ana's header naming Ben as also here", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.header(), "also here: Ben")
	})

	// 3. Ana sends: the reply reaches Ben's thread live, and goes out.
	ana.keys("Enter")
	sentAt := time.Now()
	for _, a := range agents {
		a.pane.waitFor("the reply ✓✓ delivered in "+a.name+"'s thread (the emulator delivers after 1 s)", 15*time.Second, func(s screen) bool {
			st := replyStatus(s, reply)
			return st == "✓✓ delivered" || st == "✓✓ read"
		})
		t.Logf("%v: %s sees the reply delivered, %v after enter", since(), a.name, time.Since(sentAt).Round(10*time.Millisecond))
	}
	if got := emu.SentTo(carla); len(got) != 1 || got[0].Text != reply {
		t.Errorf("the emulator's Send API got %+v for Carla, want the one reply", got)
	}

	// 4. export while the daemon holds the file: through its API.
	baseEnv := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, gorace}
	code, out, errOut, took := e2eRun(t, bin, baseEnv, "export", "--data", dataDir)
	if code != exitOK || !strings.Contains(out, first) || !strings.Contains(out, reply) {
		t.Errorf("export while serve runs: exit %d after %v, stderr %q, stdout:\n%s\nwant both messages", code, took, errOut, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, reply) && !strings.Contains(line, `"direction":"out"`) {
			t.Errorf("export: the reply is not outbound: %s", line)
		}
	}

	// 5. The daemon stops: both TUIs notice and keep trying.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.exited:
		if srv.err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit 0", srv.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve still running 10 s after SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(dataDir, daemonFile)); !os.IsNotExist(err) {
		t.Errorf("daemon.json left behind by a stopped daemon: %v", err)
	}
	for _, a := range agents {
		a.pane.waitFor(a.name+"'s status bar saying it is reconnecting", 10*time.Second, func(s screen) bool {
			return strings.Contains(s.text(), "○ reconnecting to "+wsURL)
		})
	}
	t.Logf("%v: daemon stopped; both TUIs reconnecting", since())

	// Started again on the same ports: both reattach by themselves.
	srv2, _ := startDaemonProcess(t, bin, serveEnv, hookAddr, addr, dataDir, true)
	restarted := srv2
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("restarted serve's output:\n%s", restarted.stderr.String())
		}
	})
	for _, a := range agents {
		a.pane.waitFor(a.name+"'s status bar attached again", 20*time.Second, attached)
	}
	t.Logf("%v: daemon restarted; both TUIs attached again", since())

	// 6. The next customer's message reaches both.
	second := "Do you ship to Lyon?"
	if _, err := emu.CustomerWrites(ctx, driver, diego, second); err != nil {
		t.Fatalf("customer's webhook after the restart: %v", err)
	}
	for _, a := range agents {
		a.pane.waitFor("Diego's message in "+a.name+"'s inbox after the restart", 10*time.Second, func(s screen) bool {
			return strings.Contains(s.text(), second)
		})
		// Ana's reply is still in the thread the TUI reloaded.
		if s := a.pane.last; replyStatus(s, reply) == "" {
			t.Errorf("%s's thread lost the reply after reattaching", a.name)
		}
	}
	t.Logf("%v: a new customer's message reached both TUIs after the restart", since())
}

// startDaemonProcess runs `serve` on fixed loopback ports and waits for
// /healthz and daemon.json. When the port was taken meanwhile it returns
// nil and true, unless mustStart (then it fails the test).
func startDaemonProcess(t *testing.T, bin string, env []string, hookAddr, apiAddr, dataDir string, mustStart bool) (*e2eServer, bool) {
	t.Helper()
	s := &e2eServer{
		cmd:    exec.Command(bin, "serve", "--listen", hookAddr, "--api-listen", apiAddr, "--data", dataDir),
		base:   "http://" + hookAddr,
		stderr: &syncBuffer{},
		exited: make(chan struct{}),
	}
	s.cmd.Env = env
	s.start(t)
	err := s.waitHealthy(15 * time.Second)
	if err == nil {
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if _, err = os.Stat(filepath.Join(dataDir, daemonFile)); err == nil {
				return s, false
			}
			if time.Now().After(deadline) {
				break
			}
		}
	}
	inUse := strings.Contains(s.stderr.String(), "address already in use")
	if mustStart || !inUse {
		t.Errorf("serve did not come up: %v\noutput:\n%s", err, s.stderr.String())
		if mustStart {
			t.FailNow()
		}
	}
	return nil, inUse
}

// start runs serve with its output in s.stderr; when the test ends it is
// asked to stop (SIGTERM), and killed if it has not within 5 s.
func (s *e2eServer) start(t *testing.T) {
	t.Helper()
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(5 * time.Second):
				s.cmd.Process.Kill()
				<-s.exited
			}
		}
	})
}
