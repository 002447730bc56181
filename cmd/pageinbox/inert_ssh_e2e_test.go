package main

// TestHostileTextOverSSHInTmux is issue 10's terminal attack, run for real:
// `pageinbox serve --ssh-listen` on loopback, an agent's tmux pane running
// ssh into the served TUI (tmux set-clipboard on, so OSC 52 would write a
// paste buffer), and a customer whose message and Graph profile name carry
// a title OSC, an OSC 52 clipboard write, a clear screen, C1 controls and a
// DCS. The pane's title and tmux's paste buffers must stay as they were,
// and the printable text must be on screen. Skipped with -short; fails
// without tmux or ssh, which .ci/run installs.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

// The attack: every sequence a customer could use to drive the agent's
// terminal, around printable words the agent must still read.
const (
	hostileText = "Parcel 7731 arrived" +
		"\x1b]2;text-title-pwned\x07" + // OSC 2: window title
		"\x1b]52;c;dGV4dC1jbGlwLXB3bmVk\x07" + // OSC 52: clipboard "text-clip-pwned"
		"\x1b]52;c;dGV4dC1zdC1wd25lZA==\x1b\\" + // the same, ST-terminated
		"\x1b[2J\x1b[H" + // clear screen, cursor home
		"\u009d2;c1-title-pwned\u0007" + // C1 OSC
		"\u009b2J" + // C1 CSI clear screen
		"\x1bP$qm\x1b\\" + // DCS (DECRQSS: asks the terminal to answer)
		"\x1bPtmux;\x1b\x1b]2;dcs-title-pwned\x07\x1b\\" + // DCS passthrough to the outer terminal
		" but the box was damaged"
	hostileName = "Mallory" +
		"\x1b]2;name-title-pwned\x07" +
		"\x1b]52;c;bmFtZS1jbGlwLXB3bmVk\x07" + // "name-clip-pwned"
		"\x1b[2J" +
		"\u009d2;name-c1-pwned\u0007" +
		" Quinn"
)

func TestHostileTextOverSSHInTmux(t *testing.T) {
	tmux := requireTmux(t)
	sshBin := requireSSH(t)
	bin := buildTUIBinary(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	keyFile, authorized := writeClientKey(t, dir)
	start := time.Now()
	since := func() time.Duration { return time.Since(start).Round(10 * time.Millisecond) }

	raceLog := filepath.Join(dir, "race")
	t.Cleanup(func() { // runs last, once serve has stopped and written its report
		races, _ := filepath.Glob(raceLog + ".*")
		for _, f := range races {
			b, _ := os.ReadFile(f)
			t.Errorf("data race in pageinbox serve (%s):\n%s", f, b)
		}
	})
	emu, srv, sshAddr := startSSHDaemon(t, bin, home, filepath.Join(dir, "data"), authorized, raceLog)
	cfg := emu.Config()

	// The agent's terminal: tmux with set-clipboard on, its pane running
	// ssh into the inbox.
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g set-clipboard on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(sshAddr)
	sshCmd := shellQuote(sshBin) + " -F /dev/null -tt -p " + port + " -i " + shellQuote(keyFile) +
		" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR" +
		" agent@" + host + "; echo EXITED:$?; sleep 30"
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(home) +
		" TERM=xterm-256color sh -c " + shellQuote(sshCmd)
	p := startTmuxPane(t, tmux, filepath.Join(dir, "sock"), conf, command)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's output:\n%s", srv.stderr.String())
		}
	})
	if got, _ := p.tmux("show-options", "-g", "-v", "set-clipboard"); strings.TrimSpace(got) != "on" {
		t.Fatalf("tmux set-clipboard is %q, want on: the clipboard check would prove nothing", got)
	}
	p.waitFor("the inbox served over SSH", 20*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), "No conversations yet") && strings.Contains(s.text(), "events")
	})
	t.Logf("%v: the inbox is up over SSH", since())
	titleBefore := paneTitle(t, p)
	if bufs := pasteBuffers(t, p); bufs != "" {
		t.Fatalf("tmux has paste buffers before the attack: %q", bufs)
	}

	// The customer writes; serve looks their name up in the emulator's
	// profile API.
	psid := "2490000000006666"
	emu.AddUser(psid, hostileName)
	driver := &fbtest.Driver{URL: srv.base + "/webhook", AppSecret: cfg.AppSecret, PageID: cfg.PageID}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := emu.CustomerWrites(ctx, driver, psid, hostileText); err != nil {
		t.Fatalf("customer's webhook: %v", err)
	}
	// The conversation arrives in the list; enter opens it. The checks
	// below run whatever happens here, so a failure reports every effect
	// of the attack.
	listed := func(s screen) bool {
		rows := s.listRows()
		return len(rows) == 1 && strings.Contains(rows[0].name, "Mallory") && strings.Contains(rows[0].name, "Quinn")
	}
	shown := func(s screen) bool {
		return strings.Contains(s.text(), "Parcel 7731 arrived") && strings.Contains(s.text(), "but the box was damaged") &&
			strings.Contains(s.header(), "Mallory") && strings.Contains(s.header(), "Quinn")
	}
	s, ok := p.poll(20*time.Second, listed)
	if ok {
		t.Logf("%v: the conversation is listed under the customer's name", since())
		p.keys("Enter")
		s, ok = p.poll(10*time.Second, shown)
	}
	if !ok {
		t.Errorf("the message's printable text and the customer's name are not both on screen")
	} else {
		t.Logf("%v: the thread shows the message", since())
	}
	if got := paneTitle(t, p); got != titleBefore {
		t.Errorf("the pane title changed from %q to %q: a customer retitled the agent's terminal", titleBefore, got)
	}
	if bufs := pasteBuffers(t, p); bufs != "" {
		content, _ := p.tmux("show-buffer")
		t.Errorf("tmux has a paste buffer after the attack: %q holding %q: a customer wrote the agent's clipboard", bufs, content)
	}
	if len(s.lines) < 2 || !strings.Contains(string(s.lines[1]), "All 1") {
		t.Errorf("the top of the screen (tabs) is gone: the screen was cleared under the TUI")
	}
	for _, payload := range []string{"pwned", "$qm", "tmux;"} {
		if strings.Contains(s.text(), payload) {
			t.Errorf("the screen shows %q: an escape sequence's payload was drawn as text", payload)
		}
	}
}

