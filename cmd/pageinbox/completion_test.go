package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// completionScript runs `pageinbox completion SHELL` and writes the
// script to a file.
func completionScript(t *testing.T, shell string) (path, text string) {
	t.Helper()
	code, out, errOut := runCLI(t, map[string]string{"HOME": t.TempDir()}, "completion", shell)
	if code != 0 {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errOut)
	}
	path = filepath.Join(t.TempDir(), "pageinbox."+shell)
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, out
}

// Every command of the table and every flag of its flag set is in every
// shell's script, so a new command or flag cannot be left out.
func TestCompletionNamesEveryCommandAndFlag(t *testing.T) {
	for _, shell := range completionShells {
		_, text := completionScript(t, shell)
		for _, c := range commands {
			if !strings.Contains(text, c.name) {
				t.Errorf("%s: command %q missing", shell, c.name)
			}
			var cfg config
			fs, _ := commandFlags(c, &cfg)
			fs.VisitAll(func(f *flag.Flag) {
				want := "--" + f.Name
				if shell == "fish" {
					want = "-l " + f.Name + " "
				}
				if !strings.Contains(text, want) {
					t.Errorf("%s: flag --%s of %s missing", shell, f.Name, c.name)
				}
			})
		}
	}
}

// A Page command's --page is offered too (it is added outside the
// command's own setup).
func TestCompletionOffersPage(t *testing.T) {
	_, text := completionScript(t, "fish")
	for name := range pageCommands {
		if !strings.Contains(text, "__fish_seen_subcommand_from "+name+"' -l page ") {
			t.Errorf("fish: --page of %s missing", name)
		}
	}
}

// requireShell fails without the shell: .ci/run installs zsh and fish.
func requireShell(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (%v): the completion script must be checked by it; .ci/run installs it", name, err)
	}
	return path
}

// Each script parses in its own shell (-n: read, not run).
func TestCompletionScriptsParse(t *testing.T) {
	for _, shell := range completionShells {
		bin := requireShell(t, shell)
		path, _ := completionScript(t, shell)
		if out, err := exec.Command(bin, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, out)
		}
	}
}

// The bash script completes what is on the line: a command from its
// prefix, a command's flags after global flags with values, the shells,
// and nothing after a flag that takes a value (bash then offers files).
func TestBashCompletionCompletes(t *testing.T) {
	bash := requireShell(t, "bash")
	path, _ := completionScript(t, "bash")
	cases := map[string]string{
		"pageinbox ser":                     "serve",
		"pageinbox --data /x serve --ssh-l": "--ssh-listen --ssh-login-timeout",
		"pageinbox --data /x se":            "serve send",
		"pageinbox completion b":            "bash",
		"pageinbox help campaign":           "campaign campaigns",
		"pageinbox send --to ":              "",
		"pageinbox healthcheck --u":         "--url",
	}
	for line, want := range cases {
		script := "source " + path + "\nCOMP_WORDS=(" + line + ")\n"
		if strings.HasSuffix(line, " ") {
			script += "COMP_WORDS+=('')\n"
		}
		script += "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n_pageinbox\necho \"${COMPREPLY[*]}\"\n"
		out, err := exec.Command(bash, "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%q completes to %q, want %q", line, got, want)
		}
	}
}

func TestCompletionRefusesAnUnknownShell(t *testing.T) {
	for _, args := range [][]string{{"completion", "powershell"}, {"completion"}} {
		code, _, errOut := runCLI(t, map[string]string{"HOME": t.TempDir()}, args...)
		if code == 0 || !strings.Contains(errOut, "bash, zsh or fish") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}
