package main

import (
	"bufio"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// The limits serve promises by default: 30 s to log in, 64 sessions, 16
// connections logging in at once.
func TestSSHLimitDefaults(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	setupServe(fs)
	for name, want := range map[string]string{"ssh-login-timeout": "30s", "ssh-max-sessions": "64", "ssh-max-unauthenticated": "16"} {
		if f := fs.Lookup(name); f == nil || f.DefValue != want {
			t.Errorf("--%s default = %v, want %s", name, f, want)
		}
	}
	var o sshOptions
	o.setDefaults()
	if o.LoginTimeout != 30*time.Second || o.MaxSessions != 64 || o.MaxUnauthenticated != 16 || o.KeepAlive <= 0 || o.KeepAliveMisses <= 0 {
		t.Errorf("zero sshOptions become %+v", o)
	}
}

// idleConns opens n TCP connections that never say anything, and sends
// on closed what the server wrote to each once it closes it.
func idleConns(t *testing.T, addr string, n int) (closed chan string) {
	t.Helper()
	closed = make(chan string, n)
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		go func() {
			b, _ := io.ReadAll(c) // until the server closes it
			closed <- string(b)
		}()
	}
	return closed
}

// 40 connections that connect and say nothing are all closed by the
// server once the login timeout passes; a connection that logged in and
// runs a session is not.
func TestSSHIdleConnectionsClosedAfterLoginTimeout(t *testing.T) {
	const timeout = 3 * time.Second
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{LoginTimeout: timeout, MaxUnauthenticated: 64}, authorizedLine(key, "ana@laptop"))
	working := startTUI(t, f.srv.Addr(), key, "ana")
	working.waitFor(fixtureCustomer, 15*time.Second)

	start := time.Now()
	closed := idleConns(t, f.srv.Addr(), 40)
	deadline := time.After(timeout + 30*time.Second)
	for n := 0; n < 40; n++ {
		select {
		case got := <-closed:
			if !strings.HasPrefix(got, "SSH-2.0-") {
				t.Errorf("an idle connection read %q: turned away, not timed out", got)
			}
		case <-deadline:
			t.Fatalf("%d of 40 idle connections closed by the server %v after they opened (login timeout %v)", n, time.Since(start), timeout)
		}
	}
	if took := time.Since(start); took < timeout {
		t.Errorf("idle connections closed after %v, before the login timeout of %v", took, timeout)
	}
	t.Logf("40 idle connections closed %v after they opened (login timeout %v)", time.Since(start).Round(time.Millisecond), timeout)
	if n := strings.Count(f.logs.String(), "no session within the login timeout"); n != 40 {
		t.Errorf("%d closings logged, want 40", n)
	}

	// The session that logged in before them is still served.
	working.openReply()
	working.write("still here")
	working.waitFor("still here", 10*time.Second)
}

// At most MaxUnauthenticated connections may be logging in: the next one
// reads why it is turned away, and a slot comes back when one of them
// goes. A logged-in connection holds none (three get in beside one).
func TestSSHCapsConnectionsLoggingIn(t *testing.T) {
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{MaxUnauthenticated: 3, LoginTimeout: time.Minute}, authorizedLine(key, "ana@laptop"))
	in := startTUI(t, f.srv.Addr(), key, "ana") // logged in: not counted
	in.waitFor(fixtureCustomer, 15*time.Second)

	banner := func(c net.Conn) string {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("reading the server's first line: %v", err)
		}
		return line
	}
	var waiting []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", f.srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if line := banner(c); !strings.HasPrefix(line, "SSH-2.0-") {
			t.Fatalf("connection %d of 3 got %q, want the SSH version line", len(waiting)+1, line)
		}
		waiting = append(waiting, c)
	}
	over, err := net.Dial("tcp", f.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer over.Close()
	if line := banner(over); line != tooManyLogins[:len(tooManyLogins)-1] && line != tooManyLogins {
		t.Fatalf("the fourth connection logging in got %q, want %q", line, tooManyLogins)
	}
	if _, err := over.Read(make([]byte, 1)); err == nil {
		t.Error("the refused connection was left open")
	}
	if !strings.Contains(f.logs.String(), "too many logging in") {
		t.Error("the refusal is not logged")
	}

	// One of the three goes: a new connection gets in (its slot is given
	// back when the server sees the close, so try until then).
	waiting[0].Close()
	waitUntil(t, 10*time.Second, "a login slot after one connection left", func() bool {
		c, err := net.Dial("tcp", f.srv.Addr())
		if err != nil {
			return false
		}
		defer c.Close()
		return strings.HasPrefix(banner(c), "SSH-2.0-")
	})
}

// dialWithin logs in over a fresh connection.
func dialWithin(addr string, key gossh.Signer, user string) (*gossh.Client, error) {
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c, err := dialSSH(raw, key, user)
	if err != nil {
		raw.Close()
	}
	return c, err
}

