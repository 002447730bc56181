package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/tui"
)

// handle serves one SSH session: the TUI, for the agent its key names,
// within the session cap. Whatever ends it (q, the client closing the
// session, the connection dropping) the draft is kept, the agent leaves
// the presence board and the session's goroutines and change feed end.
func (s *sshServer) handle(sess ssh.Session) {
	if !s.enter() {
		return
	}
	defer s.sessions.Done()
	var key sshKey
	ok := sess.PublicKey() != nil
	if ok {
		key, ok = s.keys.lookup(sess.PublicKey())
	}
	if !ok {
		refuse(sess, "this key is no longer authorised")
		return
	}
	_, winch, isPty := sess.Pty()
	if !isPty {
		refuse(sess, "the inbox needs a terminal (ssh -t)")
		return
	}
	log := s.log.With("agent", key.Agent, "key", key.Fingerprint, "remote", sess.RemoteAddr().String())
	if !s.takeSession() {
		log.Warn("ssh: session refused: the session cap is reached", "max", s.max)
		refuse(sess, fmt.Sprintf("%d sessions are open, the most this server allows; try again later", s.max))
		return
	}
	defer s.live.Add(-1)
	s.gate.sessionStarted(sess.Context())
	log.Info("ssh: session started", "ssh_user", sess.User())
	start := time.Now()
	err := s.runTUI(sess, winch, key, log)
	log.Info("ssh: session ended", "after", time.Since(start).Round(time.Second), "err", err)
}

// takeSession counts a session in if the cap allows.
func (s *sshServer) takeSession() bool {
	for {
		n := s.live.Load()
		if n >= s.max {
			return false
		}
		if s.live.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func refuse(sess ssh.Session, why string) { wish.Fatalln(sess, "pageinbox: "+why) }

// runTUI runs the inbox on the session until it ends. The TUI gets no
// Programs: ctrl+e and anything else that would start a program says why
// not, since it would run here, on the server.
func (s *sshServer) runTUI(sess ssh.Session, winch <-chan ssh.Window, key sshKey, log *slog.Logger) error {
	agent := inbox.NewAgent(key.Agent)
	out, outOpts := sessionOutput(sess)
	m := tui.New(s.look.apply(tui.Options{
		Backend:  s.be.As(agent),
		Agent:    agent,
		Renderer: bm.MakeRenderer(sess),
		Logger:   log,
		Bell:     func() { out.Write([]byte{'\a'}) },
		// The title and desktop notifications the agent asked for with SetEnv.
		Notify:   sshNotify(sess.Environ()),
		Terminal: func(seq []byte) { out.Write(seq) },
		Pictures: s.pics,
		// y copies to the agent's own clipboard, through their terminal.
		Clipboard: func(text string) { out.Write(tui.OSC52(text)) },
	}))
	ctx, cancel := context.WithCancel(sess.Context()) // ends when the connection does
	defer cancel()
	opts := append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx)}, outOpts...)
	p := tea.NewProgram(m, opts...)
	go followWindow(ctx, p, winch)
	_, err := p.Run()
	cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ccancel()
	if cerr := m.Close(cctx); cerr != nil {
		log.Warn("ssh: keeping the draft and leaving", "err", cerr)
	}
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil // the connection went: the usual end of a dropped session
	}
	return err
}

// sessionOutput is where the program draws on the session and the one way
// to write to it: the bell, the title, notifications and the clipboard are
// written from commands while the renderer draws, and an SSH channel is not
// safe for concurrent writes (x/crypto/ssh shares one packet buffer). With
// a real pty the program draws on its slave, a file, which takes one write
// at a time; otherwise every write to the session takes a lock.
func sessionOutput(sess ssh.Session) (io.Writer, []tea.ProgramOption) {
	opts := bm.MakeOptions(sess)
	if pty, _, ok := sess.Pty(); ok && !sess.EmulatedPty() && pty.Slave != nil {
		return pty.Slave, opts
	}
	out := &lockedWriter{w: sess}
	return out, append(opts, tea.WithOutput(out))
}

// lockedWriter lets one Write at a time through to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// followWindow passes the client's window changes to the program, and
// quits it when the session's channel closes under it (the connection
// may live on, for other sessions).
func followWindow(ctx context.Context, p *tea.Program, winch <-chan ssh.Window) {
	for {
		select {
		case <-ctx.Done():
			return
		case w, ok := <-winch:
			if !ok {
				p.Quit()
				return
			}
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		}
	}
}

// sshNotify is what an SSH session's agent asked for with SetEnv
// (PAGEINBOX_NOTIFY_DESKTOP, PAGEINBOX_TITLE=1, TMUX): the title and
// desktop notifications reach their terminal through the session. Never
// a command: it would run here, on the server.
func sshNotify(environ []string) tui.Notify {
	get := func(name string) string {
		v := ""
		for _, kv := range environ {
			if k, val, ok := strings.Cut(kv, "="); ok && k == name {
				v = val
			}
		}
		return v
	}
	n := tui.Notify{Desktop: get("PAGEINBOX_NOTIFY_DESKTOP"), Title: get("PAGEINBOX_TITLE") == "1", Tmux: get("TMUX") != ""}
	if n.Check() != nil {
		n.Desktop = tui.DesktopOff // the agent's typo: no notifications rather than no session
	}
	return n
}
