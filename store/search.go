package store

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Search finds conversations in filter whose customer name, PSID or last
// message contains query (case-insensitive), newest activity first, at
// most limit. It reads every conversation record: callers run it off the
// UI's event loop and drop stale answers.
func (s *Store) Search(ctx context.Context, filter Filter, query string, limit int) ([]Conversation, error) {
	if limit <= 0 {
		limit = 200
	}
	def, err := LookupFilter(filter)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	now := s.now()
	var out []Conversation
	err = s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bConvs).Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if i++; i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			rec := &convRecord{}
			if err := json.Unmarshal(v, rec); err != nil {
				return err
			}
			if !rec.listed() || !def.Match(&rec.Conversation, now) {
				continue
			}
			if q != "" && !strings.Contains(strings.ToLower(rec.Name), q) && !strings.Contains(rec.PSID, q) &&
				!strings.Contains(strings.ToLower(rec.LastMessage), q) {
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
