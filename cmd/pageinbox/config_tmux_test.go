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
	inner := shellQuote(bin) + " demo --people 0; echo EXITED:$?; sleep 30"
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(dir) +
		" TERM=xterm-256color PAGEINBOX_BELL=0 sh -c " + shellQuote(inner)
	p := startTmuxPane(t, tmux, filepath.Join(dir, "sock"), "/dev/null", command, "XDG_CONFIG_HOME=")

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