// requireSSH finds the OpenSSH client; like tmux, it must be there in CI.
func requireSSH(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("ssh")
	if err != nil {
		t.Fatalf("ssh not found in PATH (%v): this test reaches the TUI over SSH and must run in CI; .ci/run must install openssh-client", err)
	}
	return bin
}

// writeClientKey writes an ed25519 key for ssh -i and the authorized_keys
// file that lets it in.
func writeClientKey(t *testing.T, dir string) (keyFile, authorized string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, authorized = filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(authorized, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	return keyFile, authorized
}

// startSSHDaemon runs the emulator and `serve --ssh-listen` on loopback
// ports, trying other ports when one was taken between probe and listen.
func startSSHDaemon(t *testing.T, bin, home, dataDir, authorized, raceLog string) (*fbtest.Server, *e2eServer, string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		hookAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		sshAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		if hookAddr == sshAddr {
			continue
		}
		emu := fbtest.NewServer(fbtest.Config{WebhookURL: "http://" + hookAddr + "/webhook"})
		cfg := emu.Config()
		s := &e2eServer{
			cmd: exec.Command(bin, "serve", "--listen", hookAddr, "--api-listen", "", "--data", dataDir,
				"--ssh-listen", sshAddr, "--ssh-authorized-keys", authorized),
			base:   "http://" + hookAddr,
			stderr: &syncBuffer{},
			exited: make(chan struct{}),
		}
		s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "PAGEINBOX_GRAPH_URL=" + emu.URL(),
			"GORACE=log_path=" + raceLog + " exitcode=66 atexit_sleep_ms=0",
			"PAGE_ACCESS_TOKEN=" + cfg.PageToken, "APP_SECRET=" + cfg.AppSecret, "VERIFY_TOKEN=inert-e2e-verify", "PAGE_ID=" + cfg.PageID}
		s.start(t)
		err := s.waitHealthy(15 * time.Second)
		if err == nil {
			err = waitListening(sshAddr, s, 10*time.Second)
		}
		if err == nil {
			t.Cleanup(emu.Close)
			return emu, s, sshAddr
		}
		emu.Close()
		if !strings.Contains(s.stderr.String(), "address already in use") || attempt == 3 {
			t.Fatalf("serve did not come up: %v\noutput:\n%s", err, s.stderr.String())
		}
	}
}

// waitListening waits until addr accepts TCP connections.
func waitListening(addr string, s *e2eServer, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("serve exited: %v", s.err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("SSH port %s after %v: %w", addr, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
