package main

import (
	"context"
	"errors"
	"fmt"
)

// errNotBuilt marks a command that exists in the interface but not yet in
// the code. It exits 2, so a script can never mistake it for success.
var errNotBuilt = errors.New("not built yet")

// notBuilt is what an unbuilt command returns: `"serve" is not built yet`.
func notBuilt(name string) error {
	return fmt.Errorf("%q is %w", name, errNotBuilt)
}

// command is one subcommand. Its run function gets the resolved config and
// the positional arguments left after flag parsing.
type command struct {
	name    string
	summary string // one line, lower case, for the command list
	built   bool   // false: help says so, and run returns errNotBuilt
	run     func(ctx context.Context, cfg config, args []string) error
}

// commands is the dispatch table, in the order help lists them.
var commands = []command{
	{name: "serve", summary: "run the daemon: Meta webhook, send queue, live feed for attached TUIs", run: runServe},
	{name: "demo", summary: "run the whole inbox against the built-in Meta emulator and simulated customers", run: runDemo},
	{name: "send", summary: "send one message to one conversation through the Send API", run: runSend},
	{name: "campaign", summary: "send one message to many conversations, skipping those outside the window", run: runCampaign},
	{name: "campaigns", summary: "list campaigns with their progress and failures", run: runCampaigns},
	{name: "sync", summary: "backfill conversations and profiles from the Graph API", run: runSync},
	{name: "export", summary: "write conversations and messages out of the store, never secrets", run: runExport},
	{name: "replay", summary: "feed recorded webhook payloads in again, as if Meta had sent them", run: runReplay},
	{name: "doctor", summary: "check the configuration, token, webhook subscription and data dir", run: runDoctor},
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}
