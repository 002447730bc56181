package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	snoozeparse "github.com/pageinbox/pageinbox/tui/triage"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// triage runs a command that changes one conversation and prints it.
func triage(ctx context.Context, env cmdEnv, tf *teamFlags, name string,
	change func(s *teamSession) (store.Conversation, error)) error {
	return withTeam(ctx, env, tf, name, func(s *teamSession) error {
		c, err := change(s)
		if err != nil {
			return err
		}
		writeConvRow(env.stdout, c, env.cfg.location())
		return nil
	})
}

// positional parses the flags and checks the count of positional args.
func positional(tf *teamFlags, env cmdEnv, n int, usage string) ([]string, error) {
	pos, err := tf.args(env.args)
	if err == nil && len(pos) != n {
		err = errors.New("usage: pageinbox " + usage)
	}
	return pos, err
}

func setupAssign(fs *flag.FlagSet) runFunc {
	tf := addTeamFlags(fs)
	none := fs.Bool("none", false, "unassign: the conversation is nobody's")
	return func(ctx context.Context, env cmdEnv) error {
		pos, err := tf.args(env.args)
		if err != nil {
			return err
		}
		if !(len(pos) == 2 && !*none || len(pos) == 1 && *none) {
			return errors.New("usage: pageinbox assign PSID NAME | assign PSID --none")
		}
		agent := ""
		if !*none {
			agent = pos[1]
		}
		return triage(ctx, env, tf, "assign", func(s *teamSession) (store.Conversation, error) {
			return s.Assign(ctx, s.key(pos[0]), agent)
		})
	}
}

func setupLabel(fs *flag.FlagSet) runFunc {
	tf := addTeamFlags(fs)
	var add, remove stringList
	fs.Var(&add, "add", "add label `NAME` (repeatable; a new name creates the label)")
	fs.Var(&remove, "remove", "remove label `NAME` (repeatable)")
	return func(ctx context.Context, env cmdEnv) error {
		pos, err := positional(tf, env, 1, "label PSID --add NAME --remove NAME")
		if err != nil {
			return err
		}
		if len(add)+len(remove) == 0 {
			return errors.New("label needs --add NAME or --remove NAME")
		}
		return triage(ctx, env, tf, "label", func(s *teamSession) (store.Conversation, error) {
			return s.SetLabels(ctx, s.key(pos[0]), add, remove)
		})
	}
}

func setupNote(fs *flag.FlagSet) runFunc {
	tf := addTeamFlags(fs)
	return func(ctx context.Context, env cmdEnv) error {
		pos, err := positional(tf, env, 2, "note PSID TEXT")
		if err != nil {
			return err
		}
		return withTeam(ctx, env, tf, "note", func(s *teamSession) error {
			n, err := s.AddNote(ctx, s.key(pos[0]), pos[1])
			if err == nil {
				fmt.Fprintf(env.stdout, "note by %s on %s at %s\n", inert.Line(n.Author), inert.Line(n.PSID),
					n.Time.In(env.cfg.location()).Format(time.DateTime))
			}
			return err
		})
	}
}

func setupSnooze(fs *flag.FlagSet) runFunc {
	tf := addTeamFlags(fs)
	return func(ctx context.Context, env cmdEnv) error {
		pos, err := positional(tf, env, 2, "snooze PSID DURATION|TIME (2h, 2d, tomorrow, 'fri 14:00', 2026-12-24T09:00)")
		if err != nil {
			return err
		}
		until, err := parseWhen(pos[1], time.Now().In(env.cfg.location()))
		if err != nil {
			return err
		}
		return triage(ctx, env, tf, "snooze", func(s *teamSession) (store.Conversation, error) {
			return s.SetState(ctx, s.key(pos[0]), store.ConvSnoozed, until)
		})
	}
}

// setupState makes done and reopen: a state without a time.
func setupState(name string, st store.ConvStatus) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		tf := addTeamFlags(fs)
		return func(ctx context.Context, env cmdEnv) error {
			pos, err := positional(tf, env, 1, name+" PSID")
			if err != nil {
				return err
			}
			return triage(ctx, env, tf, name, func(s *teamSession) (store.Conversation, error) {
				return s.SetState(ctx, s.key(pos[0]), st, time.Time{})
			})
		}
	}
}

// parseWhen reads a snooze's end as the TUI's snooze menu does (2h, 2d,
// tomorrow, fri 14:00, 2026-12-24T09:00, in now's zone: the config's
// timezone), or an RFC 3339 time; it must be in the future.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if !t.After(now) {
			return t, fmt.Errorf("snooze until %s: that has passed", t.In(now.Location()).Format(time.DateTime))
		}
		return t, nil
	}
	t, err := snoozeparse.ParseSnooze(s, now, now.Location())
	if err != nil {
		return t, fmt.Errorf("snooze until %q: %w (say 90m, 2h, 2d, tomorrow, 'fri 14:00' or 2026-12-24T09:00, in the local zone)", s, err)
	}
	return t, nil
}
