package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// connGate looks after the SSH server's connections below the sessions:
// at most max of them may be logging in at once (the rest are turned away
// with a line saying so), each is closed unless a session starts within
// timeout, and once one has, keep-alives find a peer that went away
// without a word (a closed lid, a dead network) and close it, which ends
// its sessions.
type connGate struct {
	timeout   time.Duration
	max       int
	keepAlive time.Duration // between keep-alives; 0: none
	misses    int           // keep-alive intervals without an answer before the connection is closed
	log       *slog.Logger

	mu      sync.Mutex
	pending int // connections not yet logged in
}

// connState is one connection's standing with the gate.
type connState struct {
	gate    *connGate
	remote  string
	timer   *time.Timer // closes the connection if no session starts in time
	pending sync.Once   // gives the connection's login slot back
	started sync.Once   // the first session started: keep-alives run
}

type connStateKey struct{}

// tooManyLogins is what a connection over the cap reads before it is
// closed (lines before the SSH version line are allowed: RFC 4253 4.2).
const tooManyLogins = "pageinbox: too many connections are logging in at once; try again in a moment\r\n"

// accept is the server's ConnCallback: it admits conn while fewer than
// max are logging in, and starts its login clock.
func (g *connGate) accept(ctx ssh.Context, conn net.Conn) net.Conn {
	remote := conn.RemoteAddr().String()
	g.mu.Lock()
	if g.pending >= g.max {
		g.mu.Unlock()
		g.log.Warn("ssh: connection refused: too many logging in", "remote", remote, "max", g.max)
		turnAway(conn, tooManyLogins)
		return nil
	}
	g.pending++
	g.mu.Unlock()
	st := &connState{gate: g, remote: remote}
	st.timer = time.AfterFunc(g.timeout, func() {
		g.log.Info("ssh: connection closed: no session within the login timeout", "remote", remote, "timeout", g.timeout)
		conn.Close()
	})
	ctx.SetValue(connStateKey{}, st)
	context.AfterFunc(ctx, func() { // the connection ended, however
		st.timer.Stop()
		st.loggedIn()
	})
	return conn
}

// turnAway writes why and closes conn, reading what the client sent
// meanwhile (for up to a second) so that it sees the connection closed,
// not reset.
func turnAway(conn net.Conn, why string) {
	conn.SetDeadline(time.Now().Add(time.Second))
	conn.Write([]byte(why))
	if c, ok := conn.(interface{ CloseWrite() error }); ok {
		c.CloseWrite()
	}
	io.Copy(io.Discard, conn)
	conn.Close()
}

// loggedIn gives the connection's login slot back (once).
func (st *connState) loggedIn() {
	st.pending.Do(func() {
		st.gate.mu.Lock()
		st.gate.pending--
		st.gate.mu.Unlock()
	})
}

// authLog is the ServerConfig's AuthLogCallback: a method that succeeded
// means the client proved its key (a mere query never gets here), so the
// connection no longer counts as logging in.
func (g *connGate) authLog(ctx ssh.Context) func(gossh.ConnMetadata, string, error) {
	return func(_ gossh.ConnMetadata, method string, err error) {
		if st, ok := ctx.Value(connStateKey{}).(*connState); ok && err == nil && method == "publickey" {
			st.loggedIn()
		}
	}
}

// sessionStarted stops the login clock of the session's connection and,
// the first time, starts its keep-alives.
func (g *connGate) sessionStarted(ctx ssh.Context) {
	st, ok := ctx.Value(connStateKey{}).(*connState)
	if !ok {
		return
	}
	st.timer.Stop()
	st.loggedIn()
	conn, ok := ctx.Value(ssh.ContextKeyConn).(*gossh.ServerConn)
	if !ok || g.keepAlive <= 0 {
		return
	}
	st.started.Do(func() { go g.keepAlives(ctx, conn, st.remote) })
}

// keepAlives asks the peer for an answer every keepAlive and closes the
// connection when none comes within misses intervals, or the asking
// fails. It returns when the connection ends.
func (g *connGate) keepAlives(ctx context.Context, conn *gossh.ServerConn, remote string) {
	tick := time.NewTicker(g.keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := g.ping(ctx, conn); err != nil {
			if ctx.Err() == nil {
				g.log.Info("ssh: connection closed", "remote", remote, "why", err)
			}
			conn.Close()
			return
		}
	}
}

var errNoAnswer = errors.New("the peer stopped answering keep-alives")

// ping sends one keep-alive and waits for its answer (OpenSSH answers
// "unknown request", which is an answer).
func (g *connGate) ping(ctx context.Context, conn *gossh.ServerConn) error {
	answered := make(chan error, 1)
	go func() { // ends with the connection at the latest
		_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
		answered <- err
	}()
	wait := time.NewTimer(g.keepAlive * time.Duration(g.misses))
	defer wait.Stop()
	select {
	case err := <-answered:
		return err
	case <-wait.C:
		return errNoAnswer
	case <-ctx.Done():
		return ctx.Err()
	}
}
