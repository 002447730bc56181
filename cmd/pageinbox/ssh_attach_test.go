package main

import (
	"strings"
	"testing"
	"time"
)

// ctrl+a in an SSH session attaches nothing: the TUI runs on the server,
// so a path would name the server's files. The screen says why, no path
// input opens, and the reply goes on being typed.
func TestSSHCtrlAAttachesNothing(t *testing.T) {
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{}, authorizedLine(key, "ana@laptop"))
	s := startTUI(t, f.srv.Addr(), key, "ana")
	s.openReply()
	s.write("a reply")
	s.waitFor("a reply", 10*time.Second)
	s.write("\x01") // ctrl+a
	s.waitFor("attaching files is off in SSH sessions: the path would be on the server", 10*time.Second)
	s.write(" and more")
	s.waitFor("a reply and more", 10*time.Second)
	if strings.Contains(s.out.String(), "attach: ") {
		t.Errorf("a path input opened over SSH:\n%s", s.out.String())
	}
}
