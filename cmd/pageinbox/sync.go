package main

import (
	"context"
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
		var threads, messages, forgotten int
		err = gc.Conversations(ctx, pageID, 25, func(t fbgraph.Thread) error {
			if !cutoff.IsZero() && t.UpdatedTime.Before(cutoff) {
				return fbgraph.ErrStop // newest first: the rest is older
			}
			customer, ok := t.Customer(pageID)
			if !ok {
				return nil
			}
			events := backfillEvents(pageID, customer.ID, t.Messages)
			events, dropped, err := withoutForgotten(ctx, st, pageID, customer.ID, events)
			if err != nil {
				return err
			}
			forgotten += dropped
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
		if forgotten > 0 {
			fmt.Fprintf(env.stdout, "skipped %d messages of forgotten customers, from before they were forgotten\n", forgotten)
		}
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

// withoutForgotten drops the events of a customer forgotten since, from
// before the forget (the store would drop them too; this counts them).
func withoutForgotten(ctx context.Context, st *store.Store, pageID, psid string, events []store.Event) ([]store.Event, int, error) {
	at, ok, err := st.ForgottenAt(ctx, store.ConvKey{PageID: pageID, PSID: psid})
	if err != nil || !ok {
		return events, 0, err
	}
	kept := events[:0]
	for _, e := range events {
		if e.Time.After(at) {
			kept = append(kept, e)
		}
	}
	return kept, len(events) - len(kept), nil
}
