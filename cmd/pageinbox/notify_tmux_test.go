package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pageinbox/pageinbox/webhook"
)

// TestNotifyInTmux runs the inbox in a tmux pane (allow-rename and
// allow-passthrough on), with the title on, a notify command that writes
// down its arguments and environment, and every secret in the
// environment. A customer's message with escape sequences in it arrives
// by webhook: tmux's pane title and window name carry the new unread
// count, the command ran without any secret and with inert arguments, and
// quitting clears the title. Skipped with -short; fails without tmux.
func TestNotifyInTmux(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildTUIBinary(t)
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	seedDataDir(t, dataDir, e2ePage, "Rui Costa", "Do you ship to Porto?")
	dump := filepath.Join(dir, "notified")
	script := filepath.Join(dir, "notify.sh")
	body := "#!/bin/sh\nenv > " + shellQuote(dump+".env") + "\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " +
		shellQuote(dump+".tmp") + " && mv " + shellQuote(dump+".tmp") + " " + shellQuote(dump) + "\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "tmux.conf")
	os.WriteFile(conf, []byte("set -g allow-rename on\nset -g allow-passthrough on\n"), 0o600)
	appSecret := "notify-app-secret"
	secrets := map[string]string{
		"PAGE_ACCESS_TOKEN": "EAAB-page-token-notify", "APP_SECRET": appSecret,
		"VERIFY_TOKEN": "verify-token-notify", "PAGEINBOX_API_TOKEN": "api-token-notify",
	}
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(dir) +
		" TMUX=\"$TMUX\" TERM=xterm-256color PAGEINBOX_BELL=0 PAGEINBOX_TITLE=1 PAGE_ID=" + e2ePage + " KEPT_FOR_THE_COMMAND=yes" +
		" PAGEINBOX_NOTIFY_COMMAND=" + shellQuote(`["`+script+`", "{name}", "{text}", "{count}"]`)
	for name, value := range secrets {
		command += " " + name + "=" + shellQuote(value)
	}
	inner := shellQuote(bin) + " --data " + shellQuote(dataDir) + " --listen " + listen + " --graph-url http://127.0.0.1:1; echo EXITED:$?; sleep 5"
	command += " sh -c " + shellQuote(inner)
	p := startTmuxPane(t, tmux, filepath.Join(dir, "sock"), conf, command)
	titles := func() (pane, window string) {
		out, _ := p.tmux("display-message", "-p", "-t", "app", "#{pane_title}\t#{window_name}")
		pane, window, _ = strings.Cut(strings.TrimSuffix(out, "\n"), "\t")
		return pane, window
	}
	waitTitles := func(what, want string, ok func(pane, window string) bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			pane, window := titles()
			if ok(pane, window) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: pane title %q, window name %q, want %q", what, pane, window, want)
			}
		}
	}
	is := func(want string) func(string, string) bool {
		return func(pane, window string) bool { return pane == want && window == want }
	}
	p.waitFor("the conversation", 30*time.Second, func(s screen) bool { return strings.Contains(s.text(), "Rui Costa") })
	waitTitles("one unread", "pageinbox (1)", is("pageinbox (1)"))

	msg := `{"mid":"m.hostile","text":"\u001b]2;pwned\u0007 -rf \u001b[2J\u202eexe.txt"}`
	hook := e2eBody(e2eInbound("u2", time.Now().UnixMilli(), msg))
	postWebhook(t, "http://"+listen+"/webhook", hook, appSecret)
	waitTitles("two unread", "pageinbox (2)", is("pageinbox (2)"))

	var args []byte
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var err error
		if args, err = os.ReadFile(dump); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the notify command did not run: %v", err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(args), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "a customer" || !strings.Contains(lines[1], "-rf") || strings.HasPrefix(lines[1], "-") {
		t.Errorf("arguments %q", lines)
	}
	for _, a := range lines {
		if strings.ContainsFunc(a, func(r rune) bool { return unicode.IsControl(r) || r == '\u202e' }) {
			t.Errorf("argument %q holds a control", a)
		}
	}
	env, _ := os.ReadFile(dump + ".env")
	if !strings.Contains(string(env), "KEPT_FOR_THE_COMMAND=yes") {
		t.Errorf("the command's environment lost what is not secret:\n%s", env)
	}
	for name, value := range secrets {
		if strings.Contains(string(env), name+"=") || strings.Contains(string(env), value) {
			t.Errorf("the notify command got %s:\n%s", name, env)
		}
	}
	p.keys("q")
	p.waitFor("the inbox to quit", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "EXITED:0") })
	waitTitles("after quitting", "no pageinbox", func(pane, window string) bool {
		return !strings.Contains(pane, "pageinbox") && !strings.Contains(window, "pageinbox")
	})
}

func postWebhook(t *testing.T, url string, body []byte, secret string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", webhook.SignatureHeader(body, secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("webhook POST: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook POST: %s", resp.Status)
	}
}
