package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// ReplayStore is what Replay needs of the store.
type ReplayStore interface {
	Journal(ctx context.Context, since time.Time, after store.Cursor, limit int) ([]store.JournalEntry, store.Cursor, error)
	Ingest(ctx context.Context, events []store.Event) error
	EnsurePages(ctx context.Context, ids []string) error
}

// ReplayStats says what a replay did.
type ReplayStats struct {
	Posts, Events, SetAside, Unparsable int
}

// Replay parses every journaled POST received since the given time again
// and ingests its events. Ingest is idempotent, so replaying is harmless;
// it recovers events an older parser missed or misread.
func Replay(ctx context.Context, st ReplayStore, since time.Time, now func() time.Time) (ReplayStats, error) {
	var rs ReplayStats
	var after store.Cursor
	for {
		entries, next, err := st.Journal(ctx, since, after, 200)
		if err != nil {
			return rs, err
		}
		for _, e := range entries {
			rs.Posts++
			p, err := Parse(e.Raw)
			if err != nil {
				rs.Unparsable++
				continue
			}
			if p.Object != "page" {
				continue
			}
			var events []store.Event
			pages := map[string]bool{}
			for _, ev := range p.Events {
				if ev.Validate(now()) != nil {
					rs.SetAside++
					continue
				}
				events = append(events, ev)
				pages[ev.PageID] = true
			}
			ids := make([]string, 0, len(pages))
			for id := range pages {
				ids = append(ids, id)
			}
			if len(ids) > 0 {
				if err := st.EnsurePages(ctx, ids); err != nil {
					return rs, err
				}
			}
			if err := st.Ingest(ctx, events); err != nil {
				return rs, fmt.Errorf("replay POST received %s: %w", e.Received.Format(time.RFC3339), err)
			}
			rs.Events += len(events)
		}
		if next == "" {
			return rs, nil
		}
		after = next
	}
}
