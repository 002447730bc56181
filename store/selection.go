package store

import (
	"context"
	"math"

	bolt "go.etcd.io/bbolt"
)

// ConversationKeys lists every conversation matching q's filter (and its
// search and team narrowing, if any), newest activity first: "select all in this filter".
// q.After and q.Limit are ignored. Without a search an indexed filter reads
// only its index and the id table, decoding no record; the window filter
// reads the records of the conversations active in the last 24 h.
func (s *Store) ConversationKeys(ctx context.Context, q ListQuery) ([]ConvKey, error) {
	if q.Search != "" || q.team() {
		convs, err := s.SearchQuery(ctx, q, math.MaxInt)
		keys := make([]ConvKey, len(convs))
		for i, c := range convs {
			keys[i] = c.ConvKey
		}
		return keys, err
	}
	f, err := LookupFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var keys []ConvKey
	err = s.view(ctx, func(tx *bolt.Tx) error {
		return f.walk(ctx, tx, nil, now, func(_, convKey []byte, _ *convRecord) (bool, error) {
			keys = append(keys, parseConvKey(convKey))
			return true, nil
		})
	})
	return keys, err
}
