package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Enqueue checks the messaging window and queues a reply. The message shows
// in the thread at once as queued; the dispatcher sends it.
func (s *Store) Enqueue(ctx context.Context, send Send) (OutboxItem, error) {
	var item OutboxItem
	if send.MessagingType == "" {
		send.MessagingType = Response
	}
	if err := checkTemplateSend(send); err != nil {
		return item, err
	}
	if send.Template != nil && send.UploadedFile != (UploadedFile{}) {
		return item, invalidf("a template carries no file of its own")
	}
	if send.Template == nil {
		if err := checkContent(send.Text, send.ImageURL, send.UploadedFile); err != nil {
			return item, err
		}
	}
	if err := checkImages(send.UploadedFile, send.Images); err != nil {
		return item, err
	}
	now := s.now()
	err := s.write(ctx, 1, func(w *wtx) error {
		var err error
		item, err = w.enqueue(send, now)
		return err
	})
	return item, err
}

// enqueue queues a checked send (Enqueue, Resend).
func (w *wtx) enqueue(send Send, now time.Time) (OutboxItem, error) {
	var item OutboxItem
	if w.bucket(bPages).Get([]byte(send.PageID)) == nil {
		return item, fmt.Errorf("store: enqueue: %w: %s", ErrUnknownPage, send.PageID)
	}
	rec, old, err := w.conv(send.ConvKey, false)
	if err != nil {
		return item, err
	}
	if d := CheckSend(rec.LastInboundTime, now, send.MessagingType, send.Tag); !d.Allowed {
		return item, fmt.Errorf("%w: %s", ErrOutsideWindow, d.Reason)
	}
	if send.Template != nil {
		if send.Text, err = w.checkTemplate(send.PageID, send.Template); err != nil {
			return item, err
		}
	}
	item = OutboxItem{ConvKey: send.ConvKey, Text: send.Text, ImageURL: send.ImageURL, UploadedFile: send.UploadedFile, Images: send.Images, Template: send.Template,
		MessagingType: send.MessagingType, Tag: send.Tag, State: OutboxQueued, CreatedAt: now, UpdatedAt: now,
		Agent: send.Agent, ReplyTo: send.ReplyTo}
	if send.ReplyTo != "" {
		if k, m, err := w.messageByMID(send.PageID, send.ReplyTo); err != nil {
			return item, err
		} else if k == nil || m.PSID != send.PSID {
			return item, fmt.Errorf("reply to %s: %w", send.ReplyTo, ErrUnknownMessage)
		}
	}
	if send.Claim && send.Agent != "" && rec.Assignee == "" {
		if err := checkName("agent", send.Agent); err != nil {
			return item, err
		}
		rec.Assignee = send.Agent
	}
	if item.ID, err = w.bucket(bOutbox).NextSequence(); err != nil {
		return item, err
	}
	if err := w.addOutboxMessage(rec, &item, now); err != nil {
		return item, err
	}
	if err := w.saveConv(rec, old); err != nil {
		return item, err
	}
	return item, w.putItem(&item, "")
}

// addOutboxMessage shows an outbox item in its thread.
func (w *wtx) addOutboxMessage(rec *convRecord, item *OutboxItem, now time.Time) error {
	m := &Message{Direction: Out, Text: item.Text, Time: now, Status: StatusQueued, CampaignID: item.CampaignID, OutboxID: item.ID,
		Agent: item.Agent, ReplyTo: item.ReplyTo}
	if item.Template != nil {
		m.Template = item.Template.Name
	}
	if item.ImageURL != "" {
		m.Attachments = []Attachment{{Type: "image", URL: item.ImageURL}}
	}
	if f := item.UploadedFile; f.AttachmentID != "" {
		m.Attachments = []Attachment{f.attachment()}
		for _, img := range item.Images {
			m.Attachments = append(m.Attachments, img.attachment())
		}
	}
	if err := w.addMessage(rec, m); err != nil {
		return err
	}
	item.MessageID = m.ID
	return nil
}

