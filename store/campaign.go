package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Recipient is one addressee of a campaign. A non-empty SkipReason records
// them as skipped (outside the window, blocked) without sending.
type Recipient struct {
	ConvKey
	SkipReason string
	SkipKind   string
}

// CreateCampaign writes a campaign and one outbox item per recipient, in
// one transaction, before anything is sent: a crash can interrupt it but
// never lose track of who got it. Campaigns are UPDATE messages: no tag
// may carry a broadcast.
func (s *Store) CreateCampaign(ctx context.Context, c Campaign, recipients []Recipient) (Campaign, error) {
	if err := CheckText(c.Text, c.ImageURL); err != nil {
		return c, err
	}
	if len(recipients) == 0 {
		return c, invalidf("campaign has no recipients")
	}
	now := s.now()
	err := s.write(ctx, len(recipients), func(w *wtx) error {
		if w.bucket(bPages).Get([]byte(c.PageID)) == nil {
			return fmt.Errorf("store: campaign: %w: %s", ErrUnknownPage, c.PageID)
		}
		camps := w.bucket(bCampaigns)
		id, err := camps.NextSequence()
		if err != nil {
			return err
		}
		c.ID, c.Status, c.CreatedAt, c.UpdatedAt = id, CampaignRunning, now, now
		c.Counts = CampaignCounts{}
		if err := putJSON(camps, u64(id), &c); err != nil {
			return err
		}
		seen := map[ConvKey]bool{}
		for _, r := range recipients {
			if r.PageID != c.PageID {
				return invalidf("recipient %s is not on page %s", r.ConvKey, c.PageID)
			}
			if seen[r.ConvKey] {
				continue // a recipient never gets the same campaign twice
			}
			seen[r.ConvKey] = true
			if _, _, err := w.conv(r.ConvKey, false); err != nil {
				return err
			}
			item := OutboxItem{ConvKey: r.ConvKey, CampaignID: id, Text: c.Text, ImageURL: c.ImageURL,
				MessagingType: Update, State: OutboxQueued, CreatedAt: now, UpdatedAt: now}
			if r.SkipReason != "" {
				item.State, item.Reason, item.ErrorKind = OutboxSkipped, r.SkipReason, r.SkipKind
			}
			if item.ID, err = w.bucket(bOutbox).NextSequence(); err != nil {
				return err
			}
			if err := w.bucket(bCampItems).Put(append(u64(id), u64(item.ID)...), nil); err != nil {
				return err
			}
			if err := w.putItem(&item, ""); err != nil {
				return err
			}
		}
		got, err := w.campaign(id)
		c = got
		return err
	})
	return c, err
}

func (w *wtx) campaign(id uint64) (Campaign, error) {
	var c Campaign
	found, err := getJSON(w.bucket(bCampaigns), u64(id), &c)
	if err == nil && !found {
		err = &notFoundError{what: fmt.Sprintf("campaign %d", id)}
	}
	return c, err
}

// countCampaign moves one recipient between states in its campaign's
// counts, and finishes the campaign when nothing is left to send.
func (w *wtx) countCampaign(id uint64, from, to OutboxState) error {
	c, err := w.campaign(id)
	if err != nil {
		return err
	}
	if from == "" {
		c.Counts.Total++
	} else {
		*c.Counts.field(from)--
	}
	*c.Counts.field(to)++
	if c.Status == CampaignRunning && c.Counts.Queued == 0 && c.Counts.Sending == 0 {
		c.Status = CampaignDone
	}
	if w.s != nil {
		c.UpdatedAt = w.s.now()
	}
	if err := putJSON(w.bucket(bCampaigns), u64(id), &c); err != nil {
		return err
	}
	w.emit(Change{Kind: CampaignProgress, Campaign: &c})
	return nil
}

func (c *CampaignCounts) field(s OutboxState) *int {
	switch s {
	case OutboxQueued:
		return &c.Queued
	case OutboxSending:
		return &c.Sending
	case OutboxSent:
		return &c.Sent
	case OutboxFailed:
		return &c.Failed
	case OutboxSkipped:
		return &c.Skipped
	}
	return &c.Unknown
}

// Campaign reads one campaign.
func (s *Store) Campaign(ctx context.Context, id uint64) (Campaign, error) {
	var c Campaign
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		c, err = (&wtx{tx: tx}).campaign(id)
		return err
	})
	return c, err
}

// Campaigns lists every campaign, newest first.
func (s *Store) Campaigns(ctx context.Context) ([]Campaign, error) {
	var out []Campaign
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bCampaigns).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var camp Campaign
			if err := jsonUnmarshal(v, &camp); err != nil {
				return err
			}
			out = append(out, camp)
		}
		return nil
	})
	return out, err
}

// CampaignItems lists a campaign's recipients and their results.
func (s *Store) CampaignItems(ctx context.Context, id uint64) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bCampItems).Cursor()
		prefix := u64(id)
		for k, _ := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = c.Next() {
			var item OutboxItem
			if _, err := getJSON(tx.Bucket(bOutbox), k[8:], &item); err != nil {
				return err
			}
			out = append(out, item)
		}
		return nil
	})
	return out, err
}

// SetCampaignStatus pauses, resumes (running) or cancels a campaign.
// Cancelling skips every recipient still queued.
func (s *Store) SetCampaignStatus(ctx context.Context, id uint64, status CampaignStatus) (Campaign, error) {
	var c Campaign
	switch status {
	case CampaignRunning, CampaignPaused, CampaignCancelled:
	default:
		return c, invalidf("campaign status %q cannot be set", status)
	}
	now := s.now()
	err := s.write(ctx, 1, func(w *wtx) error {
		var err error
		if c, err = w.campaign(id); err != nil {
			return err
		}
		if c.Status == CampaignDone || c.Status == CampaignCancelled {
			return invalidf("campaign %d is %s", id, c.Status)
		}
		c.Status, c.UpdatedAt = status, now
		if err := putJSON(w.bucket(bCampaigns), u64(id), &c); err != nil {
			return err
		}
		if status == CampaignCancelled {
			cur := w.bucket(bCampItems).Cursor()
			prefix := u64(id)
			var ids [][]byte
			for k, _ := cur.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = cur.Next() {
				ids = append(ids, append([]byte(nil), k[8:]...))
			}
			for _, k := range ids {
				var item OutboxItem
				if _, err := getJSON(w.bucket(bOutbox), k, &item); err != nil {
					return err
				}
				if item.State != OutboxQueued {
					continue
				}
				item.State, item.Reason, item.ErrorKind, item.UpdatedAt = OutboxSkipped, "campaign cancelled", "cancelled", now
				if err := w.putItem(&item, OutboxQueued); err != nil {
					return err
				}
			}
		}
		c, err = w.campaign(id)
		if err == nil && status != CampaignCancelled && c.Status == status {
			w.emit(Change{Kind: CampaignProgress, Campaign: &c})
		}
		return err
	})
	return c, err
}
