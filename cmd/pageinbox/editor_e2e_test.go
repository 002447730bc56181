package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLocalEditorGetsNoSecretsInTmux runs the inbox on its own data file
// (no daemon) in a tmux pane, with every secret pageinbox reads in its
// environment and $EDITOR a script that writes down its environment.
// ctrl+e in the reply box runs it: the reply comes back from the editor,
// and the environment it ran with holds none of the secrets, by name or
// by value. Skipped with -short; fails without tmux.
func TestLocalEditorGetsNoSecretsInTmux(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildTUIBinary(t)
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	seedDataDir(t, dataDir, "P1", "Rui Costa", "Do you ship to Porto?")
	dump := filepath.Join(dir, "editor-env")
	editor := filepath.Join(dir, "editor.sh")
	script := "#!/bin/sh\nenv > " + shellQuote(dump) + "\necho 'written in the editor' > \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"PAGE_ACCESS_TOKEN":    "EAAB-page-token-e2e",
		"APP_SECRET":           "app-secret-e2e",
		"VERIFY_TOKEN":         "verify-token-e2e",
		"WEBHOOK_VERIFY_TOKEN": "webhook-verify-token-e2e",
		"PAGEINBOX_API_TOKEN":  "api-token-e2e",
	}
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(dir) +
		" TERM=xterm-256color PAGEINBOX_BELL=0 EDITOR=" + shellQuote(editor) + " KEPT_FOR_THE_EDITOR=yes"
	for name, value := range secrets {
		command += " " + name + "=" + shellQuote(value)
	}
	inner := shellQuote(bin) + " --data " + shellQuote(dataDir) + " --listen 127.0.0.1:0 --graph-url http://127.0.0.1:1; echo EXITED:$?; sleep 5"
	command += " sh -c " + shellQuote(inner)
	p := startTmuxPane(t, tmux, filepath.Join(dir, "sock"), "/dev/null", command)
	contains := func(text string) func(screen) bool {
		return func(s screen) bool { return strings.Contains(s.text(), text) }
	}
	p.waitFor("the conversation", 30*time.Second, contains("Rui Costa"))
	p.keys("Enter")
	p.waitFor("the reply box", 10*time.Second, contains("$EDITOR"))
	p.keys("C-e")
	p.waitFor("the editor's reply", 15*time.Second, contains("written in the editor"))

	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatalf("the editor did not run: %v", err)
	}
	env := string(b)
	if !strings.Contains(env, "KEPT_FOR_THE_EDITOR=yes") || !strings.Contains(env, "HOME="+dir) {
		t.Errorf("the editor's environment lost what is not secret:\n%s", env)
	}
	for name, value := range secrets {
		if strings.Contains(env, name+"=") || strings.Contains(env, value) {
			t.Errorf("the editor got %s:\n%s", name, env)
		}
	}
	p.keys("Escape", "q")
	p.waitFor("the inbox to quit", 10*time.Second, contains("EXITED:0"))
}
