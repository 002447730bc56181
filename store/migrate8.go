package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// chainMessages upgrades schema 7, where each thread's messages were a key
// range of msgs, cid(8) time(8) seq(8), to the messages bucket: keyed by
// that seq (the old bucket's NextSequence, so arrival order and unique),
// each thread a chain (chain.go). A message keeps its number, so the new id
// is a function of the old one: mids and the outbox items' message ids are
// rewritten without a map. It moves migrationBatch messages per
// transaction in the old key order (thread by thread, oldest first), so
// each thread's chain grows at its newest end, then deletes msgs. Each
// transaction leaves the file whole, so an Open cut short goes on where it
// stopped.
func chainMessages(db *bolt.DB) error {
	for more := true; more; {
		err := db.Update(func(tx *bolt.Tx) error {
			var err error
			more, err = chainBatch(tx)
			return err
		})
		if err != nil {
			return err
		}
	}
	err := rewriteRecords(db, bMIDs, func(_ *bolt.Tx, _, v []byte) ([]byte, error) {
		if len(v) != threadKeyLen {
			return nil, nil // moved already
		}
		return append([]byte(nil), v[16:]...), nil
	})
	if err != nil {
		return err
	}
	err = rewriteField(db, bOutbox, "message_id", func(_ []byte, old string) (string, bool) {
		key, ok := v7MessageKey(old)
		if !ok {
			return "", false // a new id already, or no message yet
		}
		return messageID(key[16:]), true
	})
	if err != nil {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bMsgsV7) == nil {
			return nil
		}
		return tx.DeleteBucket(bMsgsV7)
	})
}

// chainBatch moves up to migrationBatch messages from msgs to messages and
// reports whether msgs holds more.
func chainBatch(tx *bolt.Tx) (bool, error) {
	old := tx.Bucket(bMsgsV7)
	if old == nil {
		return false, nil
	}
	msgs, err := tx.CreateBucketIfNotExists(bMsgs)
	if err != nil {
		return false, err
	}
	// New messages are numbered after every number msgs gave out.
	if err := msgs.SetSequence(max(msgs.Sequence(), old.Sequence())); err != nil {
		return false, err
	}
	convs, convIDs := tx.Bucket(bConvs), tx.Bucket(bConvIDs)
	threads := map[uint64]*thread{}
	var moved [][]byte
	c := old.Cursor()
	for k, v := c.First(); k != nil && len(moved) < migrationBatch; k, v = c.Next() {
		if len(k) != threadKeyLen {
			return false, fmt.Errorf("record %x in %s: %w: key is not %d bytes", k, bMsgsV7, errDamaged, threadKeyLen)
		}
		var m Message
		if err := decodeMessage(k, v, &m); err != nil {
			return false, fmt.Errorf("record %x in %s: %w", k, bMsgsV7, err)
		}
		nk, nv := append([]byte(nil), k[16:]...), appendMessage(nil, &m)
		if msgs.Get(nk) != nil {
			return false, fmt.Errorf("record %x in %s: %w: its number is taken", k, bMsgsV7, errDamaged)
		}
		cid, seq := binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(nk)
		t, ok := threads[cid]
		if !ok {
			if t, err = loadThread(convs, convIDs, cid); err != nil {
				return false, err
			}
			threads[cid] = t
		}
		// A message whose conversation is gone is kept, in no thread.
		if t != nil {
			setPrev(nv, t.rec.Newest)
			t.rec.Newest = seq
			if t.rec.Oldest == 0 {
				t.rec.Oldest = seq
			}
		}
		if err := msgs.Put(nk, nv); err != nil {
			return false, err
		}
		moved = append(moved, append([]byte(nil), k...))
	}
	for _, k := range moved { // not under the moving cursor
		if err := old.Delete(k); err != nil {
			return false, err
		}
	}
	for _, t := range threads {
		if t == nil {
			continue
		}
		v, err := t.record()
		if err != nil {
			return false, err
		}
		if err := convs.Put(t.key, v); err != nil {
			return false, err
		}
	}
	k, _ := old.Cursor().First()
	return k != nil, nil
}

// thread is a conversation record as chainBatch links its messages.
type thread struct {
	key []byte
	rec convRecord
	// The record as read when it is JSON (older schemas): it is written
	// back as JSON with the chain's ends set and every other field kept,
	// for the older migrations that run after this one (a schema 2 draft).
	json map[string]json.RawMessage
}

// record is t's record to write back.
func (t *thread) record() ([]byte, error) {
	if t.json == nil {
		return appendConv(nil, &t.rec), nil
	}
	t.json["newest"], _ = json.Marshal(t.rec.Newest)
	t.json["oldest"], _ = json.Marshal(t.rec.Oldest)
	return json.Marshal(t.json)
}

// loadThread reads conversation cid's record; nil when there is none.
func loadThread(convs, convIDs *bolt.Bucket, cid uint64) (*thread, error) {
	key := convIDs.Get(u64(cid))
	if key == nil {
		return nil, nil
	}
	v := convs.Get(key)
	if v == nil {
		return nil, nil
	}
	t := &thread{key: append([]byte(nil), key...)}
	if err := decodeOldConv(v, &t.rec); err != nil {
		return nil, fmt.Errorf("record %x in %s: %w", key, bConvs, err)
	}
	if len(v) > 0 && v[0] == '{' {
		if err := json.Unmarshal(v, &t.json); err != nil {
			return nil, fmt.Errorf("record %x in %s: %w", key, bConvs, err)
		}
	}
	return t, nil
}
