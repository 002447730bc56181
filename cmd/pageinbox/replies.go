package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

const repliesUsage = "usage: pageinbox replies add SHORTCUT TEXT | replies list [--json] | replies rm SHORTCUT"

// setupReplies manages the Page's saved replies: text kept under a
// shortcut, with {first_name}, {agent} and {page} filled when sent.
func setupReplies(fs *flag.FlagSet) runFunc {
	tf := addTeamFlags(fs)
	asJSON := fs.Bool("json", false, "list: one JSON object per line")
	return func(ctx context.Context, env cmdEnv) error {
		pos, err := tf.args(env.args)
		if err != nil {
			return err
		}
		verb := "list"
		if len(pos) > 0 {
			verb = pos[0]
		}
		want := map[string]int{"list": 1, "add": 3, "rm": 2}[verb]
		if want == 0 || len(pos) != want && !(verb == "list" && len(pos) == 0) {
			return errors.New(repliesUsage)
		}
		return withTeam(ctx, env, tf, "replies", func(s *teamSession) error {
			switch verb {
			case "add":
				r, err := s.SaveReply(ctx, store.SavedReply{PageID: s.pageID, Shortcut: pos[1], Text: pos[2]})
				if err == nil {
					fmt.Fprintf(env.stdout, "saved reply %s\n", inert.Line(r.Shortcut))
				}
				return err
			case "rm":
				if err := s.DeleteReply(ctx, s.pageID, pos[1]); err != nil {
					return err
				}
				fmt.Fprintf(env.stdout, "removed saved reply %s\n", inert.Line(pos[1]))
				return nil
			}
			return listReplies(ctx, env, s, *asJSON)
		})
	}
}

func listReplies(ctx context.Context, env cmdEnv, s *teamSession, asJSON bool) error {
	list, err := s.Replies(ctx, s.pageID)
	if err != nil {
		return err
	}
	if asJSON {
		for _, r := range list {
			if err := writeJSONLine(env.stdout, r); err != nil {
				return err
			}
		}
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(env.stderr, "no saved replies (pageinbox replies add SHORTCUT TEXT)")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SHORTCUT\tTEXT")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\n", inert.Line(r.Shortcut), inert.Line(r.Text))
	}
	return tw.Flush()
}
