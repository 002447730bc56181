package store

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// convRecord is a conversation as stored: the public summary plus its
// internal number, the prefix of its message keys.
type convRecord struct {
	Conversation
	CID uint64 `json:"cid"`
	// The thread's newest and oldest messages (their keys in messages;
	// 0 while it has none): the ends of its chain (chain.go).
	Newest uint64 `json:"newest,omitempty"`
	Oldest uint64 `json:"oldest,omitempty"`
}

// listed reports whether the conversation appears in the inbox: one that
// has only seen a delivery or a read has nothing to show yet.
func (r *convRecord) listed() bool { return r.MessageCount > 0 }

// convEntry is a conversation loaded in this transaction: every event of a
// batch works on the same record, which is written once at the end.
type convEntry struct {
	rec   *convRecord
	old   convRecord // as it was before this transaction
	dirty bool
}

// conv loads a conversation, creating it when create is set. It returns
// the record to modify and a copy of how it was before the transaction.
func (w *wtx) conv(key ConvKey, create bool) (rec *convRecord, old convRecord, err error) {
	if e, ok := w.convs[key]; ok {
		return e.rec, e.old, nil
	}
	rec = &convRecord{}
	found := false
	if cached, ok := w.s.cachedConv(key); ok {
		*rec, found = cached, true
	} else if found, err = getConv(w.bucket(bConvs), convKeyBytes(key), rec); err != nil {
		return nil, old, err
	}
	if !found {
		if !create {
			return nil, old, &notFoundError{what: "conversation " + key.String()}
		}
		ids := w.bucket(bConvIDs)
		id, err := ids.NextSequence()
		if err != nil {
			return nil, old, err
		}
		if err := ids.Put(u64(id), convKeyBytes(key)); err != nil {
			return nil, old, err
		}
		rec = &convRecord{Conversation: Conversation{ConvKey: key, Status: ConvOpen}, CID: id}
		old = convRecord{CID: id}
	} else {
		old = *rec
	}
	if w.convs == nil {
		w.convs = map[ConvKey]*convEntry{}
	}
	w.convs[key] = &convEntry{rec: rec, old: old}
	w.convOrder = append(w.convOrder, key)
	return rec, old, nil
}

// saveConv marks rec to be written when the transaction's ops are done.
func (w *wtx) saveConv(rec *convRecord, _ convRecord) error {
	e, ok := w.convs[rec.ConvKey]
	if !ok || e.rec != rec {
		return fmt.Errorf("store: saving conversation %s not loaded in this transaction", rec.ConvKey)
	}
	e.dirty = true
	return nil
}

// flushConvs writes every changed conversation once, moves its index
// entries and announces it.
func (w *wtx) flushConvs() error {
	for _, key := range w.convOrder {
		e := w.convs[key]
		if !e.dirty {
			continue
		}
		if err := putConv(w.bucket(bConvs), convKeyBytes(key), e.rec); err != nil {
			return err
		}
		if err := w.reindex(e.rec, &e.old); err != nil {
			return err
		}
		c := e.rec.Conversation
		w.emit(Change{Kind: ConversationUpdated, Conversation: &c})
		w.written = append(w.written, *e.rec)
	}
	w.convs, w.convOrder = nil, nil
	return nil
}

// The conversation cache saves the writer decoding a record it wrote
// itself. It is read and written only under commitMu, and updated only
// after a commit succeeds, so it never holds what the file does not.
const maxCachedConvs = 100_000

func (s *Store) cachedConv(key ConvKey) (convRecord, bool) {
	if s == nil {
		return convRecord{}, false
	}
	rec, ok := s.convCache[key]
	return rec, ok
}

func (s *Store) rememberConvs(recs []convRecord) {
	if s.convCache == nil || len(s.convCache)+len(recs) > maxCachedConvs {
		s.convCache = make(map[ConvKey]convRecord, len(recs))
	}
	for _, r := range recs {
		s.convCache[r.ConvKey] = r
	}
}

