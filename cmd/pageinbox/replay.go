package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/pageinbox/pageinbox/webhook"
)

// setupReplay re-parses the webhook journal into the store. Harmless to
// repeat: events are deduplicated.
func setupReplay(fs *flag.FlagSet) runFunc {
	since := fs.String("since", "", "replay bodies received after `T` (RFC 3339, or a duration back from now like 24h); default: all")
	return func(ctx context.Context, env cmdEnv) error {
		from, err := parseSince(*since, time.Now())
		if err != nil {
			return err
		}
		st, err := openStore(env.cfg, "replay", 500*time.Millisecond)
		if err != nil {
			return err
		}
		defer st.Close()
		rs, err := webhook.Replay(ctx, st, from, st.Now)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "replayed %d webhook bodies: %d events, %d set aside, %d unparsable\n",
			rs.Posts, rs.Events, rs.SetAside, rs.Unparsable)
		return nil
	}
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want RFC 3339 (2026-11-28T09:00:00Z) or a duration (24h)", s)
	}
	return t, nil
}
