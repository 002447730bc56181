package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSSHServesTheInboxToAuthorisedKeysOnly(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st.EnsurePages(ctx, []string{"P1"})
	st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: "P1", PSID: "u1", MID: "m1", Text: "Is the blue one in stock?", Time: time.Now()}})
	st.SetName(ctx, store.ConvKey{PageID: "P1", PSID: "u1"}, "Ana Souza")

	allowed, stranger := newKey(t), newKey(t)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(allowed.PublicKey()), 0o600)
	hostKey := filepath.Join(dir, "ssh_host_ed25519")
	start := func() (*sshServer, context.CancelFunc) {
		srv, err := newSSHServer(sshOptions{Addr: "127.0.0.1:0", HostKeyPath: hostKey, AuthorizedKeys: keys}, &inbox.Local{Store: st}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		sctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { srv.Serve(sctx); close(done) }()
		return srv, func() { stop(); <-done }
	}
	srv, stop := start()
	var hostKeys []string
	dial := func(auth gossh.AuthMethod) (*gossh.Client, error) {
		return gossh.Dial("tcp", srv.Addr(), &gossh.ClientConfig{User: "ana", Auth: []gossh.AuthMethod{auth}, Timeout: 5 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
				hostKeys = append(hostKeys, gossh.FingerprintSHA256(k))
				return nil
			}})
	}

	client, err := dial(gossh.PublicKeys(allowed))
	if err != nil {
		t.Fatalf("authorised key refused: %v", err)
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	sess.Stdout = &out
	stdin, _ := sess.StdinPipe()
	if err := sess.RequestPty("xterm", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	// Answer the colour queries as a terminal does (the renderer asks for
	// the background and the device attributes).
	answered := false
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Ana Souza") || !strings.Contains(out.String(), "Is the blue one") {
		if time.Now().After(deadline) {
			t.Fatalf("the inbox never rendered over SSH; got %q", out.String())
		}
		if !answered && strings.Contains(out.String(), "\x1b[c") {
			stdin.Write([]byte("\x1b]11;rgb:0000/0000/0000\a\x1b[?62;22c"))
			answered = true
		}
		time.Sleep(20 * time.Millisecond)
	}
	stdin.Write([]byte("q"))
	waited := make(chan error, 1)
	go func() { waited <- sess.Wait() }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Error("the session did not end after q")
	}
	client.Close()

	if _, err := dial(gossh.PublicKeys(stranger)); err == nil {
		t.Error("an unknown key got in")
	}
	if _, err := dial(gossh.Password("hunter2")); err == nil {
		t.Error("a password got in")
	}
	if _, err := dial(gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return []string{"x"}, nil })); err == nil {
		t.Error("keyboard-interactive got in")
	}
	stop()

	// The host key was created once and is kept across restarts.
	srv, stop = start()
	defer stop()
	c2, err := dial(gossh.PublicKeys(allowed))
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if hostKeys[0] != hostKeys[len(hostKeys)-1] {
		t.Errorf("host key changed across restarts: %s then %s", hostKeys[0], hostKeys[len(hostKeys)-1])
	}
	if fi, err := os.Stat(hostKey); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("host key file: %v %v", fi, err)
	}
}
