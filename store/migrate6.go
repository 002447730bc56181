package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// migrate5 upgrades schema 5: every listed conversation gets its rows in
// act_page, and each Page's filter counts are counted once. Schema 5
// already kept the global indexes and counts, which stay as they are.
func migrate5(tx *bolt.Tx) error {
	rows := tx.Bucket(bActPage)
	counts := map[string]uint64{}
	err := tx.Bucket(bConvs).ForEach(func(_, v []byte) error {
		rec := &convRecord{}
		if err := decodeOldConv(v, rec); err != nil {
			return err
		}
		if !rec.listed() {
			return nil
		}
		for _, ix := range indexes {
			if ix.in(rec) {
				counts[string(pageCountKey(ix.count, rec.PageID))]++
			}
		}
		for _, r := range teamRows(rec) {
			if bytes.Equal(r.bucket, bActPage) {
				if err := rows.Put(r.key, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b := tx.Bucket(bCounts)
	for k, n := range counts {
		if err := b.Put([]byte(k), u64(n)); err != nil {
			return err
		}
	}
	return nil
}
