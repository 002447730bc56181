package store

import (
	"encoding/binary"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// DowngradeToSchema7 turns the file at path, written by this code, into
// the layout schema 7 wrote: each thread's messages a key range of msgs
// (cid, time, seq) in format 1, mids pointing to those keys, the outbox
// naming messages by their schema 7 ids. Tests make older files out of it
// (and the migrations bring it back).
func DowngradeToSchema7(t testing.TB, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		msgs, convs := tx.Bucket(bMsgs), tx.Bucket(bConvs)
		old, err := tx.CreateBucket(bMsgsV7)
		if err != nil {
			return err
		}
		if err := old.SetSequence(msgs.Sequence()); err != nil {
			return err
		}
		oldKey := map[uint64][]byte{}
		var recs []convRecord
		var keys [][]byte
		err = convs.ForEach(func(k, v []byte) error {
			rec := convRecord{}
			if err := decodeConv(v, &rec); err != nil {
				return err
			}
			err := walkChain(msgs, &rec, rec.Newest, func(mk, mv []byte) (bool, error) {
				var m Message
				if err := decodeMessage(mk, mv, &m); err != nil {
					return false, err
				}
				seq := binary.BigEndian.Uint64(mk)
				ok := threadKey(rec.CID, m.Time, seq)
				oldKey[seq] = ok
				return true, old.Put(ok, append([]byte{msgFormat1}, mv[msgPrevEnd:]...))
			})
			rec.Newest, rec.Oldest = 0, 0
			recs, keys = append(recs, rec), append(keys, append([]byte(nil), k...))
			return err
		})
		if err != nil {
			return err
		}
		for i := range recs {
			if err := putConv(convs, keys[i], &recs[i]); err != nil {
				return err
			}
		}
		mids := tx.Bucket(bMIDs)
		var midKeys [][]byte
		mids.ForEach(func(k, v []byte) error { midKeys = append(midKeys, append([]byte(nil), k...)); return nil })
		for _, k := range midKeys {
			if err := mids.Put(k, oldKey[binary.BigEndian.Uint64(mids.Get(k))]); err != nil {
				return err
			}
		}
		outbox := tx.Bucket(bOutbox)
		var items [][2][]byte
		err = outbox.ForEach(func(k, v []byte) error {
			nv, err := fixField(v, "message_id", func(id string) (string, bool) {
				key, err := messageKeyFromID(id)
				if err != nil {
					return "", false
				}
				return v7MessageID(oldKey[binary.BigEndian.Uint64(key)]), true
			})
			if nv != nil {
				items = append(items, [2][]byte{append([]byte(nil), k...), nv})
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := outbox.Put(it[0], it[1]); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bMsgs); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(keySchema, u32(7))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// MigratedMessageID is the id a message with the schema 7 id old has after
// the migration to schema 8 ("" if old is not such an id).
func MigratedMessageID(old string) string {
	key, ok := v7MessageKey(old)
	if !ok {
		return ""
	}
	return messageID(key[16:])
}
