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
// it recovers events an older parser missed or misread, and the bodies and
// events the webhook set aside. What is still not understood or refused is
// counted and left in the journal; only a store that cannot commit stops it.
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
			p, err := Decode(e.Raw)
			if err != nil {
				rs.Unparsable++
				continue
			}
			if p.Object != "page" {
				continue
			}
			rs.SetAside += len(p.Problems)
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
			stored, refused, err := ingestEach(ctx, st, events)
			if err != nil {
				return rs, fmt.Errorf("replay POST received %s (journal %s): %w", e.Received.Format(time.RFC3339), e.ID, err)
			}
			rs.Events += len(stored)
			rs.SetAside += len(refused)
		}
		if next == "" {
			return rs, nil
		}
		after = next
	}
}
