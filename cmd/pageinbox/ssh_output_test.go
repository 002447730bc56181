package main

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/ssh"
)

// overlapSession is an SSH session (no real pty) whose Write notices a
// second Write entering before the first left: what x/crypto/ssh's channel
// cannot take.
type overlapSession struct {
	ssh.Session
	in, overlaps atomic.Int32
	writes       atomic.Int32
}

func (s *overlapSession) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	return ssh.Pty{Term: "xterm"}, nil, true
}
func (s *overlapSession) EmulatedPty() bool { return true }
func (s *overlapSession) Environ() []string { return nil }

func (s *overlapSession) Write(p []byte) (int, error) {
	if s.in.Add(1) > 1 {
		s.overlaps.Add(1)
	}
	for range 200 { // long enough for another writer to arrive
		s.writes.Load()
	}
	s.writes.Add(1)
	s.in.Add(-1)
	return len(p), nil
}

// The bell, the title, notifications and the clipboard (several commands
// at once) and the renderer all write through sessionOutput's writer, one
// at a time.
func TestSessionOutputWritesOneAtATime(t *testing.T) {
	sess := &overlapSession{}
	out, opts := sessionOutput(sess)
	if len(opts) < 3 {
		t.Fatalf("%d program options: the program's output must be the same writer", len(opts))
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				out.Write([]byte{'\a'})
			}
		}()
	}
	wg.Wait()
	if n := sess.overlaps.Load(); n != 0 || sess.writes.Load() != 4000 {
		t.Errorf("%d overlapping writes of %d", n, sess.writes.Load())
	}
}
