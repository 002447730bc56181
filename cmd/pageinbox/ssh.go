package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/activeterm"
	bm "github.com/charmbracelet/wish/bubbletea"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui"
)

// sshServer serves the TUI itself over SSH: every session is its own Bubble
// Tea program, sized to that client's terminal and colour profile, on the
// daemon's shared backend. Only keys in authorizedKeys get in; passwords
// are never accepted.
type sshServer struct {
	srv *ssh.Server
	ln  net.Listener
}

func newSSHServer(addr, hostKeyPath, authorizedKeys string, be inbox.Agents, log *slog.Logger) (*sshServer, error) {
	if authorizedKeys == "" {
		return nil, errors.New("--ssh-authorized-keys: no file given and no config dir to look in")
	}
	if _, err := os.Stat(authorizedKeys); err != nil {
		return nil, fmt.Errorf("--ssh-authorized-keys %s: %w (list the public keys allowed in, one per line)", authorizedKeys, err)
	}
	handler := func(sess ssh.Session) (tea.Model, []tea.ProgramOption) {
		// Each session is an agent of its own, on the shared store and board.
		agent := store.Agent{ID: fmt.Sprintf("%s@%s", sess.User(), sess.RemoteAddr()), Name: sess.User()}
		m := tui.New(tui.Options{
			Backend:  be.As(agent),
			Agent:    agent,
			Renderer: bm.MakeRenderer(sess),
			Logger:   log.With("ssh_user", sess.User()),
			Bell:     func() { sess.Write([]byte{'\a'}) },
		})
		return m, []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion()}
	}
	srv, err := wish.NewServer(
		wish.WithAddress(addr),
		wish.WithHostKeyPath(hostKeyPath), // created on first start, then kept
		wish.WithAuthorizedKeys(authorizedKeys),
		wish.WithMiddleware(
			bm.Middleware(handler),
			activeterm.Middleware(), // a TUI needs a terminal: refuse sessions without a PTY
			logSessions(log),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ssh: listen on %s: %w", addr, err)
	}
	return &sshServer{srv: srv, ln: ln}, nil
}

// logSessions logs who came in and when they left (runs first: wish
// composes middleware last to first).
func logSessions(log *slog.Logger) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			log.Info("ssh: session started", "user", sess.User(), "remote", sess.RemoteAddr().String())
			next(sess)
			log.Info("ssh: session ended", "user", sess.User())
		}
	}
}

// Addr is the listening address.
func (s *sshServer) Addr() string { return s.ln.Addr().String() }

// Serve serves until ctx ends.
func (s *sshServer) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5e9)
	defer cancel()
	s.srv.Shutdown(sctx)
	if err := <-errc; err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		return err
	}
	return nil
}
