package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestReboundKeysInTmux runs the demo's TUI in tmux with a config file
// that rebinds down to n (note moves to N) and quit to Q: n moves the
// cursor, q no longer quits, the ? screen shows the new keys, and Q quits.
func TestReboundKeysInTmux(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildTUIBinary(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, ".config", "pageinbox", "config.toml")
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		t.Fatal(err)
	}
	doc := "[keys]\ndown = [\"n\", \"down\"]\nnote = [\"N\"]\nquit = [\"Q\"]\n"
	if err := os.WriteFile(conf, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &tmuxPane{t: t, bin: tmux, sock: filepath.Join(dir, "sock")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TMUX") && !strings.HasPrefix(kv, "PAGEINBOX_") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			p.env = append(p.env, kv)
		}
	}
	inner := shellQuote(bin) + " demo --people 0; echo EXITED:$?; sleep 30"
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(dir) +
		" TERM=xterm-256color PAGEINBOX_BELL=0 sh -c " + shellQuote(inner)
	if out, err := p.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "36", command); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { p.tmux("kill-server") })
	t.Cleanup(func() {
		if t.Failed() {
			if s, err := p.capture(); err == nil {
				p.last = s
			}
			t.Logf("last capture of the pane:\n%s", p.last.text())
		}
	})

	s := p.waitFor("the seeded conversations, the first under the cursor", 30*time.Second, func(s screen) bool {
		rows := rowNames(s.listRows())
		return len(rows) >= 3 && s.headerName() == rows[0]
	})
	second := rowNames(s.listRows())[1]
	p.keys("n")
	p.waitFor("n to move the cursor to "+second, 10*time.Second, func(s screen) bool { return s.headerName() == second })

	p.keys("q", "?")
	quitHelp := regexp.MustCompile(`Q\s+quit`)
	const keysScreen = "(any key closes)"
	s = p.waitFor("the help screen", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), keysScreen) })
	if strings.Contains(s.text(), "EXITED") {
		t.Fatal("q still quit the TUI")
	}
	if !quitHelp.MatchString(s.text()) || !regexp.MustCompile(`n/down\s+down`).MatchString(s.text()) {
		t.Errorf("the help screen does not show Q for quit and n/down for down")
	}
	p.keys("Escape")
	p.waitFor("the help screen closed", 10*time.Second, func(s screen) bool { return !strings.Contains(s.text(), keysScreen) })
	p.keys("Q")
	p.waitFor("Q to quit the TUI (exit 0)", 15*time.Second, func(s screen) bool { return strings.Contains(s.text(), "EXITED:0") })
}
