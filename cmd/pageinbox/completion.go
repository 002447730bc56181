package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// completionShells are the shells `pageinbox completion` writes for.
var completionShells = []string{"bash", "zsh", "fish"}

// commandTable is the dispatch table, read through a function so the
// completion command, itself in the table, can list it without an
// initialization cycle.
var commandTable func() []command

func init() { commandTable = func() []command { return commands } }

func setupCompletion(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, env cmdEnv) error {
		if len(env.args) != 1 {
			return errors.New("completion: name one shell: bash, zsh or fish")
		}
		spec := completionSpecOf(commandTable())
		switch env.args[0] {
		case "bash":
			return writeBash(env.stdout, spec)
		case "zsh":
			return writeZsh(env.stdout, spec)
		case "fish":
			return writeFish(env.stdout, spec)
		}
		return fmt.Errorf("completion: unknown shell %q: want bash, zsh or fish", env.args[0])
	}
}

// completionSpec is what the scripts complete: every command with its
// flags, as the flag sets define them, never a list kept by hand.
type completionSpec struct {
	root     []compFlag
	commands []compCommand
}

type compCommand struct {
	name, summary string
	flags         []compFlag
	words         []string // positional words it takes (completion's shells)
}

type compFlag struct {
	name, usage string
	value       bool // takes a value (not a bool flag)
}

func completionSpecOf(table []command) completionSpec {
	var cfg config
	root, _ := newRootFlagSet(&cfg)
	spec := completionSpec{root: flagsOf(root)}
	for _, c := range table {
		fs, _ := commandFlags(c, &cfg)
		cc := compCommand{name: c.name, summary: c.summary, flags: flagsOf(fs)}
		if c.name == "completion" {
			cc.words = completionShells
		}
		spec.commands = append(spec.commands, cc)
	}
	var names []string
	for _, c := range spec.commands {
		names = append(names, c.name)
	}
	spec.commands = append(spec.commands, compCommand{name: "help", summary: "show help for a command", words: names})
	return spec
}

func flagsOf(fs *flag.FlagSet) []compFlag {
	var out []compFlag
	fs.VisitAll(func(f *flag.Flag) {
		_, usage := flag.UnquoteUsage(f)
		usage, _, _ = strings.Cut(usage, "\n")
		b, ok := f.Value.(interface{ IsBoolFlag() bool })
		out = append(out, compFlag{name: f.Name, usage: usage, value: !ok || !b.IsBoolFlag()})
	})
	out = append(out, compFlag{name: "help", usage: "show this help"})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// valueFlags are the flags in fs whose next word is their value, in both
// spellings the flag package takes (--name, -name), as a case pattern.
func valueFlags(fs []compFlag) string {
	var out []string
	for _, f := range fs {
		if f.value {
			out = append(out, "--"+f.name, "-"+f.name)
		}
	}
	if len(out) == 0 {
		return "--"
	}
	return strings.Join(out, "|")
}

func flagWords(fs []compFlag) string {
	var w []string
	for _, f := range fs {
		w = append(w, "--"+f.name)
	}
	return strings.Join(w, " ")
}

func commandWords(s completionSpec) string {
	var w []string
	for _, c := range s.commands {
		w = append(w, c.name)
	}
	return strings.Join(w, " ")
}

// singleQuote quotes s for sh, zsh and fish alike: every ' closes the
// quote, is escaped, and opens it again.
func singleQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeOut(w io.Writer, parts ...string) error {
	_, err := io.WriteString(w, strings.Join(parts, ""))
	return err
}
