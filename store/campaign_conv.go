package store

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CampaignReceipt is one campaign a customer was a recipient of, and how
// it went for them.
type CampaignReceipt struct {
	CampaignID uint64      `json:"campaign_id"`
	Title      string      `json:"title"`
	Time       time.Time   `json:"time"`  // when their item last changed: sent, failed, skipped
	State      OutboxState `json:"state"` // sent, failed, skipped, unknown (or still queued)
	Reason     string      `json:"reason,omitempty"`
}

// ConversationCampaigns lists the campaigns key was a recipient of, newest
// first, skipped ones included (they never reach the thread).
//
// There is no index from a conversation to its campaign items, so this
// walks the items of every campaign of key's page in one read
// transaction: one byte search per item, and only this customer's items
// (at most one per campaign) are decoded. The cost grows with the page's
// campaign recipients in total, not with the inbox; it is paid when the
// contact pane opens, never per frame.
func (s *Store) ConversationCampaigns(ctx context.Context, key ConvKey) ([]CampaignReceipt, error) {
	psid, err := json.Marshal(key.PSID)
	if err != nil {
		return nil, err
	}
	needle := append([]byte(`"psid":`), psid...)
	var out []CampaignReceipt
	err = s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bCampaigns).ForEach(func(k, v []byte) error {
			var c Campaign
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if c.PageID != key.PageID {
				return nil
			}
			item, found, err := campaignItemFor(tx, k, key, needle)
			if err != nil || !found {
				return err
			}
			out = append(out, CampaignReceipt{CampaignID: c.ID, Title: c.Title, Time: item.UpdatedAt,
				State: item.State, Reason: item.Reason})
			return nil
		})
	})
	slices.Reverse(out) // campaigns are numbered in the order they were made
	return out, err
}

// campaignItemFor finds key's item among a campaign's; needle is key's
// PSID as its item JSON spells it, to skip the others undecoded.
func campaignItemFor(tx *bolt.Tx, campaignID []byte, key ConvKey, needle []byte) (OutboxItem, bool, error) {
	outbox := tx.Bucket(bOutbox)
	c := tx.Bucket(bCampItems).Cursor()
	for k, _ := c.Seek(campaignID); k != nil && bytes.HasPrefix(k, campaignID); k, _ = c.Next() {
		raw := outbox.Get(k[8:])
		if raw == nil || !bytes.Contains(raw, needle) {
			continue
		}
		var item OutboxItem
		if err := json.Unmarshal(raw, &item); err != nil {
			return item, false, err
		}
		if item.ConvKey == key {
			return item, true, nil
		}
	}
	return OutboxItem{}, false, nil
}
