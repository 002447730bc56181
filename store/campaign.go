package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Recipient is one addressee of a campaign. A non-empty SkipReason records
// them as skipped (outside the window, blocked) without sending; SkipKind
// is the machine-readable why (one of the Skip kinds).
type Recipient struct {
	ConvKey
	SkipReason string
	SkipKind   string
}

// CreateCampaign writes a campaign and one outbox item per recipient, in
// one transaction, before anything is sent: a crash can interrupt it but
// never lose track of who got it. Campaigns are UPDATE messages: no tag
// may carry a broadcast.
//
// Recipients with a SkipReason are recorded as skipped items with it. The
// others are checked again here, by the store's clock (CampaignCheck):
// one whose window closed, or who was found unreachable, since the ledger
// was drawn up is recorded as skipped too. The dispatcher checks once
// more at send time. A recipient listed twice gets one item; a recipient
// with no conversation is refused (ErrNotFound) unless already skipped.
func (s *Store) CreateCampaign(ctx context.Context, c Campaign, recipients []Recipient) (Campaign, error) {
	if err := checkCampaign(c); err != nil {
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
		if c.Template != nil {
			if _, err := w.checkTemplate(c.PageID, c.Template); err != nil {
				return err
			}
		}
		camps := w.bucket(bCampaigns)
		id, err := camps.NextSequence()
		if err != nil {
			return err
		}
		c.ID, c.Status, c.CreatedAt, c.UpdatedAt = id, CampaignRunning, now, now
		c.Counts = CampaignCounts{}
		seen := make(map[ConvKey]bool, len(recipients))
		for _, r := range recipients {
			if r.PageID != c.PageID {
				return invalidf("recipient %s is not on page %s", r.ConvKey, c.PageID)
			}
			if seen[r.ConvKey] {
				continue // a recipient never gets the same campaign twice
			}
			seen[r.ConvKey] = true
			item, err := w.campaignItem(&c, r, now)
			if err != nil {
				return err
			}
			if item.ID, err = w.bucket(bOutbox).NextSequence(); err != nil {
				return err
			}
			if err := w.bucket(bCampItems).Put(campItemKey(id, item.ID), nil); err != nil {
				return err
			}
			// New items are written and counted here, once, rather than
			// through putItem: the campaign's counts and status are settled
			// when every recipient is in, and a 10,000-recipient campaign
			// publishes one change, not 20,000.
			if err := putJSON(w.bucket(bOutbox), u64(item.ID), &item); err != nil {
				return err
			}
			if item.State == OutboxQueued {
				// The queue entry names its campaign, for Claim.
				if err := w.bucket(bOutQueued).Put(u64(item.ID), u64(id)); err != nil {
					return err
				}
			}
			c.Counts.Total++
			*c.Counts.field(item.State)++
		}
		if c.Counts.Queued == 0 {
			c.Status = CampaignDone // everyone was skipped
		}
		if err := putJSON(camps, u64(id), &c); err != nil {
			return err
		}
		cp := c
		w.emit(Change{Kind: CampaignProgress, Campaign: &cp})
		return nil
	})
	return c, err
}

// checkCampaign refuses content no recipient could be sent; the
// template itself is checked against the Page's in the transaction.
func checkCampaign(c Campaign) error {
	if c.Template != nil && (c.Template.Name == "" || c.Template.Lang == "") {
		return invalidf("a campaign's template needs its name and language")
	}
	return checkContent(c.Text, c.ImageURL, c.UploadedFile)
}

