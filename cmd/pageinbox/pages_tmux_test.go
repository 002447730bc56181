package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// In a terminal, pages connect asks for the token without echoing it,
// then for the Pages by number: the token is never on the screen.
func TestPagesConnectPromptsWithoutEcho(t *testing.T) {
	tmux := requireTmux(t)
	r := newConnectRig(t)
	bin := buildTUIBinary(t)
	var envs []string
	for k, v := range r.env {
		envs = append(envs, shellQuote(k+"="+v))
	}
	inner := shellQuote(bin) + " pages connect; echo EXITED:$?; sleep 30"
	command := "exec env -i " + strings.Join(envs, " ") + " TERM=xterm-256color sh -c " + shellQuote(inner)
	p := startTmuxPane(t, tmux, filepath.Join(t.TempDir(), "sock"), "/dev/null", command)
	has := func(s string) func(screen) bool {
		return func(sc screen) bool { return strings.Contains(sc.text(), s) }
	}

	p.waitFor("the token prompt", 60*time.Second, has("User access token (not shown):"))
	if out, err := p.tmux("send-keys", "-t", "app", "-l", userTok); err != nil {
		t.Fatalf("send-keys: %v\n%s", err, out)
	}
	p.keys("Enter")
	p.waitFor("the numbered Pages", 30*time.Second, has("Pages to connect"))
	p.typeText("2")
	p.keys("Enter")
	s := p.waitFor("the end", 30*time.Second, has("EXITED:"))
	if !strings.Contains(s.text(), "EXITED:0") || !strings.Contains(s.text(), "connected Page Second Shop") {
		t.Fatalf("connect did not succeed:\n%s", s.text())
	}
	r.noTokens(t, s.text())
	if got := r.stored(t); len(got) != 1 || got[0].ID != pageB {
		t.Fatalf("stored %d Pages; want Page B alone", len(got))
	}

	// The process's own logs (stderr, --debug) carry no token either, in
	// connect and in the commands that use the file's tokens.
	var env []string
	for k, v := range r.env {
		env = append(env, k+"="+v)
	}
	for _, args := range [][]string{
		{"--debug", "pages", "connect", "--all"},
		{"--debug", "sync", "--page", pageB},
		{"--debug", "doctor", "--page", pageB},
		{"--debug", "pages", "list", "--check"},
	} {
		code, out, errOut, _ := e2eRun(t, bin, append(env, "FB_USER_TOKEN="+userTok), args...)
		r.noTokens(t, out+errOut)
		if args[1] != "doctor" && code != exitOK {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}
