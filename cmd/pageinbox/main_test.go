package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/daemon"
)

// runCLI runs the command line with env as the whole environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, mapEnv(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

// The files a daemon leaves in the data dir.
const (
	apiTokenFile = daemon.TokenFile
	daemonFile   = daemon.InfoFile
)

func mapEnv(env map[string]string) func(string) string {
	return func(key string) string { return env[key] }
}

var globalFlagNames = []string{"--data", "--listen", "--graph-url", "--graph-version", "--debug", "--help"}

func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{
			{c.name, "--help"},
			{c.name, "-h"},
			{"help", c.name},
			{"--data", "/tmp/x", c.name, "--help"},
		} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, stdout, stderr := runCLI(t, nil, args...)
				if code != exitOK {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitOK, stderr)
				}
				if stderr != "" {
					t.Errorf("stderr = %q, want nothing", stderr)
				}
				if want := "Usage: pageinbox " + c.name + " "; !strings.HasPrefix(stdout, want) {
					t.Errorf("help does not start with %q:\n%s", want, stdout)
				}
				for _, f := range globalFlagNames {
					if !strings.Contains(stdout, f) {
						t.Errorf("help does not mention %s:\n%s", f, stdout)
					}
				}
				for _, v := range []string{"PAGE_ACCESS_TOKEN", "APP_SECRET", "VERIFY_TOKEN", "WEBHOOK_VERIFY_TOKEN", "PAGE_ID"} {
					if !strings.Contains(stdout, v) {
						t.Errorf("help does not mention %s", v)
					}
				}
			})
		}
	}
}

func TestRootHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
			}
			for _, c := range commands {
				if !strings.Contains(stdout, "  "+c.name+" ") || !strings.Contains(stdout, c.summary) {
					t.Errorf("usage does not list %q with its summary:\n%s", c.name, stdout)
				}
			}
			for _, f := range append(globalFlagNames, "--version") {
				if !strings.Contains(stdout, f) {
					t.Errorf("usage does not mention %s", f)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "--version")
	if code != exitOK || stdout != "pageinbox "+versionString()+"\n" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}

	old := version
	version = "v1.2.3" // as -ldflags "-X main.version=v1.2.3" would
	t.Cleanup(func() { version = old })
	if _, stdout, _ := runCLI(t, nil, "--version"); stdout != "pageinbox v1.2.3\n" {
		t.Errorf("with a linker-set version, stdout = %q", stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args       []string
		wantStderr []string
	}{
		{[]string{"bogus"}, []string{`pageinbox: unknown command "bogus"`, "Run 'pageinbox --help'"}},
		{[]string{"bogus", "--help"}, []string{`unknown command "bogus"`}},
		{[]string{"help", "bogus"}, []string{`pageinbox help: unknown command "bogus"`}},
		{[]string{"--nope"}, []string{"pageinbox: flag provided but not defined: -nope", "Run 'pageinbox --help'"}},
		{[]string{"serve", "--nope"}, []string{"pageinbox serve: flag provided but not defined: -nope", "Run 'pageinbox serve --help'"}},
		{[]string{"send", "--listen"}, []string{"flag needs an argument: -listen", "Run 'pageinbox send --help'"}},
		{[]string{"serve", "--version"}, []string{"not defined: -version"}},
		{[]string{"serve", "--graph-url", "graph.facebook.com"}, []string{`--graph-url "graph.facebook.com"`}},
		{[]string{"serve", "--graph-version", "25"}, []string{`--graph-version "25"`}},
		{[]string{"serve", "--listen", "8080"}, []string{`--listen "8080"`}},
		{[]string{"--graph-url", "ftp://x"}, []string{`--graph-url "ftp://x"`, "Run 'pageinbox --help'"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing: errors go to stderr", stdout)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// Without a terminal the inbox says what to do instead of failing deep
// inside the terminal library.
func TestTUINeedsATerminal(t *testing.T) {
	code, stdout, stderr := runCLI(t, map[string]string{"HOME": t.TempDir()})
	if code != exitError || stdout != "" || !strings.Contains(stderr, "needs a terminal") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestCommandTable guards the dispatch table against copy-paste slips.
func TestCommandTable(t *testing.T) {
	want := []string{"serve", "export", "send", "demo", "sync", "doctor", "replay", "campaign", "campaigns",
		"agents", "backup", "forget", "conversations", "assign", "label", "note", "snooze", "done", "reopen", "replies", "templates",
		"healthcheck", "completion", "config", "pages"}
	seen := map[string]bool{}
	for _, c := range commands {
		if seen[c.name] {
			t.Errorf("command %q listed twice", c.name)
		}
		seen[c.name] = true
		if c.setup == nil || c.summary == "" {
			t.Errorf("command %q has no setup function or no summary", c.name)
		}
	}
	for _, name := range want {
		if !seen[name] {
			t.Errorf("command %q is missing", name)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("got %d commands, want %d", len(seen), len(want))
	}
}
