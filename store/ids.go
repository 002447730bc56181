package store

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// What clients see of the keys. A message's id (Message.ID,
// OutboxItem.MessageID) and every Cursor are opaque tokens: base64url,
// unpadded, of a tag byte and a key. The tag names the key and its layout
// (keys.go): a token of another kind, or of a layout this code no longer
// writes, is refused as invalid rather than misread, and a new layout is a
// new tag. Clients keep tokens and hand them back; they never take them
// apart, so the key layout can change without the /ws protocol.
const (
	tagMessage   byte = 'n' // messages key: seq(8)
	tagMessageV7 byte = 'm' // msgs key up to schema 7: cid(8) time(8) seq(8)
	tagListPos   byte = 'l' // act_* key: lastActivity(8) cid(8)
	tagJournal   byte = 'j' // journal key: received(8) seq(8)
)

var tokenEncoding = base64.RawURLEncoding

func encodeToken(tag byte, key []byte) string {
	b := make([]byte, 1+len(key))
	b[0] = tag
	copy(b[1:], key)
	return tokenEncoding.EncodeToString(b)
}

// decodeToken is the key of a token of kind tag, whose keys are n bytes.
func decodeToken(tok string, tag byte, n int) ([]byte, bool) {
	b, err := tokenEncoding.DecodeString(tok)
	if err != nil || len(b) != 1+n || b[0] != tag {
		return nil, false
	}
	return b[1:], true
}

// messageID is the id of the message stored under key.
func messageID(key []byte) string { return encodeToken(tagMessage, key) }

// v7MessageID is the id a message had up to schema 7, from its msgs key.
func v7MessageID(key []byte) string { return encodeToken(tagMessageV7, key) }

// v7MessageKey is the schema 7 msgs key in an id v7MessageID made.
func v7MessageKey(id string) ([]byte, bool) { return decodeToken(id, tagMessageV7, threadKeyLen) }

func messageKeyFromID(id string) ([]byte, error) {
	key, ok := decodeToken(id, tagMessage, msgKeyLen)
	if !ok {
		return nil, invalidf("message id %q", id)
	}
	return key, nil
}

// threadCursorKey reads a Thread cursor: the id of the oldest message
// handed out.
func threadCursorKey(c Cursor) ([]byte, error) {
	key, ok := decodeToken(string(c), tagMessage, msgKeyLen)
	if !ok {
		return nil, invalidf("cursor %q", c)
	}
	return key, nil
}

// listCursor marks a place in a filter's listing: the act_* key of the
// last conversation handed out.
func listCursor(actKey []byte) Cursor { return Cursor(encodeToken(tagListPos, actKey)) }

func listCursorKey(c Cursor) ([]byte, error) {
	key, ok := decodeToken(string(c), tagListPos, 16)
	if !ok {
		return nil, invalidf("cursor %q", c)
	}
	return key, nil
}

// journalCursor marks a place in the journal: the key of the last entry
// handed out.
func journalCursor(key []byte) Cursor { return Cursor(encodeToken(tagJournal, key)) }

func journalCursorKey(c Cursor) ([]byte, error) {
	key, ok := decodeToken(string(c), tagJournal, 16)
	if !ok {
		return nil, invalidf("cursor %q", c)
	}
	return key, nil
}

// migrationBatch is how many records a batched migration reads in one
// transaction: one transaction over a million messages would hold every
// page it rewrote in memory until the commit. Tests make it small.
var migrationBatch = 10_000

// tokenIDs upgrades schema 3, where a message's id was the hex of its key,
// in the message and in the outbox item that shows as it: both become
// tokens. It runs in batches and is idempotent (a token stays as it is),
// so an Open cut short finishes it next time.
func tokenIDs(db *bolt.DB) error {
	err := rewriteField(db, bMsgsV7, "id", func(k []byte, old string) (string, bool) {
		id := v7MessageID(k)
		return id, old != id
	})
	if err != nil {
		return err
	}
	return rewriteField(db, bOutbox, "message_id", func(_ []byte, old string) (string, bool) {
		key, err := hex.DecodeString(old)
		if err != nil || len(key) != threadKeyLen {
			return "", false // a token already, or no message yet
		}
		return v7MessageID(key), true
	})
}

// rewriteField sets the string field of every JSON record of bucket to
// what fix returns, when it says to change it, migrationBatch records per
// transaction.
func rewriteField(db *bolt.DB, bucket []byte, field string, fix func(key []byte, old string) (string, bool)) error {
	return rewriteRecords(db, bucket, func(_ *bolt.Tx, k, v []byte) ([]byte, error) {
		if len(v) > 0 && v[0] != '{' {
			return nil, nil // a binary record (schema 7) has no JSON field to fix
		}
		return fixField(v, field, func(old string) (string, bool) { return fix(k, old) })
	})
}

// rewriteRecords replaces every record of bucket with what rewrite returns
// for it (nil: it stays), migrationBatch records per transaction; rewrite
// may read the transaction's other buckets.
func rewriteRecords(db *bolt.DB, bucket []byte, rewrite func(tx *bolt.Tx, k, v []byte) ([]byte, error)) error {
	type put struct{ k, v []byte }
	var after []byte // the last key read by the previous batch
	for more := true; more; {
		err := db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			if b == nil {
				more = false
				return nil
			}
			c := b.Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			var puts []put
			for n := 0; k != nil && n < migrationBatch; k, v = c.Next() {
				n++
				after = append(after[:0], k...)
				nv, err := rewrite(tx, k, v)
				if err != nil {
					return fmt.Errorf("record %x in %s: %w", k, bucket, err)
				}
				if nv != nil {
					puts = append(puts, put{append([]byte(nil), k...), nv})
				}
			}
			more = k != nil
			for _, p := range puts { // not under the moving cursor
				if err := b.Put(p.k, p.v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// fixField returns rec with its top-level string field changed as fix
// says, or nil when it stays. The field is replaced in place when its name
// occurs exactly once (no record of ours nests a field of the same name),
// which keeps every other byte; otherwise the record is decoded and
// encoded again.
func fixField(rec []byte, field string, fix func(old string) (string, bool)) ([]byte, error) {
	var fields map[string]json.RawMessage
	var old string
	name := []byte(strconv.Quote(field) + ":")
	if i := bytes.Index(rec, name); i >= 0 && bytes.Count(rec, name) == 1 {
		if err := json.NewDecoder(bytes.NewReader(rec[i+len(name):])).Decode(&old); err != nil {
			return nil, err
		}
	} else {
		if err := json.Unmarshal(rec, &fields); err != nil {
			return nil, err
		}
		if raw, ok := fields[field]; ok {
			if err := json.Unmarshal(raw, &old); err != nil {
				return nil, err
			}
		}
	}
	val, change := fix(old)
	if !change {
		return nil, nil
	}
	quotedOld, quotedNew := quote(old), quote(val)
	if fields == nil {
		oldText := append(append([]byte(nil), name...), quotedOld...)
		if bytes.Count(rec, oldText) == 1 {
			return bytes.Replace(rec, oldText, append(append([]byte(nil), name...), quotedNew...), 1), nil
		}
		if err := json.Unmarshal(rec, &fields); err != nil {
			return nil, err
		}
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	fields[field] = quotedNew
	return json.Marshal(fields)
}

func quote(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}