// campaignItem is a recipient's item of campaign c: queued, or skipped
// with the reason it was skipped for (given, or found now), its text
// filled with their first name when c.FillNames (a skipped one is never
// sent: its text stays as the campaign's). Outside the window, a campaign
// with a template queues the template (UTILITY) instead: exactly one item
// per recipient, text or template (CampaignRoute).
func (w *wtx) campaignItem(c *Campaign, r Recipient, now time.Time) (OutboxItem, error) {
	item := OutboxItem{ConvKey: r.ConvKey, CampaignID: c.ID, Text: c.Text, ImageURL: c.ImageURL, UploadedFile: c.UploadedFile,
		MessagingType: Update, State: OutboxQueued, CreatedAt: now, UpdatedAt: now}
	reason, kind := r.SkipReason, r.SkipKind
	if reason == "" {
		rec, _, err := w.conv(r.ConvKey, false)
		if err != nil {
			return OutboxItem{}, err
		}
		via, k, why := CampaignRoute(rec.Conversation, now, c.Template != nil)
		switch via {
		case "":
			reason, kind = why, k
		case Utility:
			if c.Template.emptyParam(rec.Name) != "" {
				reason, kind = emptyParamReason(c.Template, rec.Name), SkipTemplateParam
				break
			}
			item.Template = c.Template.forRecipient(rec.Name)
			if item.Text, err = w.checkTemplate(c.PageID, item.Template); err != nil {
				return OutboxItem{}, err
			}
			item.MessagingType, item.ImageURL, item.UploadedFile = Utility, "", UploadedFile{}
		default:
			if c.FillNames {
				item.Text = FillFirstName(item.Text, rec.Name)
			}
		}
	}
	if reason != "" {
		if kind == "" {
			kind = "skipped"
		}
		item.State, item.Reason, item.ErrorKind = OutboxSkipped, reason, kind
	}
	return item, nil
}

// CreateCampaignFromLedger creates the campaign a ledger describes: its
// send list queued, its skip and blocked lists recorded as skipped items
// with their reasons. c.PageID may be left empty: the ledger's is used,
// and so is its Template when c names none.
func (s *Store) CreateCampaignFromLedger(ctx context.Context, c Campaign, l Ledger) (Campaign, error) {
	if c.PageID == "" {
		c.PageID = l.PageID
	}
	if c.PageID != l.PageID {
		return c, invalidf("campaign for page %s from a ledger of page %s", c.PageID, l.PageID)
	}
	if c.Template == nil {
		c.Template = l.Template // the ledger was drawn up with it
	}
	l = l.WithTemplate(c.Template)
	return s.CreateCampaign(ctx, c, l.Recipients())
}

func (w *wtx) campaign(id uint64) (Campaign, error) {
	var c Campaign
	found, err := getJSON(w.bucket(bCampaigns), u64(id), &c)
	if err == nil && !found {
		err = &notFoundError{what: fmt.Sprintf("campaign %d", id)}
	}
	c.AwaitingEcho = awaitingEcho(w.tx, id)
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
			camp.AwaitingEcho = awaitingEcho(tx, camp.ID)
			out = append(out, camp)
		}
		return nil
	})
	return out, err
}

// CampaignItems lists a campaign's recipients and their results.
// Each item carries its customer's name (Name), read in the same pass, for
// the campaign's recipient list.
func (s *Store) CampaignItems(ctx context.Context, id uint64) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bCampItems).Cursor()
		prefix := u64(id)
		convs := tx.Bucket(bConvs)
		for k, _ := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = c.Next() {
			var item OutboxItem
			if _, err := getJSON(tx.Bucket(bOutbox), k[8:], &item); err != nil {
				return err
			}
			var conv convRecord
			if found, err := getConv(convs, convKeyBytes(item.ConvKey), &conv); found && err == nil {
				item.Name = conv.Name
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
		if status == CampaignRunning && c.Counts.Queued == 0 && c.Counts.Sending == 0 {
			// Resuming with nothing left to send (everything else was sent,
			// failed, skipped or left unknown by a crash) finishes it.
			c.Status = CampaignDone
		}
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
		if err == nil && status != CampaignCancelled && (c.Status == status || c.Status == CampaignDone) {
			w.emit(Change{Kind: CampaignProgress, Campaign: &c})
		}
		return err
	})
	return c, err
}

// campaignItemIDs lists a campaign's item keys. They are collected before
// anything is written: a bucket must not change under a moving cursor.
func (w *wtx) campaignItemIDs(id uint64) [][]byte {
	var ids [][]byte
	cur := w.bucket(bCampItems).Cursor()
	prefix := u64(id)
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		ids = append(ids, append([]byte(nil), k[8:]...))
	}
	return ids
}

