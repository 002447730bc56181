package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// request is what a command line asks for, with the configuration resolved.
type request struct {
	cmd     *command // nil means the TUI, or the root help
	run     runFunc  // cmd's run, bound to its flags
	cfg     config
	args    []string      // positional arguments left after the flags
	flags   *flag.FlagSet // the flag set that was parsed, for usage
	help    bool          // print usage and exit 0
	version bool          // print the version and exit 0
}

// usageError is a mistake on the command line. It exits 2 and points at the
// help that would have avoided it.
type usageError struct {
	prefix string // "pageinbox" or "pageinbox serve"
	err    error
	hint   string // the help command to suggest
}

func (e *usageError) Error() string {
	return fmt.Sprintf("%s: %v\nRun '%s' for usage.", e.prefix, e.err, e.hint)
}

func (e *usageError) Unwrap() error { return e.err }

// parseArgs resolves args (without the program name) and env into a request.
//
// Global flags may come before the command too (`pageinbox --data d serve`):
// the root flag set resolves them first, and the command's flag set starts
// from that result, so the flag nearest the command wins.
func parseArgs(args []string, env func(string) string) (request, error) {
	cfg, loadErr := loadConfig(env, configFlag(args))
	if loadErr == nil {
		return parseWith(args, cfg)
	}
	// Help and `config --default` print the same whatever the file says,
	// so a broken file does not stop them (the example is how to start
	// a new one). Anything else stops on it.
	req, err := parseWith(args, configFromEnv(env))
	if err == nil && (req.help || req.exampleConfig()) {
		return req, nil
	}
	return request{}, fmt.Errorf("pageinbox: %w", loadErr)
}

// exampleConfig: the request is `config --default`.
func (r request) exampleConfig() bool {
	if r.cmd == nil || r.cmd.name != "config" {
		return false
	}
	f := r.flags.Lookup("default")
	return f != nil && f.Value.String() == "true"
}

// parseWith parses args over cfg, the configuration before the flags.
func parseWith(args []string, cfg config) (request, error) {

	root, showVersion := newRootFlagSet(&cfg)
	if err := root.Parse(args); errors.Is(err, flag.ErrHelp) {
		return request{flags: root, help: true}, nil
	} else if err != nil {
		return request{}, &usageError{"pageinbox", err, "pageinbox --help"}
	}
	root.Visit(func(f *flag.Flag) { cfg.markFlag(f.Name) })
	if *showVersion {
		return request{version: true}, nil
	}

	rest := root.Args()
	if len(rest) == 0 {
		if err := withPagesFile("", &cfg); err != nil {
			return request{}, err
		}
		return checked(request{cfg: cfg, flags: root}, "pageinbox --help")
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return helpRequest(rest, cfg)
	}
	cmd, ok := lookupCommand(name)
	if !ok {
		return request{}, &usageError{"pageinbox", fmt.Errorf("unknown command %q", name), "pageinbox --help"}
	}

	fs, runCmd := commandFlags(cmd, &cfg)
	hint := "pageinbox " + name + " --help"
	if err := fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
		return request{cmd: &cmd, flags: fs, help: true}, nil
	} else if err != nil {
		return request{}, &usageError{fs.Name(), err, hint}
	}
	fs.Visit(func(f *flag.Flag) { cfg.markFlag(f.Name) })
	if err := withPagesFile(name, &cfg); err != nil {
		return request{}, err
	}
	// doctor without --page checks every connected Page.
	if pageCommands[name] && !(name == "doctor" && cfg.PageID == "" && len(cfg.PageTokens) > 1) {
		var err error
		if cfg.PageID, err = cfg.pickPage(cfg.PageID); err != nil {
			return request{}, &usageError{fs.Name(), err, hint}
		}
	}
	return checked(request{cmd: &cmd, run: runCmd, cfg: cfg, args: fs.Args(), flags: fs}, hint)
}

// configFlag is --config's value, looked for before the flags are parsed:
// the file gives the flags their defaults. The last one wins, as in flag.
func configFlag(args []string) string {
	var path string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		path = value
	}
	return path
}

// helpRequest is `pageinbox help [command]`.
func helpRequest(args []string, cfg config) (request, error) {
	if len(args) == 0 {
		root, _ := newRootFlagSet(&cfg)
		return request{flags: root, help: true}, nil
	}
	cmd, ok := lookupCommand(args[0])
	if !ok {
		return request{}, &usageError{"pageinbox help", fmt.Errorf("unknown command %q", args[0]), "pageinbox --help"}
	}
	fs, _ := commandFlags(cmd, &cfg)
	return request{cmd: &cmd, flags: fs, help: true}, nil
}

// checked rejects a bad configuration before any command runs, so a typo in
// a flag or env var is reported as such and not as a failure deep inside.
func checked(req request, hint string) (request, error) {
	if err := req.cfg.check(); err != nil {
		return request{}, &usageError{req.flags.Name(), err, hint}
	}
	return req, nil
}

// newFlagSet returns a flag set with the global flags bound to cfg. Errors
// come back to parseArgs instead of being printed, so run picks the stream.
func newFlagSet(name string, cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	addGlobalFlags(fs, cfg)
	return fs
}

// newRootFlagSet is the flag set before any command: the global flags plus
// --version.
func newRootFlagSet(cfg *config) (*flag.FlagSet, *bool) {
	fs := newFlagSet("pageinbox", cfg)
	return fs, fs.Bool("version", false, "print the version and exit")
}

func (r request) printUsage(w io.Writer) {
	if r.cmd == nil {
		printRootUsage(w, r.flags)
		return
	}
	printCommandUsage(w, *r.cmd, r.flags)
}
