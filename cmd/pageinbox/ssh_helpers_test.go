package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// sshFixture is an SSH server on a store holding one conversation, with
// its log kept and its changes watched for presence.
type sshFixture struct {
	t        *testing.T
	st       *store.Store
	srv      *sshServer
	logs     *syncBuffer
	keysFile string
	conv     store.ConvKey
	presence *presenceWatch
	stop     func()
}

const fixtureCustomer = "Is the blue one in stock?"

// newSSHFixture serves authorized (authorized_keys lines) with o.
func newSSHFixture(t *testing.T, o sshOptions, authorized ...string) *sshFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	f := &sshFixture{t: t, st: st, logs: &syncBuffer{}, conv: seedConversation(st, "P1", "Ana Souza", fixtureCustomer)}
	f.keysFile = filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(f.keysFile, []byte(strings.Join(authorized, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := st.Subscribe(4096)
	f.presence = watchPresence(sub.C)
	o.Addr, o.HostKeyPath, o.AuthorizedKeys = "127.0.0.1:0", filepath.Join(dir, "host_key"), f.keysFile
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.srv, err = newSSHServer(o, &inbox.Local{Store: st, Board: inbox.NewPresenceBoard()}, log)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.srv.Serve(sctx); close(done) }()
	var once sync.Once
	f.stop = func() { once.Do(func() { cancel(); <-done; sub.Close() }) }
	t.Cleanup(f.stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", f.logs.String())
		}
	})
	return f
}

// authorizedLine is k's authorized_keys line with comment.
func authorizedLine(k gossh.Signer, comment string) string {
	return strings.TrimSpace(strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k.PublicKey()))) + " " + comment)
}

// presenceWatch keeps the last presence announced for each conversation.
type presenceWatch struct {
	mu      sync.Mutex
	last    map[store.ConvKey][]store.AgentPresence
	resyncs int // the feed lost changes: what is known may be stale
}

func watchPresence(ch <-chan store.Change) *presenceWatch {
	w := &presenceWatch{last: map[store.ConvKey][]store.AgentPresence{}}
	go func() {
		for c := range ch {
			w.mu.Lock()
			switch c.Kind {
			case store.PresenceChanged:
				w.last[c.Presence.Key] = c.Presence.Agents
			case store.Resync:
				w.resyncs++
			}
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *presenceWatch) agents(key store.ConvKey) []store.AgentPresence {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last[key]
}

// waitAgents waits until n agents are present in key.
func (w *presenceWatch) waitAgents(t *testing.T, key store.ConvKey, n int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for len(w.agents(key)) != n {
		if time.Now().After(deadline) {
			w.mu.Lock()
			defer w.mu.Unlock()
			t.Fatalf("timed out after %v waiting for %d agents present in %v: %d are (%+v); the feed resynced %d times",
				d, n, key, len(w.last[key]), w.last[key], w.resyncs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitUntil polls ok every 20 ms until it holds, failing after d.
func waitUntil(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sshTUI is one SSH session with a PTY, showing the inbox.
type sshTUI struct {
	t       *testing.T
	raw     net.Conn
	client  *gossh.Client
	sess    *gossh.Session
	out     *syncBuffer
	errOut  *syncBuffer
	in      io.WriteCloser
	replied bool
}

// dialSSH logs in over raw with key as user.
func dialSSH(raw net.Conn, key gossh.Signer, user string) (*gossh.Client, error) {
	cc, chans, reqs, err := gossh.NewClientConn(raw, raw.RemoteAddr().String(), &gossh.ClientConfig{User: user,
		Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	return gossh.NewClient(cc, chans, reqs), nil
}

// startTUI opens a session with a PTY on addr and starts its shell: the
// inbox. env are NAME=value pairs sent as ssh's SetEnv does.
func startTUI(t *testing.T, addr string, key gossh.Signer, user string, env ...string) *sshTUI {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	client, err := dialSSH(raw, key, user)
	if err != nil {
		raw.Close()
		t.Fatalf("ssh login: %v", err)
	}
	c := &sshTUI{t: t, raw: raw, client: client, out: &syncBuffer{}, errOut: &syncBuffer{}}
	t.Cleanup(func() { client.Close() })
	if c.sess, err = client.NewSession(); err != nil {
		t.Fatal(err)
	}
	c.sess.Stdout, c.sess.Stderr = c.out, c.errOut
	if c.in, err = c.sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		if err := c.sess.Setenv(name, value); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.sess.RequestPty("xterm", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := c.sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitFor waits until the session has shown text, answering the colour
// queries as a terminal does meanwhile.
func (c *sshTUI) waitFor(text string, d time.Duration) {
	c.t.Helper()
	if !c.poll(text, d) {
		out := c.out.String()
		c.t.Fatalf("the session never showed %q in %v; its last output: %q (stderr %q)", text, d, out[max(0, len(out)-2000):], c.errOut.String())
	}
}

func (c *sshTUI) poll(text string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !strings.Contains(c.out.String(), text) {
		if !c.replied && strings.Contains(c.out.String(), "\x1b[c") {
			c.in.Write([]byte("\x1b]11;rgb:0000/0000/0000\a\x1b[?62;22c"))
			c.replied = true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

func (c *sshTUI) write(s string) {
	c.t.Helper()
	if _, err := c.in.Write([]byte(s)); err != nil {
		c.t.Fatalf("writing to the session: %v", err)
	}
}

// openReply waits for the inbox, opens the first conversation and waits
// for the reply box (enter again if the first one was read by the
// colour query).
func (c *sshTUI) openReply() {
	c.t.Helper()
	c.waitFor(fixtureCustomer, 15*time.Second)
	for try := 0; try < 20; try++ {
		c.write("\r")
		if c.poll("$EDITOR", time.Second) { // in the reply box's help
			return
		}
	}
	c.waitFor("$EDITOR", time.Second)
}

// reset drops the connection as a dead network does for the server: no
// goodbye at the SSH level, a TCP reset.
func (c *sshTUI) reset() {
	if tc, ok := c.raw.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.raw.Close()
}
