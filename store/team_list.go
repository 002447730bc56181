package store

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"
)

// listTeam lists a filter narrowed to an assignee, the unassigned, or a
// label: it walks that name's rows of act_assignee or act_label (newest
// first, so a first screen is a Seek) and keeps those the filter matches.
func (s *Store) listTeam(ctx context.Context, q ListQuery) (ConversationPage, error) {
	var page ConversationPage
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	f, err := LookupFilter(q.Filter)
	if err != nil {
		return page, err
	}
	bucket, name := bActAssignee, q.Assignee
	if q.Label != "" {
		bucket, name = bActLabel, q.Label
	}
	prefix := namePrefix(name)
	var start []byte
	if q.After != "" {
		k, err := listCursorKey(q.After)
		if err != nil {
			return page, err
		}
		start = append(append([]byte(nil), prefix...), k...)
	}
	now := s.now()
	err = s.view(ctx, func(tx *bolt.Tx) error {
		ids, convs := tx.Bucket(bConvIDs), tx.Bucket(bConvs)
		c := tx.Bucket(bucket).Cursor()
		var last []byte
		for k := seekBefore(c, prefix, start); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			ck := ids.Get(actKeyCID(k[len(prefix):]))
			if ck == nil {
				continue
			}
			rec := &convRecord{}
			if _, err := getJSON(convs, ck, rec); err != nil {
				return err
			}
			if !f.Match(&rec.Conversation, now) || !q.matchesTeam(&rec.Conversation) {
				continue
			}
			if len(page.Conversations) == limit {
				page.Next = listCursor(last)
				return nil
			}
			page.Conversations = append(page.Conversations, rec.Conversation)
			last = append(last[:0], k[len(prefix):]...)
		}
		return nil
	})
	return page, err
}

// seekBefore places c on the last key under prefix that sorts before
// start (nil: the last key under prefix).
func seekBefore(c *bolt.Cursor, prefix, start []byte) []byte {
	if start == nil {
		start = append(bytes.Clone(prefix[:len(prefix)-1]), 1) // just past the prefix
	}
	k, _ := c.Seek(start)
	if k == nil {
		k, _ = c.Last()
	}
	for k != nil && bytes.Compare(k, start) >= 0 {
		k, _ = c.Prev()
	}
	return k
}

// matchesTeam checks the parts of q that the walked index does not.
func (q ListQuery) matchesTeam(c *Conversation) bool {
	if q.Unassigned && c.Assignee != "" || q.Assignee != "" && c.Assignee != q.Assignee {
		return false
	}
	return q.Label == "" || c.Labels.Has(q.Label)
}

// team reports whether q narrows by assignee or label.
func (q ListQuery) team() bool { return q.Assignee != "" || q.Unassigned || q.Label != "" }
