package main

import (
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/tui"
)

// A local TUI's programs, the notify command among them, get the
// environment without the secrets; the settings are the config's.
func TestLocalOptionsNotifyCommandGetsNoSecrets(t *testing.T) {
	for _, name := range secretEnv {
		t.Setenv(name, "secret-of-"+name)
	}
	cfg := configFromEnv(func(string) string { return "" })
	cfg.Notify = tui.Notify{Title: true, Command: []string{"notify-send", "{name}"}}
	o := localOptions(cfg, tui.Options{})
	if o.Programs == nil || o.Terminal == nil {
		t.Fatal("a local TUI has no Programs or Terminal: the command and the title would never work")
	}
	env := strings.Join(o.Programs.Env, "\n")
	for _, name := range secretEnv {
		if strings.Contains(env, name+"=") || strings.Contains(env, "secret-of-"+name) {
			t.Errorf("the notify command's environment holds %s", name)
		}
	}
	if !o.Notify.Title || len(o.Notify.Command) != 2 {
		t.Errorf("Notify %+v is not the config's", o.Notify)
	}
}

// An SSH session's agent picks the title and desktop notifications with
// SetEnv; never a command, whatever they send; a bad form is off.
func TestSSHNotifyFromSessionEnv(t *testing.T) {
	n := sshNotify([]string{"PAGEINBOX_NOTIFY_DESKTOP=osc777", "PAGEINBOX_TITLE=1", "TMUX=/tmp/x,1,0",
		"PAGEINBOX_NOTIFY_COMMAND=[\"sh\",\"-c\",\"id\"]"})
	if n.Desktop != tui.DesktopOSC777 || !n.Title || !n.Tmux || n.Command != nil {
		t.Errorf("sshNotify = %+v", n)
	}
	if n := sshNotify([]string{"PAGEINBOX_NOTIFY_DESKTOP=osc99"}); n.Desktop != tui.DesktopOff {
		t.Errorf("an unknown form gave Desktop %q", n.Desktop)
	}
	if n := sshNotify(nil); n.Desktop != tui.DesktopOff || n.Title || n.Tmux {
		t.Errorf("nothing sent gave %+v", n)
	}
}

func TestConfigRejectsAnUnknownDesktopForm(t *testing.T) {
	cfg := configFromEnv(func(k string) string {
		return map[string]string{"PAGEINBOX_NOTIFY_DESKTOP": "growl"}[k]
	})
	err := cfg.check()
	if err == nil || !strings.Contains(err.Error(), `"growl"`) {
		t.Errorf("check() = %v, want an error naming the form", err)
	}
}

func TestNotifyCommandFromEnv(t *testing.T) {
	for raw, want := range map[string]string{
		`["notify-send", "pageinbox", "{name}: {text}"]`: "notify-send|pageinbox|{name}: {text}",
		`notify-send pageinbox`:                          "error",
		`[]`:                                             "error",
		`[""]`:                                           "error",
		`{"cmd": "x"}`:                                   "error",
	} {
		cfg := configFromEnv(func(k string) string {
			return map[string]string{"PAGEINBOX_NOTIFY_COMMAND": raw}[k]
		})
		err := cfg.check()
		got := strings.Join(cfg.Notify.Command, "|")
		if err != nil {
			got = "error"
			if !strings.Contains(err.Error(), "PAGEINBOX_NOTIFY_COMMAND") {
				t.Errorf("%s: the error does not name the variable: %v", raw, err)
			}
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", raw, got, want)
		}
	}
}
