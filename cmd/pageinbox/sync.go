package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
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
		pageID, err := resolvePage(ctx, env.cfg, st, gc)
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
		var threads, messages int
		err = gc.Conversations(ctx, pageID, 25, func(t fbgraph.Thread) error {
			if !cutoff.IsZero() && t.UpdatedTime.Before(cutoff) {
				return fbgraph.ErrStop // newest first: the rest is older
			}
			customer, ok := t.Customer(pageID)
			if !ok {
				return nil
			}
			events := backfillEvents(pageID, customer.ID, t.Messages)
			if len(events) == 0 {
				return nil
			}
			if err := st.Ingest(ctx, events); err != nil {
				return fmt.Errorf("conversation with %s: %w", customer.ID, err)
			}
			if customer.Name != "" {
				key := store.ConvKey{PageID: pageID, PSID: customer.ID}
				if c, err := st.Conversation(ctx, key); err == nil && c.Name == "" {
					st.SetName(ctx, key, customer.Name)
				}
			}
			threads++
			messages += len(events)
			fmt.Fprintf(env.stderr, "\rsynced %d conversations, %d messages", threads, messages)
			return nil
		})
		fmt.Fprintln(env.stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "synced %d conversations, %d messages (already stored ones unchanged)\n", threads, messages)
		return nil
	}
}

// backfillEvents turns a thread's messages into events: the page's own
// become echoes, the customer's inbound messages.
func backfillEvents(pageID, psid string, msgs []fbgraph.ThreadMessage) []store.Event {
	var events []store.Event
	for _, m := range msgs {
		if m.ID == "" || m.CreatedTime.IsZero() {
			continue
		}
		e := store.Event{Kind: store.EventMessage, PageID: pageID, PSID: psid, MID: m.ID, Text: m.Text, Time: m.CreatedTime}
		if m.From.ID == pageID {
			e.Kind = store.EventEcho
		}
		events = append(events, e)
	}
	return events
}
