package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// errNotBuilt marks a command that exists in the interface but not yet in
// the code. It exits 2, so a script can never mistake it for success.
var errNotBuilt = errors.New("not built yet")

// notBuilt is what an unbuilt command returns: `"serve" is not built yet`.
func notBuilt(name string) error {
	return fmt.Errorf("%q is %w", name, errNotBuilt)
}

// command is one subcommand. setup defines its own flags on fs (beside the
// global ones) and returns the function that runs it with their values.
type command struct {
	name    string
	summary string // one line, lower case, for the command list
	built   bool   // false: help says so, and run returns errNotBuilt
	setup   func(fs *flag.FlagSet) runFunc
}

// runFunc runs a command once its flags are parsed.
type runFunc func(ctx context.Context, env cmdEnv) error

// cmdEnv is what a command runs with: the resolved configuration, the
// positional arguments, and where to write.
type cmdEnv struct {
	cfg            config
	args           []string
	stdout, stderr io.Writer
}

// notBuiltCommand is the setup of a command that does not exist yet.
func notBuiltCommand(name string) func(*flag.FlagSet) runFunc {
	return func(*flag.FlagSet) runFunc {
		return func(context.Context, cmdEnv) error { return notBuilt(name) }
	}
}

// commands is the dispatch table, in the order help lists them.
var commands = []command{
	{name: "serve", built: true, summary: "run the daemon: Meta webhook, send queue, live feed for attached TUIs", setup: setupServe},
	{name: "demo", built: true, summary: "run the whole inbox against the built-in Meta emulator and simulated customers", setup: setupDemo},
	{name: "send", built: true, summary: "send one message to one conversation through the Send API", setup: setupSend},
	{name: "campaign", built: true, summary: "send one message to many conversations, skipping those outside the window", setup: setupCampaign},
	{name: "campaigns", built: true, summary: "list campaigns with their progress, failures and replies; with an ID, each recipient's result", setup: setupCampaigns},
	{name: "sync", built: true, summary: "backfill conversations and profiles from the Graph API", setup: setupSync},
	{name: "export", built: true, summary: "write conversations and messages out of the store, never secrets", setup: setupExport},
	{name: "replay", built: true, summary: "feed recorded webhook payloads in again, as if Meta had sent them", setup: setupReplay},
	{name: "doctor", built: true, summary: "check the configuration, token, webhook subscription and data dir", setup: setupDoctor},
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}
