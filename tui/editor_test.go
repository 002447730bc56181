package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// A TUI without Programs (an SSH session) starts nothing on ctrl+e: no
// command comes back, so no file is written and no editor runs, and the
// footer says why; the reply stays as typed.
func TestCtrlEWithoutProgramsStartsNothing(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.typeText("half a reply")
	if cmd := d.keyNoRun(tea.KeyMsg{Type: tea.KeyCtrlE}); cmd != nil {
		t.Fatalf("ctrl+e without Programs returned a command (%T): it would start the editor", d.call(cmd))
	}
	if d.m.statusbar.Note() != editorOff {
		t.Errorf("status note %q, want %q", d.m.statusbar.Note(), editorOff)
	}
	d.wantView("the editor is off in SSH sessions", "half a reply")
	d.wantFocus(paneCompose)
	if left, _ := os.ReadDir(os.Getenv("TMPDIR")); len(left) != 0 {
		t.Errorf("files written for an editor that never runs: %v", left)
	}
}

// With Programs, ctrl+e runs the editor named in Programs.Env on the
// draft, with that environment and nothing of this process's own: a
// variable set here (a secret) never reaches it. What the editor writes
// becomes the reply.
func TestCtrlERunsTheEditorWithProgramsEnvOnly(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	t.Setenv("PAGEINBOX_TEST_PARENT_ONLY", "must-not-leak")
	dump := filepath.Join(dir, "editor-env")
	editor := filepath.Join(dir, "editor.sh")
	script := "#!/bin/sh\nenv > " + dump + "\necho 'edited reply' > \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	be := busyBackend()
	t.Cleanup(be.close)
	env := []string{"EDITOR=" + editor, "PATH=" + os.Getenv("PATH"), "KEPT=yes"}
	m := New(Options{Backend: be, Renderer: asciiRenderer(), Now: fixedClock, NoTick: true, Programs: &Programs{Env: env}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 36))
	waitOut := func(want string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
			teatest.WithDuration(waitLimit), teatest.WithCheckInterval(10*time.Millisecond))
	}
	waitOut("Amara Okafor")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitOut("Write a reply")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlE})
	waitOut("edited reply")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(*Model)
	if got := final.compose.Value(); got != "edited reply" {
		t.Errorf("reply after the editor: %q", got)
	}
	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatalf("the editor did not run: %v", err)
	}
	got := string(b)
	if !strings.Contains(got, "KEPT=yes") || !strings.Contains(got, "EDITOR="+editor) {
		t.Errorf("the editor's environment lacks what Programs.Env gave:\n%s", got)
	}
	if strings.Contains(got, "must-not-leak") || strings.Contains(got, "PAGEINBOX_TEST_PARENT_ONLY") {
		t.Errorf("the editor inherited this process's environment:\n%s", got)
	}
}

func TestLookupEnv(t *testing.T) {
	env := []string{"EDITOR=vim", "VISUAL=", "X=a=b", "EDITOR=nano -w"}
	for name, want := range map[string]string{"EDITOR": "nano -w", "VISUAL": "", "X": "a=b", "MISSING": ""} {
		if got := lookupEnv(env, name); got != want {
			t.Errorf("lookupEnv(%s) = %q, want %q", name, got, want)
		}
	}
}