// A session over the cap is refused with a message and exit status 1;
// when a session ends, its place is free again.
func TestSSHSessionCap(t *testing.T) {
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{MaxSessions: 2}, authorizedLine(key, "ana@laptop"))
	a := startTUI(t, f.srv.Addr(), key, "ana")
	b := startTUI(t, f.srv.Addr(), key, "ana")
	a.waitFor(fixtureCustomer, 15*time.Second)
	b.waitFor(fixtureCustomer, 15*time.Second)
	if n := f.srv.Sessions(); n != 2 {
		t.Fatalf("Sessions() = %d with two open", n)
	}
	c := startTUI(t, f.srv.Addr(), key, "ana")
	err := c.sess.Wait()
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("the third session ended with %v, want exit status 1", err)
	}
	if got := c.errOut.String(); !strings.Contains(got, "2 sessions are open, the most this server allows") {
		t.Errorf("the third session was told %q", got)
	}
	if !strings.Contains(f.logs.String(), "session cap is reached") {
		t.Error("the refusal is not logged")
	}

	a.write("q")
	if err := a.sess.Wait(); err != nil {
		t.Errorf("the first session did not end cleanly after q: %v", err)
	}
	waitUntil(t, 10*time.Second, "one session left", func() bool { return f.srv.Sessions() == 1 })
	d := startTUI(t, f.srv.Addr(), key, "ana")
	d.waitFor(fixtureCustomer, 15*time.Second)
}

// The agent is the key's comment, whatever user name the client sends;
// a key without a comment is its fingerprint. Logs name the key by its
// fingerprint, refused keys too; drafts are the agent's.
func TestSSHAgentIsTheKeysComment(t *testing.T) {
	ana, bare, stranger := newKey(t), newKey(t), newKey(t)
	f := newSSHFixture(t, sshOptions{}, authorizedLine(ana, "ana@laptop"), "# a comment line", "not a key at all",
		authorizedLine(bare, ""))
	anaFP, bareFP := gossh.FingerprintSHA256(ana.PublicKey()), gossh.FingerprintSHA256(bare.PublicKey())

	s := startTUI(t, f.srv.Addr(), ana, "root")
	s.openReply()
	s.write("draft by ana")
	s.waitFor("draft by ana", 10*time.Second)
	f.presence.waitAgents(t, f.conv, 1, 10*time.Second)
	if got := f.presence.agents(f.conv)[0].Name; got != "ana" {
		t.Errorf("present as %q, want ana (the key's comment, not the user name root)", got)
	}
	s.write("\x1b") // esc saves the draft
	waitUntil(t, 10*time.Second, "ana's draft saved", func() bool {
		d, _ := f.st.Draft(t.Context(), "ana", f.conv)
		return d == "draft by ana"
	})
	if d, _ := f.st.Draft(t.Context(), "root", f.conv); d != "" {
		t.Errorf("the draft was saved for the user name root too: %q", d)
	}
	s.write("q")
	f.presence.waitAgents(t, f.conv, 0, 10*time.Second)

	b := startTUI(t, f.srv.Addr(), bare, "ana") // claims to be ana
	b.openReply()
	f.presence.waitAgents(t, f.conv, 1, 10*time.Second)
	if got := f.presence.agents(f.conv)[0].Name; got != bareFP {
		t.Errorf("a key without a comment is present as %q, want its fingerprint %s", got, bareFP)
	}

	if _, err := dialWithin(f.srv.Addr(), stranger, "ana"); err == nil {
		t.Error("a key not in the file got in")
	}
	logs := f.logs.String()
	for _, want := range []string{
		`msg="ssh: session started" agent=ana key=` + anaFP,
		`msg="ssh: session started" agent=` + bareFP + " key=" + bareFP,
		`msg="ssh: key not authorised" key=` + gossh.FingerprintSHA256(stranger.PublicKey()),
		"lines=[3]", // "not a key at all"
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
}

// The file is read again at each login: a key added gets in without a
// restart, a key removed no longer does.
func TestSSHAuthorizedKeysReread(t *testing.T) {
	ana, ben := newKey(t), newKey(t)
	f := newSSHFixture(t, sshOptions{}, authorizedLine(ana, "ana@laptop"))
	if _, err := dialWithin(f.srv.Addr(), ben, "ben"); err == nil {
		t.Fatal("ben got in before his key was added")
	}
	if err := os.WriteFile(f.keysFile, []byte(authorizedLine(ben, "ben@desk")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := dialWithin(f.srv.Addr(), ben, "ben")
	if err != nil {
		t.Fatalf("ben's key added: %v", err)
	}
	c.Close()
	if _, err := dialWithin(f.srv.Addr(), ana, "ana"); err == nil {
		t.Error("ana got in after her key was removed")
	}
	os.Remove(f.keysFile)
	if _, err := dialWithin(f.srv.Addr(), ben, "ben"); err == nil {
		t.Error("a key got in with the authorised keys file gone")
	}
}

func TestAgentFromComment(t *testing.T) {
	for comment, want := range map[string]string{
		"ana@laptop":            "ana",
		"  Ana Souza ":          "Ana Souza",
		"":                      "SHA256:fp",
		"@host":                 "SHA256:fp",
		"ev\x1b]2;x\ail@x":      "ev]2;xil",
		"\u202eana":             "ana",
		strings.Repeat("a", 80): strings.Repeat("a", 64),
	} {
		if got := agentFromComment(comment, "SHA256:fp"); got != want {
			t.Errorf("agentFromComment(%q) = %q, want %q", comment, got, want)
		}
	}
}

// ctrl+e in an SSH session starts nothing on the server: with $EDITOR and
// $VISUAL naming a program that would leave a mark, the footer says why
// and no mark, and no draft file for an editor, ever appears.
func TestSSHCtrlEStartsNoProgram(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "editor-ran")
	editor := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nenv > "+marker+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp")
	os.Mkdir(tmp, 0o700)
	t.Setenv("EDITOR", editor)
	t.Setenv("VISUAL", editor)
	t.Setenv("TMPDIR", tmp)
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{}, authorizedLine(key, "ana@laptop"))
	s := startTUI(t, f.srv.Addr(), key, "ana")
	s.openReply()
	s.write("a reply")
	s.waitFor("a reply", 10*time.Second)
	s.write("\x05") // ctrl+e
	s.waitFor("the editor is off in SSH sessions: it would run on the server", 10*time.Second)
	// The session goes on: what is typed next shows.
	s.write(" and more")
	s.waitFor("a reply and more", 10*time.Second)
	if _, err := os.Stat(marker); err == nil {
		b, _ := os.ReadFile(marker)
		t.Fatalf("ctrl+e over SSH ran $EDITOR on the server, with this environment:\n%s", b)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("files written for an editor: %v", left)
	}
}