// RetryFailed puts a campaign's retryable failures back in the queue and
// sets the campaign running again; n is how many. Only failed items with
// Retryable set move: Meta throttled us until the retries ran out, or Meta
// or the network failed temporarily. Sent, skipped and unknown items never
// do, nor failures that would fail again (unavailable, no such user,
// outside the window, permissions).
//
// Re-queuing a retryable failure cannot message anyone twice: an item is
// recorded failed only when Meta answered with an error, i.e. refused the
// message, or when the request never left (a refused connection). A call
// cut off after the request left (a timeout, a reset, a shutdown) may have
// reached Meta: the dispatcher records it unknown, never failed, and a
// crash mid-call leaves it in sending, which becomes unknown on the next
// Open. Unknown items are never re-queued, by this or anything else.
//
// A cancelled campaign is refused. With nothing to retry the campaign is
// left as it was.
func (s *Store) RetryFailed(ctx context.Context, id uint64) (n int, err error) {
	now := s.now()
	err = s.write(ctx, 1, func(w *wtx) error {
		n = 0
		c, err := w.campaign(id)
		if err != nil {
			return err
		}
		if c.Status == CampaignCancelled {
			return invalidf("campaign %d is cancelled", id)
		}
		for _, k := range w.campaignItemIDs(id) {
			var item OutboxItem
			if _, err := getJSON(w.bucket(bOutbox), k, &item); err != nil {
				return err
			}
			if item.State != OutboxFailed || !item.Retryable {
				continue
			}
			item.State, item.Reason, item.ErrorKind, item.Retryable = OutboxQueued, "", "", false
			// A fresh budget of rate-limited attempts for the retry.
			item.Attempts, item.UpdatedAt = 0, now
			if item.MessageID != "" {
				if err := w.setMessageStatus(item.MessageID, StatusQueued, ""); err != nil {
					return err
				}
			}
			if err := w.putItem(&item, OutboxFailed); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		if c, err = w.campaign(id); err != nil {
			return err
		}
		c.Status, c.UpdatedAt = CampaignRunning, now
		if err := putJSON(w.bucket(bCampaigns), u64(id), &c); err != nil {
			return err
		}
		w.emit(Change{Kind: CampaignProgress, Campaign: &c})
		return nil
	})
	if err != nil {
		n = 0
	}
	return n, err
}

// CampaignReplies counts the recipients who wrote back after their
// campaign message was sent: an inbound message or postback in their
// thread later than the moment the send was recorded.
func (s *Store) CampaignReplies(ctx context.Context, id uint64) (int, error) {
	n := 0
	err := s.view(ctx, func(tx *bolt.Tx) error {
		w := &wtx{tx: tx}
		if _, err := w.campaign(id); err != nil {
			return err
		}
		outbox, convs, msgs := tx.Bucket(bOutbox), tx.Bucket(bConvs), tx.Bucket(bMsgs)
		for i, k := range w.campaignItemIDs(id) {
			if i%4096 == 4095 && ctx.Err() != nil {
				return ctx.Err()
			}
			var item OutboxItem
			if _, err := getJSON(outbox, k, &item); err != nil {
				return err
			}
			if item.State != OutboxSent {
				continue
			}
			rec := &convRecord{}
			if found, err := getConv(convs, convKeyBytes(item.ConvKey), rec); err != nil || !found {
				return err
			}
			sentAt := item.UpdatedAt // when the send was recorded; a sent item never changes again
			if !rec.LastInboundTime.After(sentAt) {
				continue // nothing inbound since (cheap: no thread read)
			}
			replied := false
			err := walkChain(msgs, rec, rec.Newest, func(k, v []byte) (bool, error) {
				var m Message
				if err := decodeMessage(k, v, &m); err != nil {
					return false, err
				}
				if !m.Time.After(sentAt) {
					return false, nil
				}
				replied = m.Direction == In
				return !replied, nil
			})
			if err != nil {
				return err
			}
			if replied {
				n++
			}
		}
		return nil
	})
	return n, err
}
