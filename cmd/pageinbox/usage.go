package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// printRootUsage is `pageinbox --help`: every command with one line each.
func printRootUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `pageinbox: a Facebook Page's Messenger inbox in the terminal.

Usage:
  pageinbox [flags]                     open the inbox TUI
  pageinbox <command> [flags] [args]
  pageinbox help <command>

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	fmt.Fprintf(tw, "  help\tshow help for a command\n")
	tw.Flush()

	fmt.Fprintf(w, "\nFlags (before or after the command):\n")
	printFlags(w, fs)
	printEnv(w)
	fmt.Fprintf(w, "\nRun 'pageinbox <command> --help' for more about a command.\n")
}

// printCommandUsage is `pageinbox <command> --help`.
func printCommandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: pageinbox %s [flags]\n\n%s.\n", c.name, upperFirst(c.summary))
	fmt.Fprintf(w, "\nFlags:\n")
	printFlags(w, fs)
	printEnv(w)
}

// printFlags lists flags the way people type them (--name VALUE), since the
// flag package's own PrintDefaults shows single dashes.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		placeholder, usage := flag.UnquoteUsage(f)
		if placeholder != "" {
			placeholder = " " + placeholder
		}
		// Continuation lines of a usage string line up under its first line.
		lines := strings.Split(usage, "\n")
		fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, placeholder, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(tw, "\t%s\n", l)
		}
	})
	fmt.Fprintf(tw, "  -h, --help\tshow this help\n")
	tw.Flush()
}

// printEnv lists the variables that only env can set. Their values are never
// printed, not even whether they are set: help output ends up in bug reports.
func printEnv(w io.Writer) {
	fmt.Fprintf(w, "\nSet only through the environment (the secrets among them are never logged):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  PAGE_ACCESS_TOKEN\tPage access token for the Send API and Graph calls\n")
	fmt.Fprintf(tw, "  APP_SECRET\tapp secret that signs Meta's webhook requests\n")
	fmt.Fprintf(tw, "  VERIFY_TOKEN\ttoken Meta echoes when verifying the webhook (WEBHOOK_VERIFY_TOKEN also accepted)\n")
	fmt.Fprintf(tw, "  PAGE_ID\tthe Page's id; optional, learnt from the token when unset\n")
	fmt.Fprintf(tw, "  APP_ID\tthe app's id, for pages connect's token exchange and debug_token\n")
	fmt.Fprintf(tw, "  FB_USER_TOKEN\tuser (or system user) access token for pages connect; else read from stdin\n")
	tw.Flush()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
