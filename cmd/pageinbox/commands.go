package main

import (
	"context"
	"flag"
	"io"

	"github.com/pageinbox/pageinbox/store"
)

// command is one subcommand. setup defines its own flags on fs (beside the
// global ones) and returns the function that runs it with their values.
type command struct {
	name    string
	summary string // one line, lower case, for the command list
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
	stdin          io.Reader // nil: os.Stdin
}

// commands is the dispatch table, in the order help lists them.
var commands = []command{
	{name: "serve", summary: "run the daemon: Meta webhook, send queue, live feed for attached TUIs", setup: setupServe},
	{name: "demo", summary: "run the whole inbox against the built-in Meta emulator and simulated customers", setup: setupDemo},
	{name: "send", summary: "send one message to one conversation through the Send API", setup: setupSend},
	{name: "campaign", summary: "send one message to many conversations; outside the window a Utility template (--template) or skipped", setup: setupCampaign},
	{name: "campaigns", summary: "list campaigns with their progress, failures and replies; with an ID, each recipient's result", setup: setupCampaigns},
	{name: "sync", summary: "backfill conversations and profiles from the Graph API", setup: setupSync},
	{name: "export", summary: "write conversations and messages out of the store, never secrets", setup: setupExport},
	{name: "replay", summary: "feed recorded webhook payloads in again, as if Meta had sent them", setup: setupReplay},
	{name: "doctor", summary: "check the configuration, token, webhook subscription and data dir", setup: setupDoctor},
	{name: "healthcheck", summary: "exit 0 if the daemon's /healthz answers ok (for Docker's HEALTHCHECK)", setup: setupHealthcheck},
	{name: "completion", summary: "write a shell completion script: completion bash|zsh|fish", setup: setupCompletion},
	{name: "agents", summary: "list named agents; add NAME prints a /ws token of their own, once; revoke NAME", setup: setupAgents},
	{name: "backup", summary: "write a consistent copy of the data file to FILE, while serve runs or not", setup: setupBackup},
	{name: "forget", summary: "remove everything stored about one customer, raw webhook journal included", setup: setupForget},
	{name: "conversations", summary: "list conversations by state, assignee and label; --json for JSON Lines", setup: setupConversations},
	{name: "assign", summary: "assign a conversation to a named agent: assign PSID NAME, or --none", setup: setupAssign},
	{name: "label", summary: "add and remove a conversation's labels: label PSID --add NAME --remove NAME", setup: setupLabel},
	{name: "note", summary: "write a private note in a conversation, never sent to Meta: note PSID TEXT", setup: setupNote},
	{name: "snooze", summary: "put a conversation away until a time: snooze PSID 2h|2d|2026-12-24T09:00", setup: setupSnooze},
	{name: "done", summary: "mark a conversation done; the customer's next message reopens it", setup: setupState("done", store.ConvDone)},
	{name: "reopen", summary: "make a snoozed or done conversation open again", setup: setupState("reopen", store.ConvOpen)},
	{name: "replies", summary: "saved replies: add SHORTCUT TEXT, list, rm SHORTCUT", setup: setupReplies},
	{name: "templates", summary: "Utility Message templates: sync from Meta, list [--json]", setup: setupTemplates},
	{name: "config", summary: "print the effective settings and where each came from; --default: a complete config.toml", setup: setupConfig},
	{name: "pages", summary: "Pages and their tokens: connect (from a user token), list [--json] [--check], remove ID", setup: setupPages},
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}
