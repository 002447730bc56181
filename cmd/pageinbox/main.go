// Command pageinbox is a Facebook Page's Messenger inbox in the terminal.
//
// This package only wires: it resolves the configuration (defaults, then env,
// then flags), picks the command, and turns the command's error into an exit
// code. Behaviour lives in the other packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pageinbox/pageinbox/tui/inert"
)

// Exit codes. 2 means "this binary cannot do what you asked": a usage error.
// 3 means "maybe": a send whose fate Meta's answer left open.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitUnknown = 3
)

// exitStatus is a command's error that asks for its own exit code.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string { return e.err.Error() }
func (e *exitStatus) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop() // os.Exit skips deferred calls
	os.Exit(code)
}

// run is main without the process, so tests can give it their own args, env
// and writers and read back the exit code.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	req, err := parseArgs(args, env)
	if es := (*exitStatus)(nil); errors.As(err, &es) { // not a usage error: a bad pages file
		fmt.Fprintf(stderr, "pageinbox: %s\n", inert.String(err.Error()))
		return es.code
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	switch {
	case req.help:
		req.printUsage(stdout)
		return exitOK
	case req.version:
		fmt.Fprintf(stdout, "pageinbox %s\n", versionString())
		return exitOK
	}

	if req.cmd == nil {
		err = runTUI(ctx, req.cfg)
	} else {
		err = req.run(ctx, cmdEnv{cfg: req.cfg, args: req.args, stdout: stdout, stderr: stderr})
	}
	if err == nil {
		return exitOK
	}
	// Errors carry Meta's messages and customers' names: inert, like every
	// human-readable output.
	fmt.Fprintf(stderr, "pageinbox: %s\n", inert.String(err.Error()))
	if es := (*exitStatus)(nil); errors.As(err, &es) {
		return es.code
	}
	return exitError
}
