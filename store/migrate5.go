package store

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// migrate4 upgrades schema 4: the done flag ("active" or "done") becomes
// the state open or done, and the new indexes are filled: act_open, and
// every listed conversation unassigned in act_assignee. Nothing was
// snoozed, assigned or labelled before, so the other new buckets start
// empty.
func migrate4(tx *bolt.Tx) error {
	convs := tx.Bucket(bConvs)
	type rewrite struct{ k, v []byte }
	var out []rewrite
	open := 0
	err := convs.ForEach(func(k, v []byte) error {
		rec := &convRecord{}
		if err := decodeOldConv(v, rec); err != nil {
			return err
		}
		if rec.Status != ConvDone {
			rec.Status = ConvOpen
		}
		nv, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		out = append(out, rewrite{append([]byte(nil), k...), nv})
		if !rec.listed() {
			return nil
		}
		if rec.Status == ConvOpen {
			open++
			if err := tx.Bucket(bActOpen).Put(actKey(rec.LastActivity, rec.CID), nil); err != nil {
				return err
			}
		}
		for _, r := range teamRows(rec) {
			if err := tx.Bucket(r.bucket).Put(r.key, nil); err != nil {
				return err
			}
		}
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
	counts := tx.Bucket(bCounts)
	if err := counts.Put(countKey(FilterOpen), u64(uint64(open))); err != nil {
		return err
	}
	return counts.Put(countKey(FilterSnoozed), u64(0))
}