// putItem writes an item and moves it between the state indexes and its
// campaign's counts. from is its previous state ("" when new).
func (w *wtx) putItem(item *OutboxItem, from OutboxState) error {
	if err := putJSON(w.bucket(bOutbox), u64(item.ID), item); err != nil {
		return err
	}
	if from != item.State {
		for _, st := range []struct {
			state  OutboxState
			bucket []byte
		}{{OutboxQueued, bOutQueued}, {OutboxSending, bOutSending}} {
			b := w.bucket(st.bucket)
			if from == st.state {
				if err := b.Delete(u64(item.ID)); err != nil {
					return err
				}
			}
			if item.State == st.state {
				var campaign []byte // the queue entry names its campaign, for Claim
				if item.CampaignID != 0 {
					campaign = u64(item.CampaignID)
				}
				if err := b.Put(u64(item.ID), campaign); err != nil {
					return err
				}
			}
		}
	}
	cp := *item
	w.emit(Change{Kind: OutboxChanged, Outbox: &cp})
	if item.CampaignID == 0 || from == item.State {
		return nil
	}
	return w.countCampaign(item.CampaignID, from, item.State)
}

// Claim moves up to max queued items to sending and returns them, oldest
// first. Items of paused or cancelled campaigns stay where they are.
func (s *Store) Claim(ctx context.Context, max int) ([]OutboxItem, error) {
	return s.ClaimSkipping(ctx, max, nil)
}

// ClaimSkipping is Claim past the items of the Pages skip names (a Page
// whose sends are held: no token, or its token refused); they stay
// queued, in order. skip nil skips none.
func (s *Store) ClaimSkipping(ctx context.Context, max int, skip func(pageID string) bool) ([]OutboxItem, error) {
	var items []OutboxItem
	now := s.now()
	err := s.write(ctx, max, func(w *wtx) error {
		items = items[:0]
		running := w.campaignRunning()
		keys, err := w.claimableKeys(max, running, skip)
		if err != nil {
			return err
		}
		for _, k := range keys {
			item := OutboxItem{}
			if _, err := getJSON(w.bucket(bOutbox), k, &item); err != nil {
				return err
			}
			if ok, err := running(item.CampaignID); err != nil || !ok {
				if err != nil {
					return err
				}
				continue // an entry of an older file, without its campaign
			}
			rec, old, err := w.conv(item.ConvKey, false)
			if err != nil {
				return err
			}
			if item.MessageID == "" {
				if err := w.addOutboxMessage(rec, &item, now); err != nil {
					return err
				}
				if err := w.saveConv(rec, old); err != nil {
					return err
				}
			} else if err := w.setMessageStatus(item.MessageID, StatusSending, ""); err != nil {
				return err
			}
			item.State, item.UpdatedAt = OutboxSending, now
			item.Attempts++
			if err := w.putItem(&item, OutboxQueued); err != nil {
				return err
			}
			items = append(items, item)
		}
		return nil
	})
	return items, err
}

// campaignRunning reports whether a campaign's items may be claimed now
// (id 0, no campaign: always), reading each campaign once per claim.
func (w *wtx) campaignRunning() func(id uint64) (bool, error) {
	status := map[uint64]CampaignStatus{}
	return func(id uint64) (bool, error) {
		if id == 0 {
			return true, nil
		}
		st, ok := status[id]
		if !ok {
			camp, err := w.campaign(id)
			if err != nil {
				return false, err
			}
			st = camp.Status
			status[id] = st
		}
		return st == CampaignRunning, nil
	}
}

