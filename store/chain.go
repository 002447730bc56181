package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A thread is a chain through the messages bucket (keys.go). Messages are
// keyed in arrival order, so that the writer appends every new message at
// the end of one B-tree instead of into one leaf per thread: a batch of
// events for many customers dirties a few pages, not one per conversation.
// The conversation record holds the chain's ends (Newest, Oldest) and each
// message the key of the one before it in thread order: time, then arrival
// for messages of the same time.
//
// Readers walk from Newest through prev: the newest page of a thread is
// limit seeks, an older page starts after its cursor. A message that is not
// the newest when it arrives (an echo overtaken by a reply, history synced
// newest first) is linked into its place, which rewrites the message after
// it: rare, and bounded by how far back it belongs.

// linkMessage stores the record v (appendMessage's, owned by the caller)
// as a new message of rec's thread at time t, and returns its key. rec's
// ends change; the caller saves rec.
//
// rec.LastMessageTime is the latest time of any message the thread ever
// got (touchLast; an unlinked duplicate leaves it as it was), never earlier
// than its newest message: one at or after it is the newest without a read.
func (w *wtx) linkMessage(rec *convRecord, t time.Time, v []byte) ([]byte, error) {
	msgs := w.bucket(bMsgs)
	seq, err := msgs.NextSequence()
	if err != nil {
		return nil, err
	}
	key := msgKey(seq)
	switch {
	case rec.Newest == 0 || !t.Before(rec.LastMessageTime):
		setPrev(v, rec.Newest)
		rec.Newest = seq
	default:
		if err := w.linkBefore(rec, seq, t, v); err != nil {
			return nil, err
		}
	}
	if rec.Oldest == 0 {
		rec.Oldest = seq
	}
	return key, msgs.Put(key, v)
}

// linkBefore places the new message seq, older than the thread's newest,
// in its place: after the newest message not later than t.
func (w *wtx) linkBefore(rec *convRecord, seq uint64, t time.Time, v []byte) error {
	msgs := w.bucket(bMsgs)
	oldest, err := chainTime(msgs, rec.Oldest)
	if err != nil {
		return err
	}
	if t.Before(oldest) { // older than the whole thread: its new first message
		setPrev(v, 0)
		after := rec.Oldest
		rec.Oldest = seq
		return relink(msgs, msgKey(after), seq)
	}
	var after []byte // the message that will come after the new one
	err = walkChain(msgs, rec, rec.Newest, func(k, mv []byte) (bool, error) {
		var m Message
		if err := decodeMessage(k, mv, &m); err != nil {
			return false, err
		}
		if !m.Time.After(t) {
			setPrev(v, binary.BigEndian.Uint64(k))
			return false, nil
		}
		after = append(after[:0], k...)
		return true, nil
	})
	if err != nil {
		return err
	}
	return relink(msgs, after, seq)
}

// unlinkMessage deletes the message at key from rec's thread (a duplicate
// echo). rec's ends change; the caller saves rec.
func (w *wtx) unlinkMessage(rec *convRecord, key []byte) error {
	msgs := w.bucket(bMsgs)
	v := msgs.Get(key)
	if v == nil {
		return nil
	}
	seq, prev := binary.BigEndian.Uint64(key), msgPrev(v)
	var after []byte // the message after it, nil if it is the newest
	if rec.Newest == seq {
		rec.Newest = prev
	} else {
		err := walkChain(msgs, rec, rec.Newest, func(k, mv []byte) (bool, error) {
			if msgPrev(mv) == seq {
				after = append([]byte(nil), k...)
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		if after == nil {
			return fmt.Errorf("store: %w: message %x is not in its thread's chain", errDamaged, key)
		}
		if err := relink(msgs, after, prev); err != nil {
			return err
		}
	}
	if rec.Oldest == seq {
		rec.Oldest = 0
		if after != nil {
			rec.Oldest = binary.BigEndian.Uint64(after)
		}
	}
	return msgs.Delete(key)
}

// relink makes the stored message at key follow prev.
func relink(msgs *bolt.Bucket, key []byte, prev uint64) error {
	v := msgs.Get(key)
	if v == nil {
		return fmt.Errorf("store: %w: message %x of a thread's chain is missing", errDamaged, key)
	}
	return msgs.Put(key, withPrev(v, prev))
}

// chainTime is the time of the stored message seq.
func chainTime(msgs *bolt.Bucket, seq uint64) (time.Time, error) {
	var m Message
	found, err := getMessage(msgs, msgKey(seq), &m)
	if err == nil && !found {
		err = fmt.Errorf("store: %w: message %x of a thread's chain is missing", errDamaged, msgKey(seq))
	}
	return m.Time, err
}

// walkChain calls fn with each message of rec's thread from the message
// from back to the oldest, while fn says to go on. fn must not change the
// bucket, and must copy k to keep it. A chain longer than the thread's
// count, or with a missing link, is a damaged file, never an endless walk.
func walkChain(msgs *bolt.Bucket, rec *convRecord, from uint64, fn func(k, v []byte) (bool, error)) error {
	limit := rec.MessageCount + 1
	c := msgs.Cursor() // one cursor for the walk: a Get would allocate one per step
	var key [msgKeyLen]byte
	for seq, n := from, 0; seq != 0; n++ {
		if n > limit {
			return fmt.Errorf("store: %w: the thread of %s loops", errDamaged, rec.ConvKey)
		}
		binary.BigEndian.PutUint64(key[:], seq)
		k, v := c.Seek(key[:])
		if !bytes.Equal(k, key[:]) {
			return fmt.Errorf("store: %w: message %x of the thread of %s is missing", errDamaged, key, rec.ConvKey)
		}
		more, err := fn(key[:], v)
		if err != nil || !more {
			return err
		}
		seq = msgPrev(v)
	}
	return nil
}

// checkChains verifies every thread's chain: as many messages as the
// conversation counts, each of that conversation, in time order, ending at
// Oldest.
func checkChains(tx *bolt.Tx) error {
	msgs := tx.Bucket(bMsgs)
	return tx.Bucket(bConvs).ForEach(func(k, v []byte) error {
		rec := &convRecord{}
		if err := decodeConv(v, rec); err != nil {
			return fmt.Errorf("conversation %x: %w", k, err)
		}
		n, last := 0, uint64(0)
		var newer time.Time
		err := walkChain(msgs, rec, rec.Newest, func(mk, mv []byte) (bool, error) {
			var m Message
			if err := decodeMessage(mk, mv, &m); err != nil {
				return false, err
			}
			if m.ConvKey != rec.ConvKey {
				return false, fmt.Errorf("message %x of %s is in the thread of %s", mk, m.ConvKey, rec.ConvKey)
			}
			if n > 0 && m.Time.After(newer) {
				return false, fmt.Errorf("thread of %s is out of time order at message %x", rec.ConvKey, mk)
			}
			n, last, newer = n+1, binary.BigEndian.Uint64(mk), m.Time
			return true, nil
		})
		switch {
		case err != nil:
			return err
		case n != rec.MessageCount:
			return fmt.Errorf("thread of %s has %d messages, its conversation counts %d", rec.ConvKey, n, rec.MessageCount)
		case last != rec.Oldest:
			return fmt.Errorf("thread of %s ends at message %d, its conversation says %d", rec.ConvKey, last, rec.Oldest)
		}
		return nil
	})
}
