package store

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ConversationKeys lists every conversation matching q's filter (and its
// search, if any), newest activity first: "select all in this filter".
// q.After and q.Limit are ignored. Without a search it reads only the
// filter's index and the id table, decoding no record, except for the
// window filter, which reads the last inbound time of the conversations
// active in the last 24 h.
func (s *Store) ConversationKeys(ctx context.Context, q ListQuery) ([]ConvKey, error) {
	if q.Search != "" {
		convs, err := s.Search(ctx, q.Filter, q.Search, math.MaxInt)
		keys := make([]ConvKey, len(convs))
		for i, c := range convs {
			keys[i] = c.ConvKey
		}
		return keys, err
	}
	bucket := bActAll
	switch q.Filter {
	case FilterUnread:
		bucket = bActUnread
	case FilterDone:
		bucket = bActDone
	case FilterAll, FilterWindow, "":
	default:
		return nil, invalidf("filter %q", q.Filter)
	}
	now := s.now()
	// As in Conversations: activity is never older than the last inbound
	// message, so the window filter stops at the first row older than 24 h.
	windowFloor := actKey(now.Add(-ResponseWindow), 0)
	var keys []ConvKey
	err := s.view(ctx, func(tx *bolt.Tx) error {
		ids, convs := tx.Bucket(bConvIDs), tx.Bucket(bConvs)
		c := tx.Bucket(bucket).Cursor()
		i := 0
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if i++; i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if q.Filter == FilterWindow && bytes.Compare(k, windowFloor) < 0 {
				return nil
			}
			raw := ids.Get(k[8:])
			if raw == nil {
				continue
			}
			if q.Filter == FilterWindow {
				var r struct {
					LastInboundTime time.Time `json:"last_inbound_time"`
				}
				if err := json.Unmarshal(convs.Get(raw), &r); err != nil {
					return err
				}
				if WindowAt(r.LastInboundTime, now).State != WindowOpen {
					continue
				}
			}
			keys = append(keys, parseConvKey(raw))
		}
		return nil
	})
	return keys, err
}
