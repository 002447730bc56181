package store

import (
	"bytes"
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// forgetOutbox deletes the outbox items addressed to key: replies, and
// campaign recipients, whose campaign then counts one recipient fewer.
func (w *wtx) forgetOutbox(key ConvKey, rep *ForgetReport) error {
	psid, err := json.Marshal(key.PSID)
	if err != nil {
		return err
	}
	needle := append([]byte(`"psid":`), psid...) // as putJSON wrote it
	b := w.bucket(bOutbox)
	var items []OutboxItem
	err = b.ForEach(func(_, v []byte) error {
		if !bytes.Contains(v, needle) {
			return nil
		}
		var item OutboxItem
		if err := json.Unmarshal(v, &item); err != nil {
			return err
		}
		if item.ConvKey == key {
			items = append(items, item)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, item := range items {
		if item.State == OutboxSending {
			return invalidf("forget: a message to %s is being sent right now; run forget again once it is settled", key)
		}
	}
	for _, item := range items {
		id := u64(item.ID)
		for _, name := range [][]byte{bOutbox, bOutQueued, bOutSending} {
			if err := w.bucket(name).Delete(id); err != nil {
				return err
			}
		}
		// An unknown send awaiting its echo is waited for no more.
		if err := w.bucket(bOutEcho).Delete(echoKey(&item)); err != nil {
			return err
		}
		if item.CampaignID == 0 {
			continue
		}
		if err := w.bucket(bCampItems).Delete(campItemKey(item.CampaignID, item.ID)); err != nil {
			return err
		}
		if err := w.dropRecipient(item.CampaignID, item.State); err != nil {
			return err
		}
	}
	rep.OutboxItems += len(items)
	return nil
}

// dropRecipient takes one recipient in state st out of a campaign's
// counts; a running campaign with nothing left to send is done.
func (w *wtx) dropRecipient(id uint64, st OutboxState) error {
	c, err := w.campaign(id)
	if err != nil {
		return err
	}
	c.Counts.Total--
	*c.Counts.field(st)--
	if c.Status == CampaignRunning && c.Counts.Queued == 0 && c.Counts.Sending == 0 {
		c.Status = CampaignDone
	}
	if err := putJSON(w.bucket(bCampaigns), u64(id), &c); err != nil {
		return err
	}
	w.emit(Change{Kind: CampaignProgress, Campaign: &c})
	return nil
}

// forgetUnknown deletes the raw events of unknown kinds that name them.
func (w *wtx) forgetUnknown(scrub JournalScrubber, rep *ForgetReport) error {
	n, err := w.deleteWhere(bUnknown, func(_, v []byte) bool { return scrub.Mentions(v) })
	rep.UnknownEvents += n
	return err
}

// journalMentions lists the journal bodies that name the customer, and
// the last key read.
func (s *Store) journalMentions(ctx context.Context, scrub JournalScrubber) (keys [][]byte, last []byte, err error) {
	err = s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bJournal).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if scrub.Mentions(v) {
				keys = append(keys, append([]byte(nil), k...))
			}
			last = append(last[:0], k...)
		}
		return nil
	})
	return keys, last, err
}

// scrubJournal rewrites the candidates, and the bodies journaled after
// last, without the customer's events; a body left with nobody's events
// is removed.
func (w *wtx) scrubJournal(scrub JournalScrubber, candidates [][]byte, last []byte, rep *ForgetReport) error {
	b := w.bucket(bJournal)
	keys := candidates
	c := b.Cursor()
	var k, v []byte
	if last == nil {
		k, v = c.First()
	} else if k, v = c.Seek(last); k != nil && bytes.Equal(k, last) {
		k, v = c.Next()
	}
	for ; k != nil; k, v = c.Next() {
		if scrub.Mentions(v) {
			keys = append(keys, append([]byte(nil), k...))
		}
	}
	for _, k := range keys {
		body := b.Get(k)
		if body == nil {
			continue // pruned meanwhile
		}
		out, keep := scrub.ScrubBody(body)
		switch {
		case !keep:
			if err := b.Delete(k); err != nil {
				return err
			}
			rep.JournalRemoved++
		case !bytes.Equal(out, body):
			if err := b.Put(k, out); err != nil {
				return err
			}
			rep.JournalRewritten++
		}
	}
	return nil
}
