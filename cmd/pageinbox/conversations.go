package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// setupConversations lists conversations by state, assignee and label:
// a table, or JSON Lines with --json.
func setupConversations(fs *flag.FlagSet) runFunc {
	tf := addTeamFlags(fs)
	state := fs.String("state", "open", "`STATE`: open, snoozed, done or all")
	assignee := fs.String("assignee", "", "only those assigned to agent `NAME`")
	unassigned := fs.Bool("unassigned", false, "only those assigned to nobody")
	label := fs.String("label", "", "only those carrying label `NAME`")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	return func(ctx context.Context, env cmdEnv) error {
		if pos, err := tf.args(env.args); err != nil {
			return err
		} else if len(pos) > 0 {
			return errors.New("usage: pageinbox conversations [--state open|snoozed|done|all] [--assignee NAME | --unassigned] [--label NAME] [--json]")
		}
		if *assignee != "" && *unassigned {
			return errors.New("--assignee and --unassigned exclude each other")
		}
		q := store.ListQuery{Filter: store.Filter(*state), Assignee: *assignee, Unassigned: *unassigned, Label: *label, Limit: 500}
		switch *state {
		case "open", "snoozed", "done", "all":
		default:
			return fmt.Errorf("--state %q: one of open, snoozed, done, all", *state)
		}
		return withTeam(ctx, env, tf, "conversations", func(s *teamSession) error {
			return listConversations(ctx, env, s, q, *asJSON)
		})
	}
}

// listConversations pages through q, writing each page as it comes.
func listConversations(ctx context.Context, env cmdEnv, s *teamSession, q store.ListQuery, asJSON bool) error {
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "PSID\tNAME\tSTATE\tASSIGNEE\tLABELS\tUNREAD\tLAST MESSAGE")
	}
	n := 0
	for {
		p, err := s.Conversations(ctx, q)
		if err != nil {
			return err
		}
		for _, c := range p.Conversations {
			if c.PageID != s.pageID {
				continue
			}
			n++
			if asJSON {
				if err := writeJSONLine(env.stdout, newConvLine(c)); err != nil {
					return err
				}
				continue
			}
			writeConvRow(tw, c, env.cfg.location())
		}
		if q.After = p.Next; p.Next == "" {
			break
		}
	}
	if asJSON {
		return nil
	}
	if n == 0 {
		fmt.Fprintln(env.stderr, "no conversations")
		return nil
	}
	return tw.Flush()
}

func writeConvRow(w io.Writer, c store.Conversation, loc *time.Location) {
	state := string(c.Status)
	if c.Status == store.ConvSnoozed {
		state += " until " + c.SnoozedUntil.In(loc).Format("2006-01-02 15:04")
	}
	last := ""
	if !c.LastMessageTime.IsZero() {
		last = c.LastMessageTime.In(loc).Format(time.DateTime)
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", inert.Line(c.PSID), inert.Line(c.Name), state,
		inert.Line(orDash(c.Assignee)), inert.Line(orDash(strings.Join(c.Labels.Names(), ","))), c.Unread, last)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