// claimableKeys walks the queue in order, past the items of paused or
// interrupted campaigns (they must not hold up replies and running
// campaigns queued behind them) and of the Pages skip names. The queue
// entry names its campaign, so skipping one costs no decoding.
func (w *wtx) claimableKeys(max int, running func(uint64) (bool, error), skip func(string) bool) ([][]byte, error) {
	c := w.bucket(bOutQueued).Cursor()
	var keys [][]byte
	for k, v := c.First(); k != nil && len(keys) < max; k, v = c.Next() {
		if len(v) == 8 {
			if ok, err := running(binary.BigEndian.Uint64(v)); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		if skip != nil {
			item := OutboxItem{}
			if _, err := getJSON(w.bucket(bOutbox), k, &item); err != nil {
				return nil, err
			}
			if skip(item.ConvKey.PageID) {
				continue
			}
		}
		keys = append(keys, append([]byte(nil), k...))
	}
	return keys, nil
}

// Result is the outcome of one send, as the dispatcher saw it.
type Result struct {
	MID string // Meta's message_id on success
	// On failure: why in words, a machine-readable class, and whether a
	// later retry could succeed (rate limit exhausted, Meta down).
	Failed  bool
	Skipped bool // not sent at all: the window closed before its turn
	// Unknown: Meta may or may not have the message: the call was cut off
	// (shutdown, timeout) after the request left, or the answer did not
	// prove a refusal. With ErrorKind KindAmbiguous the item waits for its
	// echo (SweepUnechoed); otherwise it is never resent on its own.
	Unknown   bool
	Reason    string
	ErrorKind string
	Retryable bool
}

// Complete records the outcome of a claimed item. Only an item in sending
// can complete, so an item is never sent twice.
func (s *Store) Complete(ctx context.Context, id uint64, res Result) error {
	if !res.Failed && !res.Skipped && !res.Unknown && res.MID == "" {
		return invalidf("complete item %d: a sent item needs Meta's message id", id)
	}
	now := s.now()
	return s.write(ctx, 1, func(w *wtx) error {
		item := OutboxItem{}
		found, err := getJSON(w.bucket(bOutbox), u64(id), &item)
		if err != nil {
			return err
		}
		if !found {
			return &notFoundError{what: fmt.Sprintf("outbox item %d", id)}
		}
		if item.State != OutboxSending {
			return invalidf("complete item %d: it is %s, not sending", id, item.State)
		}
		item.UpdatedAt = now
		if res.Unknown {
			// The echo may have overtaken the answer: then it is settled.
			if mid, err := w.echoedMID(&item); err != nil || mid != "" {
				if err != nil {
					return err
				}
				res = Result{MID: mid}
			}
		}
		switch {
		case res.Unknown:
			item.State, item.Reason, item.ErrorKind = OutboxUnknown, res.Reason, res.ErrorKind
			err = w.setMessageStatus(item.MessageID, StatusUnknown, res.Reason)
			if err == nil && res.ErrorKind == KindAmbiguous {
				err = w.bucket(bOutEcho).Put(echoKey(&item), nil)
			}
		case res.Skipped:
			item.State, item.Reason, item.ErrorKind = OutboxSkipped, res.Reason, res.ErrorKind
			err = w.setMessageStatus(item.MessageID, StatusFailed, "not sent: "+res.Reason)
		case res.Failed:
			item.State, item.Reason, item.ErrorKind, item.Retryable = OutboxFailed, res.Reason, res.ErrorKind, res.Retryable
			err = w.setMessageStatus(item.MessageID, StatusFailed, res.Reason)
			if err == nil && blocksConversation(res.ErrorKind) {
				err = w.markBlocked(item.ConvKey, res.Reason, now)
			}
		default:
			item.State, item.MID = OutboxSent, res.MID
			err = w.markSent(&item)
		}
		if err != nil {
			return err
		}
		return w.putItem(&item, OutboxSending)
	})
}

// markSent gives the item's message Meta's mid. If the echo overtook the
// Send API's answer and was stored as a message of its own, that copy is
// folded into ours.
func (w *wtx) markSent(item *OutboxItem) error {
	key, err := messageKeyFromID(item.MessageID)
	if err != nil {
		return err
	}
	m := &Message{}
	if _, err := getMessage(w.bucket(bMsgs), key, m); err != nil {
		return err
	}
	mids := w.bucket(bMIDs)
	if dupKey := mids.Get(midKey(item.PageID, item.MID)); dupKey != nil && string(dupKey) != string(key) {
		if err := w.removeMessage(append([]byte(nil), dupKey...), item.ConvKey, m); err != nil {
			return err
		}
	}
	if err := mids.Put(midKey(item.PageID, item.MID), key); err != nil {
		return err
	}
	rec, _, err := w.conv(item.ConvKey, false)
	if err != nil {
		return err
	}
	m.MID = item.MID
	m.Error = ""
	if m.Status.rank() < StatusSent.rank() {
		m.Status = rec.statusAt(m.Time, StatusSent)
	}
	return w.putMessage(key, m)
}

// removeMessage deletes a duplicate, keeping its status if it got further.
func (w *wtx) removeMessage(key []byte, conv ConvKey, into *Message) error {
	dup := &Message{}
	if _, err := getMessage(w.bucket(bMsgs), key, dup); err != nil {
		return err
	}
	if dup.Status.rank() > into.Status.rank() {
		into.Status = dup.Status
	}
	if into.AppID == "" {
		into.AppID = dup.AppID
	}
	rec, old, err := w.conv(conv, false)
	if err != nil {
		return err
	}
	if err := w.unlinkMessage(rec, key); err != nil {
		return err
	}
	rec.MessageCount--
	w.emit(Change{Kind: MessageRemoved, Message: dup})
	return w.saveConv(rec, old)
}

// Release puts a claimed item back in the queue without an outcome: the
// dispatcher stopped before calling Meta (an invalid token pauses all
// sending). It is only for items Meta has certainly not seen.
func (s *Store) Release(ctx context.Context, id uint64, why string) error {
	now := s.now()
	return s.write(ctx, 1, func(w *wtx) error {
		item := OutboxItem{}
		found, err := getJSON(w.bucket(bOutbox), u64(id), &item)
		if err != nil {
			return err
		}
		if !found {
			return &notFoundError{what: fmt.Sprintf("outbox item %d", id)}
		}
		if item.State != OutboxSending {
			return invalidf("release item %d: it is %s, not sending", id, item.State)
		}
		item.State, item.Reason, item.UpdatedAt = OutboxQueued, why, now
		if item.MessageID != "" {
			if err := w.setMessageStatus(item.MessageID, StatusQueued, why); err != nil {
				return err
			}
		}
		return w.putItem(&item, OutboxSending)
	})
}

func (w *wtx) setMessageStatus(id string, st Status, reason string) error {
	key, err := messageKeyFromID(id)
	if err != nil {
		return err
	}
	m := &Message{}
	found, err := getMessage(w.bucket(bMsgs), key, m)
	if err != nil || !found {
		return err
	}
	m.Status, m.Error = st, reason
	return w.putMessage(key, m)
}

// Item reads one outbox item.
func (s *Store) Item(ctx context.Context, id uint64) (OutboxItem, error) {
	var item OutboxItem
	err := s.view(ctx, func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bOutbox), u64(id), &item)
		if err == nil && !found {
			return &notFoundError{what: fmt.Sprintf("outbox item %d", id)}
		}
		return err
	})
	return item, err
}

