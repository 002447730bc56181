package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/tui/thread"
)

// Defaults of the SSH server's limits (serve's flags).
const (
	defaultSSHLoginTimeout       = 30 * time.Second
	defaultSSHMaxSessions        = 64
	defaultSSHMaxUnauthenticated = 16
	sshKeepAlive                 = 15 * time.Second
	sshKeepAliveMisses           = 3
)

// sshOptions configure the SSH server.
type sshOptions struct {
	Addr, HostKeyPath, AuthorizedKeys string

	LoginTimeout       time.Duration // a connection without a session by then is closed
	MaxSessions        int           // live sessions at most; more are refused with a message
	MaxUnauthenticated int           // connections logging in at once at most
	KeepAlive          time.Duration // between keep-alives of a logged-in connection
	KeepAliveMisses    int           // unanswered intervals before it is closed

	Pictures thread.Pictures // image previews for the sessions' TUIs; nil: none
	Look     tuiLook         // the server's config.toml: keys, theme, time zone
}

func (o *sshOptions) setDefaults() {
	if o.LoginTimeout <= 0 {
		o.LoginTimeout = defaultSSHLoginTimeout
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = defaultSSHMaxSessions
	}
	if o.MaxUnauthenticated <= 0 {
		o.MaxUnauthenticated = defaultSSHMaxUnauthenticated
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = sshKeepAlive
	}
	if o.KeepAliveMisses <= 0 {
		o.KeepAliveMisses = sshKeepAliveMisses
	}
}

// sshServer serves the TUI itself over SSH: every session is its own Bubble
// Tea program, sized to that client's terminal and colour profile, on the
// daemon's shared backend, as the agent its key names. Only keys in the
// authorised keys get in; passwords are never accepted; nothing is ever
// run on the host for a session.
type sshServer struct {
	srv  *ssh.Server
	ln   net.Listener
	keys *authorizedKeys
	gate *connGate
	be   inbox.Agents
	log  *slog.Logger
	max  int64
	pics thread.Pictures
	look tuiLook
	live atomic.Int64 // sessions running the TUI

	mu       sync.Mutex
	closing  bool
	sessions sync.WaitGroup // handlers, so serve waits for drafts to be kept
}

func newSSHServer(o sshOptions, be inbox.Agents, log *slog.Logger) (*sshServer, error) {
	o.setDefaults()
	if o.AuthorizedKeys == "" {
		return nil, errors.New("--ssh-authorized-keys: no file given and no config dir to look in")
	}
	keys, err := newAuthorizedKeys(o.AuthorizedKeys, log)
	if err != nil {
		return nil, err
	}
	s := &sshServer{keys: keys, be: be, log: log, max: int64(o.MaxSessions), pics: o.Pictures, look: o.Look,
		gate: &connGate{timeout: o.LoginTimeout, max: o.MaxUnauthenticated, keepAlive: o.KeepAlive, misses: o.KeepAliveMisses, log: log}}
	srv, err := wish.NewServer(
		wish.WithAddress(o.Addr),
		wish.WithHostKeyPath(o.HostKeyPath), // created on first start, then kept
		wish.WithPublicKeyAuth(s.allowKey),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	srv.Handler = s.handle
	srv.ConnCallback = s.gate.accept
	srv.ServerConfigCallback = func(ctx ssh.Context) *gossh.ServerConfig {
		return &gossh.ServerConfig{AuthLogCallback: s.gate.authLog(ctx)}
	}
	s.srv = srv
	if s.ln, err = net.Listen("tcp", o.Addr); err != nil {
		return nil, fmt.Errorf("ssh: listen on %s: %w", o.Addr, err)
	}
	return s, nil
}

// allowKey lets in the keys of the authorised keys file as it is now.
func (s *sshServer) allowKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if _, ok := s.keys.lookup(key); ok {
		return true
	}
	s.log.Info("ssh: key not authorised", "key", gossh.FingerprintSHA256(key), "remote", ctx.RemoteAddr().String(), "ssh_user", ctx.User())
	return false
}

// Addr is the listening address.
func (s *sshServer) Addr() string { return s.ln.Addr().String() }

// Sessions is how many sessions are running the TUI, for /metrics.
func (s *sshServer) Sessions() int { return int(s.live.Load()) }

// Serve serves until ctx ends, then closes every connection and waits
// (a while) for the sessions to keep their drafts.
func (s *sshServer) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.srv.Close()
	s.ln.Close() // in case Serve had not taken it yet
	done := make(chan struct{})
	go func() { s.sessions.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.log.Warn("ssh: sessions still closing after 5 s")
	}
	if err := <-errc; err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		return err
	}
	return nil
}

// enter counts a session handler in, unless the server is closing.
func (s *sshServer) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.sessions.Add(1)
	return true
}
