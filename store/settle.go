package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// An ambiguous send (Meta's answer did not prove a refusal) is settled by
// its echo, which carries the outbox id in its metadata. Until then the
// item is unknown and listed in bOutEcho. SweepUnechoed ends the wait.
//
// "Echoes reach us" is learnt, not configured: bEchoSeen keeps, per Page,
// when an echo of one of our own sends last arrived. A subscription at
// Meta proves nothing about this data file (the webhook may point
// elsewhere, or no process may be listening); an echo stored here does.
// An item is sent once more only if an echo of ours arrived after it went
// unknown: echoes were flowing, and its own did not come.

// resendWithin bounds how late, in echo waits, an unknown item may still
// be sent once more: a reply that goes out much later than it was written
// could cross the conversation.
const resendWithin = 5

func (w *wtx) now() time.Time {
	if w.s != nil {
		return w.s.now()
	}
	return time.Now()
}

// echoedMID is the mid an echo already gave the item's message, "" if none
// came.
func (w *wtx) echoedMID(item *OutboxItem) (string, error) {
	_, m, err := w.itemMessage(item)
	if err != nil || m == nil {
		return "", err
	}
	return m.MID, nil
}

// settleOwnSend: an echo of an item's text proves it was sent. The Page is
// noted as one whose echoes reach us, and an item still unknown, or queued
// to be sent once more, becomes sent with the echo's mid. An item in
// flight is settled by its answer (Complete), which sees the echo's mid.
func (w *wtx) settleOwnSend(item *OutboxItem, e *Event) error {
	// The text must match: the image that follows a text carries the same
	// metadata, and another pageinbox sending for the same Page counts its
	// items from 1 as well.
	if item == nil || item.Text != e.Text {
		return nil
	}
	now := w.now()
	if err := w.bucket(bEchoSeen).Put([]byte(e.PageID), u64(timeKey(now))); err != nil {
		return err
	}
	from := item.State
	if from != OutboxUnknown && from != OutboxQueued {
		return nil
	}
	if err := w.bucket(bOutEcho).Delete(echoKey(item)); err != nil {
		return err
	}
	item.State, item.MID, item.Reason, item.ErrorKind, item.UpdatedAt = OutboxSent, e.MID, "", "", now
	if err := w.putItem(item, from); err != nil {
		return err
	}
	if from == OutboxUnknown && item.CampaignID != 0 {
		return w.emitCampaign(item.CampaignID) // its awaiting count fell
	}
	return nil
}

// echoSeenAfter reports whether an echo of our own sends to the Page
// arrived after t.
func (w *wtx) echoSeenAfter(pageID string, t time.Time) bool {
	v := w.bucket(bEchoSeen).Get([]byte(pageID))
	return len(v) == 8 && binary.BigEndian.Uint64(v) > timeKey(t)
}

// awaitingEcho counts a campaign's items waiting for their echo.
func awaitingEcho(tx *bolt.Tx, campaignID uint64) int {
	n := 0
	prefix := u64(campaignID)
	c := tx.Bucket(bOutEcho).Cursor()
	for k, _ := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = c.Next() {
		n++
	}
	return n
}

func (w *wtx) emitCampaign(id uint64) error {
	c, err := w.campaign(id)
	if err == nil {
		w.emit(Change{Kind: CampaignProgress, Campaign: &c})
	}
	return err
}

// EchoSweep is what SweepUnechoed did.
type EchoSweep struct {
	Resent int // queued once more: echoes reach us, and theirs did not come
	GaveUp int // stay unknown, for a person to decide
}