// reindex moves a conversation's rows in the indexed filters (Filters)
// and their counts.
func (w *wtx) reindex(rec, old *convRecord) error {
	for _, ix := range indexes {
		b := w.bucket(ix.bucket)
		was, is := ix.in(old), ix.in(rec)
		if was && (!is || !old.LastActivity.Equal(rec.LastActivity)) {
			if err := b.Delete(actKey(old.LastActivity, old.CID)); err != nil {
				return err
			}
		}
		if is {
			if err := b.Put(actKey(rec.LastActivity, rec.CID), nil); err != nil {
				return err
			}
		}
		switch {
		case was && !is:
			addCount(w.bucket(bCounts), ix.count, -1)
			addCount(w.bucket(bCounts), pageCountKey(ix.count, rec.PageID), -1)
		case !was && is:
			addCount(w.bucket(bCounts), ix.count, 1)
			addCount(w.bucket(bCounts), pageCountKey(ix.count, rec.PageID), 1)
		}
	}
	return w.reteam(rec, old)
}

func addCount(b *bolt.Bucket, key []byte, delta int64) {
	var n int64
	if v := b.Get(key); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	n += delta
	if n < 0 {
		n = 0
	}
	_ = b.Put(key, u64(uint64(n)))
}

// rebuildCounts recounts every filter from the index buckets.
func rebuildCounts(tx *bolt.Tx) error {
	counts, err := tx.CreateBucketIfNotExists(bCounts)
	if err != nil {
		return err
	}
	for _, ix := range indexes {
		b, err := tx.CreateBucketIfNotExists(ix.bucket)
		if err != nil {
			return err
		}
		if err := counts.Put(ix.count, u64(uint64(b.Stats().KeyN))); err != nil {
			return err
		}
	}
	return nil
}

// addMessage stores a new message in rec's thread and updates rec's
// summary. The caller saves rec.
func (w *wtx) addMessage(rec *convRecord, m *Message) error {
	m.ConvKey, m.ID = rec.ConvKey, ""
	return w.addEncodedMessage(rec, m, appendMessage(nil, m))
}

// addEncodedMessage is addMessage for a message already encoded
// (appendMessage; the id, which depends on the key, is not in the record).
func (w *wtx) addEncodedMessage(rec *convRecord, m *Message, encoded []byte) error {
	key, err := w.linkMessage(rec, m.Time, encoded)
	if err != nil {
		return err
	}
	m.ConvKey = rec.ConvKey
	m.ID = messageID(key)
	if m.MID != "" {
		if err := w.bucket(bMIDs).Put(midKey(rec.PageID, m.MID), key); err != nil {
			return err
		}
	}
	rec.MessageCount++
	rec.touchLast(m)
	cp := *m
	w.emit(Change{Kind: MessageAdded, Message: &cp})
	return nil
}

// touchLast makes m the conversation's last message if nothing newer is.
func (r *convRecord) touchLast(m *Message) {
	if !m.Time.Before(r.LastMessageTime) {
		r.LastMessage, r.LastDirection = preview(m), m.Direction
		r.LastMessageTime = m.Time
	}
	r.bump(m.Time)
}

func (r *convRecord) bump(t time.Time) {
	if t.After(r.LastActivity) {
		r.LastActivity = t
	}
}

// preview is the one-line summary of a message shown in the inbox.
func preview(m *Message) string {
	text := strings.Join(strings.Fields(m.Text), " ")
	if text == "" && len(m.Attachments) > 0 {
		text = "[" + m.Attachments[0].Type + "]"
	}
	if r := []rune(text); len(r) > 120 {
		text = string(r[:120]) + "…"
	}
	return text
}

// messageByMID finds a message by Meta's id.
func (w *wtx) messageByMID(pageID, mid string) ([]byte, *Message, error) {
	key := w.bucket(bMIDs).Get(midKey(pageID, mid))
	if key == nil {
		return nil, nil, nil
	}
	key = append([]byte(nil), key...)
	m := &Message{}
	found, err := getMessage(w.bucket(bMsgs), key, m)
	if err != nil || !found {
		return nil, nil, err
	}
	return key, m, nil
}

func (w *wtx) putMessage(key []byte, m *Message) error {
	if err := putMessageRecord(w.bucket(bMsgs), key, m); err != nil {
		return err
	}
	cp := *m
	w.emit(Change{Kind: MessageChanged, Message: &cp})
	return nil
}
