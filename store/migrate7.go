package store

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// migrate6 upgrades schema 6: conversation records become the binary
// layout of convcodec.go (and binaryMessages converted the messages before). It runs after the older migrations, which read
// and write the JSON records.
func migrate6(tx *bolt.Tx) error {
	convs := tx.Bucket(bConvs)
	type rewrite struct{ k, v []byte }
	var out []rewrite
	err := convs.ForEach(func(k, v []byte) error {
		if len(v) > 0 && v[0] == convFormat1 {
			return nil // already binary
		}
		rec := &convRecord{}
		if err := decodeOldConv(v, rec); err != nil {
			return err
		}
		out = append(out, rewrite{append([]byte(nil), k...), appendConv(nil, rec)})
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range out {
		if err := convs.Put(r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}

// binaryMessages upgrades schema 6's message records, JSON, to the binary
// layout of msgcodec.go, in batches; a record already binary stays, so an
// Open cut short finishes it next time. It runs after tokenIDs (schema 3),
// which made every stored id the key's token: the binary record keeps no
// id and gives that token back.
func binaryMessages(db *bolt.DB) error {
	return rewriteRecords(db, bMsgsV7, func(_ *bolt.Tx, _, v []byte) ([]byte, error) {
		if len(v) > 0 && (v[0] == msgFormat1 || v[0] == msgFormat2) {
			return nil, nil
		}
		var m Message
		if err := json.Unmarshal(v, &m); err != nil {
			return nil, err
		}
		return appendMessage(nil, &m), nil
	})
}

// decodeOldConv reads a conversation record for the migrations from older
// schemas: JSON as those schemas wrote it, or already binary, so that each
// step stays safe over records a later step has converted (tests relabel a
// current file as an old schema to run one step alone).
func decodeOldConv(v []byte, rec *convRecord) error {
	if len(v) > 0 && v[0] == convFormat1 {
		return decodeConv(v, rec)
	}
	return json.Unmarshal(v, rec)
}
