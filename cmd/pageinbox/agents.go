package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
)

// setupAgents manages named agents: people who attach to the daemon's
// /ws API with a token of their own (PAGEINBOX_API_TOKEN=... pageinbox
// --server ...), and are that agent whatever they call themselves.
func setupAgents(*flag.FlagSet) runFunc {
	return func(ctx context.Context, env cmdEnv) error {
		verb, name := "list", ""
		switch args := env.args; {
		case len(args) == 0 || len(args) == 1 && args[0] == "list":
		case len(args) == 2 && (args[0] == "add" || args[0] == "revoke"):
			verb, name = args[0], args[1]
		default:
			return errors.New("usage: pageinbox agents [list] | agents add NAME | agents revoke NAME")
		}
		if verb != "list" {
			if err := store.CheckAgentName(name); err != nil {
				return err
			}
		}
		return throughDaemon(ctx, env.cfg, "agents",
			func(wsURL string) error { return agentsRemote(ctx, env, wsURL, verb, name) },
			func(st *store.Store) error { return agentsLocal(ctx, env, st, verb, name) })
	}
}

func agentsLocal(ctx context.Context, env cmdEnv, st *store.Store, verb, name string) error {
	switch verb {
	case "add":
		token, info, err := st.AddAgent(ctx, name)
		if err != nil {
			return err
		}
		printAgentAdded(env, daemon.AgentAdded{AgentInfo: info, Token: token})
		return nil
	case "revoke":
		if err := st.RevokeAgent(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "revoked %s: their token no longer attaches\n", name)
		return nil
	}
	list, err := st.Agents(ctx)
	if err != nil {
		return err
	}
	printAgents(env.stdout, list, env.cfg.location())
	return nil
}

func agentsRemote(ctx context.Context, env cmdEnv, wsURL, verb, name string) error {
	ac, err := adminClient(env.cfg, wsURL)
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		added, err := ac.AddAgent(ctx, name)
		if err != nil {
			return err
		}
		printAgentAdded(env, added)
	case "revoke":
		r, err := ac.RevokeAgent(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "revoked %s: their token no longer attaches; %d open session(s) cut\n", r.Name, r.Sessions)
	default:
		list, err := ac.Agents(ctx)
		if err != nil {
			return err
		}
		printAgents(env.stdout, list, env.cfg.location())
	}
	return nil
}

// printAgentAdded shows the token once: alone on stdout, for scripts;
// what to do with it on stderr.
func printAgentAdded(env cmdEnv, a daemon.AgentAdded) {
	fmt.Fprintln(env.stdout, a.Token)
	fmt.Fprintf(env.stderr, "added agent %s. This token is shown once and cannot be read again; give it to %s:\n"+
		"  PAGEINBOX_API_TOKEN=<token> pageinbox --server ws://<daemon>/ws\n", a.Name, a.Name)
}

func printAgents(w io.Writer, list []store.AgentInfo, loc *time.Location) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no named agents (pageinbox agents add NAME)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tLAST USED")
	for _, a := range list {
		last := "never"
		if !a.LastUsed.IsZero() {
			last = a.LastUsed.In(loc).Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Name, a.Created.In(loc).Format(time.DateTime), last)
	}
	tw.Flush()
}
