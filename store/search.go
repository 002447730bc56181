package store

import (
	"bytes"
	"context"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Search finds conversations in filter whose customer name, PSID or last
// message contains query (case-insensitive), newest activity first, at
// most limit. It reads every conversation record: callers run it off the
// UI's event loop and drop stale answers.
func (s *Store) Search(ctx context.Context, filter Filter, query string, limit int) ([]Conversation, error) {
	return s.SearchQuery(ctx, ListQuery{Filter: filter, Search: query}, limit)
}

// SearchQuery is Search narrowed as q is: to an assignee, the unassigned
// a label or a Page (q.After and q.Limit are not read).
func (s *Store) SearchQuery(ctx context.Context, q ListQuery, limit int) ([]Conversation, error) {
	filter, query := q.Filter, q.Search
	if limit <= 0 {
		limit = 200
	}
	def, err := LookupFilter(filter)
	if err != nil {
		return nil, err
	}
	if err := checkPageID(q.PageID); err != nil {
		return nil, err
	}
	text := strings.ToLower(strings.TrimSpace(query))
	now := s.now()
	var out []Conversation
	err = s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bConvs).Cursor()
		i := 0
		// A Page's conversations sit together: seek to them.
		var prefix []byte
		if q.PageID != "" {
			prefix = namePrefix(q.PageID)
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if i++; i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			rec := &convRecord{}
			if err := decodeConv(v, rec); err != nil {
				return err
			}
			if !rec.listed() || !def.Match(&rec.Conversation, now) || !q.matchesTeam(&rec.Conversation) {
				continue
			}
			if text != "" && !strings.Contains(strings.ToLower(rec.Name), text) && !strings.Contains(rec.PSID, text) &&
				!strings.Contains(strings.ToLower(rec.LastMessage), text) {
				continue
			}
			out = append(out, rec.Conversation)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].LastActivity.After(out[j].LastActivity) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}
