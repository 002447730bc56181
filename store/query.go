package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Cursor marks a place in a listing: an opaque token (ids.go) to hand
// back as it is. The zero Cursor is the start; an empty Next means there
// is nothing more.
type Cursor string

// ConversationPage is one page of the inbox, newest activity first.
type ConversationPage struct {
	Conversations []Conversation
	Next          Cursor
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// Conversations lists conversations matching filter in last-activity order,
// newest first, starting after cursor. It reads limit records, whatever the
// size of the file.
func (s *Store) Conversations(ctx context.Context, filter Filter, after Cursor, limit int) (ConversationPage, error) {
	var page ConversationPage
	if limit <= 0 {
		limit = 50
	}
	f, err := LookupFilter(filter)
	if err != nil {
		return page, err
	}
	var start []byte
	if after != "" {
		if start, err = listCursorKey(after); err != nil {
			return page, err
		}
	}
	now := s.now()
	err = s.view(ctx, func(tx *bolt.Tx) error {
		convs := tx.Bucket(bConvs)
		var last []byte
		return f.walk(ctx, tx, start, now, func(k, convKey []byte, rec *convRecord) (bool, error) {
			if len(page.Conversations) == limit {
				page.Next = listCursor(last)
				return false, nil
			}
			if rec == nil {
				rec = &convRecord{}
				if _, err := getConv(convs, convKey, rec); err != nil {
					return false, err
				}
			}
			page.Conversations = append(page.Conversations, rec.Conversation)
			last = append(last[:0], k...)
			return true, nil
		})
	})
	return page, err
}

// Count is how many conversations a filter holds. An indexed filter's is
// kept in the counts bucket; the others are counted a page at a time, so
// that no read transaction runs long.
func (s *Store) Count(ctx context.Context, filter Filter) (int, error) {
	f, err := LookupFilter(filter)
	if err != nil {
		return 0, err
	}
	if !f.indexed {
		return s.countList(ctx, ListQuery{Filter: f.ID})
	}
	var n int
	err = s.view(ctx, func(tx *bolt.Tx) error {
		if v := tx.Bucket(bCounts).Get(countKey(f.ID)); len(v) == 8 {
			n = int(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return n, err
}

// Conversation reads one conversation.
func (s *Store) Conversation(ctx context.Context, key ConvKey) (Conversation, error) {
	rec := &convRecord{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		found, err := getConv(tx.Bucket(bConvs), convKeyBytes(key), rec)
		if err == nil && !found {
			return &notFoundError{what: "conversation " + key.String()}
		}
		return err
	})
	return rec.Conversation, err
}

// ThreadPage is a page of a thread in time order (oldest first); Before
// continues further back in time.
type ThreadPage struct {
	Messages []Message
	Before   Cursor
}

// Thread reads up to limit messages of a conversation older than before
// (the zero cursor: the newest).
func (s *Store) Thread(ctx context.Context, key ConvKey, before Cursor, limit int) (ThreadPage, error) {
	var page ThreadPage
	if limit <= 0 {
		limit = 50
	}
	var end []byte
	if before != "" {
		var err error
		if end, err = threadCursorKey(before); err != nil {
			return page, err
		}
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		rec := &convRecord{}
		found, err := getConv(tx.Bucket(bConvs), convKeyBytes(key), rec)
		if err != nil {
			return err
		}
		if !found {
			return &notFoundError{what: "conversation " + key.String()}
		}
		msgs := tx.Bucket(bMsgs)
		from := rec.Newest
		if end != nil {
			var m Message
			if found, err := getMessage(msgs, end, &m); err != nil {
				return err
			} else if !found {
				return &notFoundError{what: "message " + string(before)}
			} else if m.ConvKey != key {
				return invalidf("cursor of another conversation")
			}
			from = msgPrev(msgs.Get(end))
		}
		return walkChain(msgs, rec, from, func(k, v []byte) (bool, error) {
			if len(page.Messages) == limit {
				page.Before = Cursor(page.Messages[len(page.Messages)-1].ID)
				return false, nil
			}
			var m Message
			if err := decodeMessage(k, v, &m); err != nil {
				return false, err
			}
			page.Messages = append(page.Messages, m)
			return true, nil
		})
	})
	// Read newest first; hand out oldest first.
	for i, j := 0, len(page.Messages)-1; i < j; i, j = i+1, j-1 {
		page.Messages[i], page.Messages[j] = page.Messages[j], page.Messages[i]
	}
	return page, err
}

// MessageByMID finds a message by Meta's message id.
func (s *Store) MessageByMID(ctx context.Context, pageID, mid string) (Message, error) {
	var m Message
	err := s.view(ctx, func(tx *bolt.Tx) error {
		key := tx.Bucket(bMIDs).Get(midKey(pageID, mid))
		if key == nil {
			return &notFoundError{what: "message " + mid}
		}
		_, err := getMessage(tx.Bucket(bMsgs), key, &m)
		return err
	})
	return m, err
}

// Message reads a message by the store's id.
func (s *Store) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	key, err := messageKeyFromID(id)
	if err != nil {
		return m, err
	}
	err = s.view(ctx, func(tx *bolt.Tx) error {
		found, err := getMessage(tx.Bucket(bMsgs), key, &m)
		if err == nil && !found {
			return &notFoundError{what: "message " + id}
		}
		return err
	})
	return m, err
}

// Pages lists the pages the store serves.
func (s *Store) Pages(ctx context.Context) ([]Page, error) {
	var pages []Page
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bPages).ForEach(func(_, v []byte) error {
			var p Page
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			pages = append(pages, p)
			return nil
		})
	})
	return pages, err
}