// SweepUnechoed ends the echo wait of the unknown items that went unknown
// more than wait ago. Each is queued once more when an echo of our own
// sends to its Page arrived since (echoes reach us; its own did not come),
// it was never sent once more before, it is not older than resendWithin
// waits and its campaign was not cancelled. The others stay unknown for
// good (KindNoEcho): only a person sends them again. A late echo still
// settles either as sent.
func (s *Store) SweepUnechoed(ctx context.Context, wait time.Duration) (EchoSweep, error) {
	var res EchoSweep
	empty := true
	if err := s.view(ctx, func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bOutEcho).Cursor().First()
		empty = k == nil
		return nil
	}); err != nil || empty {
		return res, err
	}
	now := s.now()
	cutoff, stale := now.Add(-wait), now.Add(-resendWithin*wait)
	err := s.write(ctx, 1, func(w *wtx) error {
		res = EchoSweep{}
		var keys [][]byte
		c := w.bucket(bOutEcho).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			item := OutboxItem{}
			found, err := getJSON(w.bucket(bOutbox), k[8:], &item)
			if err != nil {
				return err
			}
			if found && item.State == OutboxUnknown && item.ErrorKind == KindAmbiguous && item.UpdatedAt.After(cutoff) {
				continue // still waiting
			}
			if err := w.bucket(bOutEcho).Delete(k); err != nil {
				return err
			}
			if !found || item.State != OutboxUnknown || item.ErrorKind != KindAmbiguous {
				continue
			}
			resend, err := w.mayResend(&item, stale)
			if err != nil {
				return err
			}
			if resend {
				err = w.resendOnce(&item, now)
				res.Resent++
			} else {
				err = w.giveUpEcho(&item, now)
				res.GaveUp++
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		res = EchoSweep{}
	}
	return res, err
}

func (w *wtx) mayResend(item *OutboxItem, stale time.Time) (bool, error) {
	if item.AutoResent || item.UpdatedAt.Before(stale) || !w.echoSeenAfter(item.PageID, item.UpdatedAt) {
		return false, nil
	}
	if item.CampaignID == 0 {
		return true, nil
	}
	c, err := w.campaign(item.CampaignID)
	return err == nil && c.Status != CampaignCancelled, err
}

// resendOnce queues an unknown item again; a campaign that had finished
// runs again for it.
func (w *wtx) resendOnce(item *OutboxItem, now time.Time) error {
	item.State, item.ErrorKind, item.AutoResent, item.UpdatedAt = OutboxQueued, "", true, now
	item.Reason = "no echo came, though echoes of other sends did: sent once more"
	if err := w.setMessageStatus(item.MessageID, StatusQueued, ""); err != nil {
		return err
	}
	if err := w.putItem(item, OutboxUnknown); err != nil {
		return err
	}
	if item.CampaignID == 0 {
		return nil
	}
	c, err := w.campaign(item.CampaignID)
	if err != nil || c.Status != CampaignDone {
		return err
	}
	c.Status, c.UpdatedAt = CampaignRunning, now
	if err := putJSON(w.bucket(bCampaigns), u64(c.ID), &c); err != nil {
		return err
	}
	w.emit(Change{Kind: CampaignProgress, Campaign: &c})
	return nil
}

// giveUpEcho leaves an item unknown for good.
func (w *wtx) giveUpEcho(item *OutboxItem, now time.Time) error {
	item.ErrorKind, item.UpdatedAt = KindNoEcho, now
	item.Reason += "; no echo came to settle it"
	if err := w.setMessageStatus(item.MessageID, StatusUnknown, item.Reason); err != nil {
		return err
	}
	if err := w.putItem(item, OutboxUnknown); err != nil {
		return err
	}
	if item.CampaignID != 0 {
		return w.emitCampaign(item.CampaignID)
	}
	return nil
}

// Abandon is for a command that queued an item and stops following it
// before it has a final outcome (`pageinbox send` exiting, its token
// refused): nothing of it may go out later behind its back. A queued item
// fails with why; an unknown one stops waiting for its echo (it is never
// sent again on its own; a late echo still settles it as sent). An item in
// any other state is left as it is. It returns the item as it ends.
func (s *Store) Abandon(ctx context.Context, id uint64, why string) (OutboxItem, error) {
	var item OutboxItem
	now := s.now()
	err := s.write(ctx, 1, func(w *wtx) error {
		item = OutboxItem{}
		found, err := getJSON(w.bucket(bOutbox), u64(id), &item)
		if err != nil {
			return err
		}
		if !found {
			return &notFoundError{what: fmt.Sprintf("outbox item %d", id)}
		}
		switch {
		case item.State == OutboxQueued:
			item.State, item.Reason, item.ErrorKind, item.Retryable, item.UpdatedAt = OutboxFailed, why, "not_sent", false, now
			if err := w.setMessageStatus(item.MessageID, StatusFailed, why); err != nil {
				return err
			}
			return w.putItem(&item, OutboxQueued)
		case item.State == OutboxUnknown && item.ErrorKind == KindAmbiguous:
			if err := w.bucket(bOutEcho).Delete(echoKey(&item)); err != nil {
				return err
			}
			return w.giveUpEcho(&item, now)
		}
		return nil
	})
	return item, err
}

// Resend is a person's decision to send an unknown item again: the same
// message is queued as a new item (the window is checked as for any
// reply) and the old one stops waiting for its echo, so it is never also
// sent once more on its own. The old item stays unknown: a late echo
// still shows that it, too, arrived.
func (s *Store) Resend(ctx context.Context, id uint64) (OutboxItem, error) {
	var fresh OutboxItem
	now := s.now()
	err := s.write(ctx, 1, func(w *wtx) error {
		old := OutboxItem{}
		found, err := getJSON(w.bucket(bOutbox), u64(id), &old)
		if err != nil {
			return err
		}
		if !found {
			return &notFoundError{what: fmt.Sprintf("outbox item %d", id)}
		}
		if old.State != OutboxUnknown {
			return invalidf("item %d is %s: only a send that may not have arrived is sent again", id, old.State)
		}
		// The reply stays its author's (attribution); a campaign's is sent
		// again as a lone reply, outside the campaign's counts.
		send := Send{ConvKey: old.ConvKey, Text: old.Text, ImageURL: old.ImageURL, UploadedFile: old.UploadedFile, Images: old.Images, MessagingType: old.MessagingType, Tag: old.Tag, ReplyTo: old.ReplyTo,
			Template: old.Template, Agent: old.Agent}
		if fresh, err = w.enqueue(send, now); err != nil {
			return err
		}
		if err := w.bucket(bOutEcho).Delete(echoKey(&old)); err != nil {
			return err
		}
		old.ErrorKind, old.UpdatedAt = KindResent, now
		old.Reason = fmt.Sprintf("sent again by an agent (item %d); this one may have arrived too", fresh.ID)
		if err := w.putItem(&old, OutboxUnknown); err != nil {
			return err
		}
		if old.CampaignID != 0 {
			return w.emitCampaign(old.CampaignID)
		}
		return nil
	})
	return fresh, err
}
