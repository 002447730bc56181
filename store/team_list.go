package store

import (
	"bytes"
	"context"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// listTeam lists a filter narrowed to an assignee, the unassigned, a
// label or a Page: it walks that name's rows of act_assignee, act_label
// or act_page (newest first, so a first screen is a Seek) and keeps those
// the filter and the rest of q match.
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
	if err := checkPageID(q.PageID); err != nil {
		return page, err
	}
	bucket, name := q.narrowest(f)
	prefix := namePrefix(name)
	var pagePrefix []byte
	if q.PageID != "" {
		pagePrefix = namePrefix(q.PageID) // convs keys start with the Page
	}
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
		convs := tx.Bucket(bConvs)
		var last []byte
		return walkRows(ctx, tx, bucket, prefix, start, f.floor(now), func(k, ck []byte) (bool, error) {
			if pagePrefix != nil && !bytes.HasPrefix(ck, pagePrefix) {
				return true, nil // another Page's: told by its key, without decoding it
			}
			rec := &convRecord{}
			if _, err := getConv(convs, ck, rec); err != nil {
				return false, err
			}
			if !f.Match(&rec.Conversation, now) || !q.matchesTeam(&rec.Conversation) {
				return true, nil
			}
			if len(page.Conversations) == limit {
				page.Next = listCursor(last)
				return false, nil
			}
			page.Conversations = append(page.Conversations, rec.Conversation)
			last = append(last[:0], k...)
			return true, nil
		})
	})
	return page, err
}

// seekBefore places c on the last key under prefix that sorts before
// start (nil: the last key under prefix, or in the bucket if prefix is
// empty).
func seekBefore(c *bolt.Cursor, prefix, start []byte) []byte {
	if start == nil {
		if len(prefix) == 0 {
			k, _ := c.Last()
			return k
		}
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

// narrowest is the index listTeam walks for q under f, and the name whose
// rows it reads: a label, else an assignee (or the unassigned), else f's
// index within the Page.
func (q ListQuery) narrowest(f *FilterDef) (bucket []byte, name string) {
	switch {
	case q.Label != "":
		return bActLabel, q.Label
	case q.Assignee != "" || q.Unassigned:
		return bActAssignee, q.Assignee
	}
	for _, ix := range indexes {
		if bytes.Equal(ix.bucket, f.index) {
			return bActPage, pageName(ix.count, q.PageID)
		}
	}
	return bActPage, pageName(countKey(FilterAll), q.PageID)
}

// matchesTeam checks the parts of q that the walked index does not.
func (q ListQuery) matchesTeam(c *Conversation) bool {
	if q.PageID != "" && c.PageID != q.PageID {
		return false
	}
	if q.Unassigned && c.Assignee != "" || q.Assignee != "" && c.Assignee != q.Assignee {
		return false
	}
	return q.Label == "" || c.Labels.Has(q.Label)
}

// checkPageID refuses a Page id that cannot be a key part: it would
// reach into the activity bytes of act_page's keys.
func checkPageID(id string) error {
	if strings.ContainsRune(id, 0) {
		return invalidf("page id %q", id)
	}
	return nil
}

// team reports whether q narrows by assignee, label or Page.
func (q ListQuery) team() bool {
	return q.Assignee != "" || q.Unassigned || q.Label != "" || q.PageID != ""
}