// EachConversation calls fn for every conversation (listed or not) in key
// order, in one read transaction. For export and backups.
func (s *Store) EachConversation(ctx context.Context, fn func(Conversation) error) error {
	return s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bConvs).ForEach(func(_, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec := &convRecord{}
			if err := decodeConv(v, rec); err != nil {
				return err
			}
			if !rec.listed() {
				return nil
			}
			return fn(rec.Conversation)
		})
	})
}

// EachMessage calls fn for every message, thread by thread (in the order
// the conversations were created), oldest first.
func (s *Store) EachMessage(ctx context.Context, fn func(Message) error) error {
	return s.view(ctx, func(tx *bolt.Tx) error {
		convs, msgs := tx.Bucket(bConvs), tx.Bucket(bMsgs)
		var keys, vals [][]byte // values stay valid: a read transaction
		return tx.Bucket(bConvIDs).ForEach(func(_, convKey []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec := &convRecord{}
			if found, err := getConv(convs, convKey, rec); err != nil || !found {
				return err
			}
			keys, vals = keys[:0], vals[:0]
			err := walkChain(msgs, rec, rec.Newest, func(k, v []byte) (bool, error) {
				keys, vals = append(keys, bytes.Clone(k)), append(vals, v)
				return true, nil
			})
			if err != nil {
				return err
			}
			for i := len(keys) - 1; i >= 0; i-- {
				var m Message
				if err := decodeMessage(keys[i], vals[i], &m); err != nil {
					return err
				}
				if err := fn(m); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// JournalEntry is one raw webhook body as received.
type JournalEntry struct {
	ID       string // as JournalRaw returns it and the webhook logs it
	Received time.Time
	Raw      []byte
}

// Journal reads up to limit raw webhook bodies received at or after since,
// continuing after cursor. Pages keep read transactions short, so a replay
// can write between them.
func (s *Store) Journal(ctx context.Context, since time.Time, after Cursor, limit int) ([]JournalEntry, Cursor, error) {
	var out []JournalEntry
	var next Cursor
	if limit <= 0 {
		limit = 100
	}
	start := u64(timeKey(since))
	if after != "" {
		b, err := journalCursorKey(after)
		if err != nil {
			return nil, "", err
		}
		start = append(b, 0) // just past it
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bJournal).Cursor()
		var last []byte
		for k, v := c.Seek(start); k != nil; k, v = c.Next() {
			if len(out) == limit {
				next = journalCursor(last)
				return nil
			}
			t := time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC()
			out = append(out, JournalEntry{ID: journalID(k), Received: t, Raw: append([]byte(nil), v...)})
			last = k
		}
		return nil
	})
	return out, next, err
}

type notFoundError struct{ what string }

func (e *notFoundError) Error() string { return "store: " + e.what + " not found" }
func (e *notFoundError) Unwrap() error { return ErrNotFound }