// Queued is the number of items waiting to be claimed.
func (s *Store) Queued(ctx context.Context) (int, error) {
	n := 0
	err := s.view(ctx, func(tx *bolt.Tx) error {
		n = tx.Bucket(bOutQueued).Stats().KeyN
		return nil
	})
	return n, err
}

// recoverInterrupted runs on open: items a crash left in sending may or may
// not have reached Meta. They become unknown and are never resent on their
// own; campaigns that were running become interrupted.
func recoverInterrupted(tx *bolt.Tx, now time.Time) error {
	w := &wtx{tx: tx}
	var keys [][]byte
	c := tx.Bucket(bOutSending).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		item := OutboxItem{}
		if _, err := getJSON(tx.Bucket(bOutbox), k, &item); err != nil {
			return err
		}
		item.State, item.UpdatedAt = OutboxUnknown, now
		item.Reason = "interrupted while sending; it may or may not have reached the customer"
		item.ErrorKind = KindInterrupted
		if err := w.setMessageStatus(item.MessageID, StatusUnknown, item.Reason); err != nil {
			return err
		}
		if err := w.putItem(&item, OutboxSending); err != nil {
			return err
		}
	}
	var running []Campaign
	err := tx.Bucket(bCampaigns).ForEach(func(k, v []byte) error {
		camp := Campaign{}
		if err := jsonUnmarshal(v, &camp); err != nil {
			return err
		}
		if camp.Status == CampaignRunning {
			running = append(running, camp)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, camp := range running {
		camp.Status, camp.UpdatedAt = CampaignInterrupted, now
		if err := putJSON(tx.Bucket(bCampaigns), u64(camp.ID), &camp); err != nil {
			return err
		}
	}
	return w.flushConvs()
}
