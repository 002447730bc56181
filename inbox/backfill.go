package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// Backfilled is what a Backfill stored: conversations and messages, and
// the messages of forgotten customers it skipped.
type Backfilled struct {
	Conversations, Messages, Forgotten int
}

// Backfill stores the Page's conversations active since cutoff (zero: all)
// from the Conversations API: history from before the webhook was set up.
// What the webhook already stored is not duplicated (messages are deduped
// by mid), a forgotten customer's messages from before the forget are
// skipped, and a customer without a name gets the one Meta has. progress
// is told after each conversation.
func Backfill(ctx context.Context, st *store.Store, gc *fbgraph.Client, pageID string, cutoff time.Time,
	progress func(Backfilled)) (Backfilled, error) {
	var n Backfilled
	err := gc.Conversations(ctx, pageID, 25, func(t fbgraph.Thread) error {
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
		n.Forgotten += dropped
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
		n.Conversations++
		n.Messages += len(events)
		if progress != nil {
			progress(n)
		}
		return nil
	})
	return n, err
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
