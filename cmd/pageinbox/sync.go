package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// setupSync backfills conversations through the Conversations API, for
// history from before the webhook was set up. What the webhook already
// stored is not duplicated: messages are deduplicated by mid.
func setupSync(fs *flag.FlagSet) runFunc {
	since := fs.Duration("since", 30*24*time.Hour, "only conversations active within `DURATION` (0: all)")
	return func(ctx context.Context, env cmdEnv) error {
		gc, err := newGraphClient(env.cfg)
		if err != nil {
			return err
		}
		st, err := openStore(env.cfg, "sync", time.Second)
		if err != nil {
			return err
		}
		defer st.Close()
		pageID, err := inbox.ResolvePage(ctx, env.cfg.PageID, st, gc)
		if err != nil {
			return err
		}
		if err := st.EnsurePages(ctx, []string{pageID}); err != nil {
			return err
		}
		var cutoff time.Time
		if *since > 0 {
			cutoff = time.Now().Add(-*since)
		}
		n, err := inbox.Backfill(ctx, st, gc, pageID, cutoff, func(n inbox.Backfilled) {
			fmt.Fprintf(env.stderr, "\rsynced %d conversations, %d messages", n.Conversations, n.Messages)
		})
		fmt.Fprintln(env.stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "synced %d conversations, %d messages (already stored ones unchanged)\n", n.Conversations, n.Messages)
		if n.Forgotten > 0 {
			fmt.Fprintf(env.stdout, "skipped %d messages of forgotten customers, from before they were forgotten\n", n.Forgotten)
		}
		return syncLabels(ctx, env, gc, st, pageID)
	}
}

// syncLabels reads each customer's labels back from Meta's Page Inbox.
// A Page or token that cannot use them leaves labels local, with the
// reason (and the link, for the Page Contact Terms): not a failed sync.
func syncLabels(ctx context.Context, env cmdEnv, gc *fbgraph.Client, st *store.Store, pageID string) error {
	n, err := inbox.SyncLabels(ctx, gc, st, pageID)
	if fbgraph.LabelsUnavailable(err) {
		why := err.Error()
		var e *fbgraph.Error
		if errors.As(err, &e) {
			why = e.Reason()
		}
		fmt.Fprintf(env.stderr, "labels not read from Meta (they stay as they are here): %s\n", why)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "read the labels of %d conversations from Meta", n.Conversations)
	if n.Skipped > 0 {
		fmt.Fprintf(env.stdout, " (%d unknown to Meta, skipped)", n.Skipped)
	}
	fmt.Fprintln(env.stdout)
	return nil
}
