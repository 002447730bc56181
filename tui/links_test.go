package tui

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// linksDriver is Amara's thread open with the thread pane focused, and
// the focus moved to the fallback attachment's message (10 back).
func linksDriver(t *testing.T) *driver {
	t.Helper()
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyTab)
	if !d.m.thread.Loaded() {
		t.Fatal("the thread did not open")
	}
	return d
}

const fallbackLink = "https://shop.example.com/orders/2291"

// Locally, o starts the desktop opener on the focused message's link,
// with Programs' environment only.
func TestOpenLinkLocallyRunsTheOpener(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PAGEINBOX_TEST_PARENT_ONLY", "must-not-leak")
	dump := filepath.Join(dir, "opened")
	opener := filepath.Join(dir, "opener.sh")
	script := "#!/bin/sh\nenv > " + dump + ".env\nprintf '%s' \"$1\" > " + dump + ".tmp && mv " + dump + ".tmp " + dump + "\n"
	if err := os.WriteFile(opener, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	d := linksDriver(t)
	d.m.opts.Programs = &Programs{Env: []string{"PATH=" + os.Getenv("PATH"), "KEPT=yes"}, Opener: opener}
	d.runes(strings.Repeat("[", 10))
	d.runes("o")
	var got []byte
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if got, err = os.ReadFile(dump); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the opener did not run: %v", err)
		}
	}
	if string(got) != fallbackLink {
		t.Errorf("opened %q, want %q", got, fallbackLink)
	}
	env, _ := os.ReadFile(dump + ".env")
	if !strings.Contains(string(env), "KEPT=yes") || strings.Contains(string(env), "must-not-leak") {
		t.Errorf("the opener's environment is not Programs.Env:\n%s", env)
	}
	if !strings.Contains(d.statusBar(), "opening "+fallbackLink) {
		t.Errorf("status bar: %q", d.statusBar())
	}
}

// Over SSH (no Programs), o starts nothing and shows the link instead.
func TestOpenLinkOverSSHShowsIt(t *testing.T) {
	d := linksDriver(t)
	d.runes(strings.Repeat("[", 10))
	d.runes("o")
	if !strings.Contains(d.statusBar(), "open on your machine: "+fallbackLink) {
		t.Errorf("status bar: %q", d.statusBar())
	}
	// A message without an attachment has nothing to open.
	d.runes("]")
	d.runes("o")
	if !strings.Contains(d.statusBar(), "no attachment to open") {
		t.Errorf("o on a message without an attachment, status bar: %q", d.statusBar())
	}
}

// y hands the focused message's text, or its link, to Options.Clipboard;
// without one it says copying is off.
func TestCopyGoesToTheClipboard(t *testing.T) {
	d := linksDriver(t)
	d.runes("y")
	if !strings.Contains(d.statusBar(), "copying is off") {
		t.Errorf("y without a clipboard, status bar: %q", d.statusBar())
	}
	var copied []string
	d.m.opts.Clipboard = func(s string) { copied = append(copied, s) }
	d.runes("y")
	d.runes(strings.Repeat("[", 10))
	d.runes("y")
	want := []string{"Returns are free within 30 days.", fallbackLink}
	if strings.Join(copied, "|") != strings.Join(want, "|") {
		t.Errorf("copied %q, want %q", copied, want)
	}
}

func TestOSC52(t *testing.T) {
	text := "hi \x1b]2;x\x07 olá"
	got := string(OSC52(text))
	enc, ok := strings.CutPrefix(got, "\x1b]52;c;")
	enc, ok2 := strings.CutSuffix(enc, "\x1b\\")
	if !ok || !ok2 {
		t.Fatalf("OSC52 = %q", got)
	}
	if dec, err := base64.StdEncoding.DecodeString(enc); err != nil || string(dec) != text {
		t.Fatalf("OSC52 payload %q decodes to %q, %v", enc, dec, err)
	}
}
