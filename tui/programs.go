package tui

import (
	"context"
	"os/exec"
	"runtime"
)

// Programs lets the TUI start programs on the machine it runs on (ctrl+e's
// editor, o's opener, the notify command). Only a TUI on the agent's own machine gets it: served over SSH,
// a program would run on the server as the daemon's user, a shell away
// from its files and secrets.
type Programs struct {
	// Env is the whole environment of every program the TUI starts (never
	// the process's own): the caller leaves the secrets out. The editor
	// is $VISUAL or $EDITOR in it, else vi.
	Env []string
	// Opener opens a link (o): default xdg-open, or open on macOS.
	Opener string
}

// command is name with args and Env as its whole environment: the one way
// the TUI builds a program to start (the editor, the opener, the notify
// command), so none can get this process's environment and its secrets.
// Callers hold a Programs only where the TUI may start programs: never in
// an SSH session.
func (p *Programs) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, name, args...)
	c.Env = append([]string{}, p.Env...) // never nil: nil would mean this process's own
	return c
}

// opener is the desktop's program that opens a URL: Programs.Opener, else
// open on macOS and xdg-open elsewhere.
func (p *Programs) opener() string {
	if p.Opener != "" {
		return p.Opener
	}
	if runtime.GOOS == "darwin" {
		return "open"
	}
	return "xdg-open"
}