// A peer that vanishes without a word (no FIN, no RST: a closed lid) is
// found by keep-alives: its connection is closed, the session ends, the
// draft it was writing is kept and it leaves the presence board.
func TestSSHKeepAlivesEndASilentPeer(t *testing.T) {
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{KeepAlive: 250 * time.Millisecond, KeepAliveMisses: 12}, authorizedLine(key, "ana@laptop"))
	proxy := newBlackholeProxy(t, f.srv.Addr())
	s := startTUI(t, proxy.addr, key, "ana")
	s.openReply()
	s.write("typed before the lid closed")
	s.waitFor("typed before the lid closed", 10*time.Second)
	f.presence.waitAgents(t, f.conv, 1, 10*time.Second)

	proxy.silence() // both ways; the sockets stay open
	waitUntil(t, 20*time.Second, "the session to end", func() bool { return f.srv.Sessions() == 0 })
	f.presence.waitAgents(t, f.conv, 0, 10*time.Second)
	waitUntil(t, 10*time.Second, "the draft kept", func() bool {
		d, _ := f.st.Draft(t.Context(), "ana", f.conv)
		return d == "typed before the lid closed"
	})
	if !strings.Contains(f.logs.String(), "the peer stopped answering keep-alives") {
		t.Errorf("the log does not say why the connection was closed")
	}
}

// blackholeProxy relays TCP to a server until silenced; then it reads and
// drops everything, both ways, and keeps the sockets open.
type blackholeProxy struct {
	addr   string
	mu     sync.Mutex
	silent bool
}

func newBlackholeProxy(t *testing.T, target string) *blackholeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &blackholeProxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			t.Cleanup(func() { c.Close(); s.Close() })
			go p.relay(c, s)
			go p.relay(s, c)
		}
	}()
	return p
}

func (p *blackholeProxy) relay(from, to net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		silent := p.silent
		p.mu.Unlock()
		if !silent {
			to.Write(buf[:n])
		}
	}
}

func (p *blackholeProxy) silence() {
	p.mu.Lock()
	p.silent = true
	p.mu.Unlock()
}

// The keys' agents can be assigned conversations: they are among the
// inbox's agents, as the file holds them now.
func TestSSHAgentsAreAssignable(t *testing.T) {
	ana, ben := newKey(t), newKey(t)
	f := newSSHFixture(t, sshOptions{}, authorizedLine(ana, "ana@laptop")+"\n"+authorizedLine(ben, "ben@desk"))
	got := f.srv.keys.agents()
	slices.Sort(got)
	if !slices.Equal(got, []string{"ana", "ben"}) {
		t.Fatalf("agents of the keys: %v, want [ana ben]", got)
	}
	os.Remove(f.keysFile)
	if got := f.srv.keys.agents(); len(got) != 0 {
		t.Errorf("with the file gone: %v, want none", got)
	}
}
