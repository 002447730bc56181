package store

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Ingest stores webhook events in one durable transaction, shared with
// concurrent callers. It returns only after the commit (or its failure):
// the webhook acks Meta on nil. Events are idempotent: the same event twice
// changes nothing. Bad input (unknown page, empty PSID, missing mid, absurd
// time) fails the whole call and stores none of it.
func (s *Store) Ingest(ctx context.Context, events []Event) error {
	return s.IngestJournaled(ctx, nil, events)
}

// IngestJournaled is Ingest that also keeps raw, the webhook body the
// events came from, in the journal in the same transaction: a parser bug
// can then be fixed and the journal replayed.
func (s *Store) IngestJournaled(ctx context.Context, raw []byte, events []Event) error {
	now := s.now()
	evs := make([]Event, len(events))
	copy(evs, events)
	for i := range evs {
		if err := evs[i].Validate(now); err != nil {
			return fmt.Errorf("store: ingest event %d: %w", i, err)
		}
		if k := evs[i].Kind; k == EventMessage || k == EventPostback {
			enc, err := encodeInbound(&evs[i])
			if err != nil {
				return fmt.Errorf("store: ingest event %d: %w", i, err)
			}
			evs[i].inbound = enc
		}
	}
	return s.write(ctx, len(evs)+1, func(w *wtx) error {
		for i := range evs {
			if w.bucket(bPages).Get([]byte(evs[i].PageID)) == nil {
				return fmt.Errorf("store: ingest event %d: %w: %s", i, ErrUnknownPage, evs[i].PageID)
			}
		}
		if body := w.withoutForgotten(raw, evs); body != nil {
			if _, err := w.journal(now, body); err != nil {
				return err
			}
		}
		for i := range evs {
			if err := w.ingest(&evs[i]); err != nil {
				return fmt.Errorf("store: ingest %s event %d: %w", evs[i].Kind, i, err)
			}
		}
		return nil
	})
}

// JournalRaw keeps raw in the webhook journal without ingesting anything,
// and returns its journal id: for a body, or the part of one, that is set
// aside (not understood, or refused), so that `replay` can retry it later.
func (s *Store) JournalRaw(ctx context.Context, raw []byte) (string, error) {
	now := s.now()
	var key []byte
	err := s.write(ctx, 1, func(w *wtx) error {
		k, err := w.journal(now, raw)
		key = k
		return err
	})
	if err != nil {
		return "", err
	}
	return journalID(key), nil
}

func (w *wtx) journal(now time.Time, raw []byte) ([]byte, error) {
	b := appendOnly(w.bucket(bJournal))
	seq, err := b.NextSequence()
	if err != nil {
		return nil, err
	}
	key := timeSeqKey(now, seq)
	return key, b.Put(key, append([]byte(nil), raw...))
}

// appendOnly readies a bucket whose new keys always sort last (time, then
// sequence): bbolt then fills each page before starting the next, instead
// of splitting at half, so a batch writes fewer pages and the file grows
// half as fast.
func appendOnly(b *bolt.Bucket) *bolt.Bucket {
	b.FillPercent = 1
	return b
}

func (w *wtx) ingest(e *Event) error {
	if w.forgotten(e) {
		return nil // from before they asked to be forgotten (see Forget)
	}
	key := ConvKey{PageID: e.PageID, PSID: e.PSID}
	switch e.Kind {
	case EventMessage, EventPostback:
		return w.ingestInbound(key, e)
	case EventEcho:
		return w.ingestEcho(key, e)
	case EventDelivery:
		return w.ingestWatermark(key, e, StatusDelivered)
	case EventRead:
		return w.ingestWatermark(key, e, StatusRead)
	case EventReaction:
		return w.ingestReaction(key, e)
	case EventEdit:
		return w.ingestEdit(key, e)
	case EventReferral:
		return w.ingestReferral(key, e)
	case EventLabel:
		return w.ingestLabel(e)
	case EventTemplateStatus:
		_, err := w.setTemplateStatus(e.PageID, e.TemplateID, e.TemplateName, e.TemplateLang, e.TemplateStatus, e.Time)
		return err
	case EventUnknown:
		return w.ingestUnknown(e)
	}
	return invalidf("event kind %q", e.Kind)
}

// ingestInbound stores a customer's message or postback, once.
func (w *wtx) ingestInbound(key ConvKey, e *Event) error {
	if k, _, err := w.messageByMID(e.PageID, e.MID); err != nil || k != nil {
		return err // already stored (a redelivery, or an edit that came first)
	}
	rec, old, err := w.conv(key, true)
	if err != nil {
		return err
	}
	enc := e.inbound
	if enc == nil {
		if enc, err = encodeInbound(e); err != nil {
			return err
		}
	}
	m := enc.msg
	if err := w.addEncodedMessage(rec, &m, enc.rec); err != nil {
		return err
	}
	rec.opensWindow(e.Time)
	rec.Unread++
	rec.reopen() // a customer writing again reopens a snoozed or done thread
	return w.saveConv(rec, old)
}

// inboundMessage is the message a customer's event stores.
func encodeInbound(e *Event) (*encodedMessage, error) {
	m := Message{ConvKey: ConvKey{PageID: e.PageID, PSID: e.PSID}, MID: e.MID, Direction: In, Text: e.Text,
		Attachments: e.Attachments, QuickReply: e.QuickReply, ReplyTo: e.ReplyTo, Time: e.Time, Status: StatusReceived}
	if e.Kind == EventPostback {
		m.Kind = "postback"
		m.Text, m.Payload = e.Title, e.Payload
		if m.Text == "" { // a button without a title: its payload says what was tapped
			m.Text = e.Payload
		}
	}
	return &encodedMessage{msg: m, rec: appendMessage(nil, &m)}, nil
}

// opensWindow records an inbound action that (re)opens the messaging window.
func (r *convRecord) opensWindow(t time.Time) {
	if t.After(r.LastInboundTime) {
		r.LastInboundTime = t
	}
	// Someone who writes after a send found them unreachable can be
	// reached again.
	if r.Blocked != "" && t.After(r.BlockedAt) {
		r.Blocked, r.BlockedAt = "", time.Time{}
	}
	r.bump(t)
}

// metadataPrefix marks the Send API metadata of our own sends, so an echo
// that overtakes the Send API's answer still finds the message it echoes.
const metadataPrefix = "pageinbox:"

// SendMetadata is the message.metadata to pass with an outbox item's send.
func SendMetadata(itemID uint64) string { return metadataPrefix + strconv.FormatUint(itemID, 10) }

// ingestEcho records a message the Page sent. An echo of our own send
// updates that message and settles its outbox item (settleOwnSend); any
// other (another app, a human in Meta's inbox) becomes an outbound
// message of its own.
func (w *wtx) ingestEcho(key ConvKey, e *Event) error {
	item, err := w.ownItem(e)
	if err != nil {
		return err
	}
	k, m, err := w.messageByMID(e.PageID, e.MID)
	if err != nil {
		return err
	}
	if k == nil && item != nil {
		if k, m, err = w.itemMessage(item); err != nil {
			return err
		}
	}
	if k != nil {
		if err := w.confirmEcho(k, m, e); err != nil {
			return err
		}
		return w.settleOwnSend(item, e)
	}
	rec, old, err := w.conv(key, true)
	if err != nil {
		return err
	}
	m = &Message{MID: e.MID, Direction: Out, Text: e.Text, Attachments: e.Attachments,
		ReplyTo: e.ReplyTo, Time: e.Time, Status: rec.statusAt(e.Time, StatusSent), AppID: e.AppID}
	if err := w.addMessage(rec, m); err != nil {
		return err
	}
	return w.saveConv(rec, old)
}

// ownItem is the outbox item an echo's metadata names, nil if it names
// none of ours for this conversation.
func (w *wtx) ownItem(e *Event) (*OutboxItem, error) {
	id, ok := strings.CutPrefix(e.Metadata, metadataPrefix)
	if !ok {
		return nil, nil
	}
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil, nil
	}
	item := &OutboxItem{}
	found, err := getJSON(w.bucket(bOutbox), u64(n), item)
	if err != nil || !found || item.PageID != e.PageID || item.PSID != e.PSID {
		return nil, err
	}
	return item, nil
}

// itemMessage is the thread message an outbox item shows as.
func (w *wtx) itemMessage(item *OutboxItem) ([]byte, *Message, error) {
	key, err := messageKeyFromID(item.MessageID)
	if err != nil {
		return nil, nil, err
	}
	m := &Message{}
	if found, err := getMessage(w.bucket(bMsgs), key, m); err != nil || !found {
		return nil, nil, err
	}
	return key, m, nil
}

func (w *wtx) confirmEcho(key []byte, m *Message, e *Event) error {
	changed := false
	if m.MID == "" {
		m.MID = e.MID
		if err := w.bucket(bMIDs).Put(midKey(e.PageID, e.MID), key); err != nil {
			return err
		}
		changed = true
	}
	if m.AppID == "" && e.AppID != "" {
		m.AppID = e.AppID
		changed = true
	}
	if m.Direction == Out && m.Status.rank() < StatusSent.rank() && m.Status != StatusFailed {
		m.Status, m.Error = StatusSent, ""
		changed = true
	}
	if !changed {
		return nil
	}
	return w.putMessage(key, m)
}

// statusAt is the status an outbound message sent at t has, given the
// watermarks already seen: a delivery can arrive before the echo it covers.
func (r *convRecord) statusAt(t time.Time, base Status) Status {
	switch {
	case !r.ReadUpTo.IsZero() && !t.After(r.ReadUpTo):
		return StatusRead
	case !r.DeliveredUpTo.IsZero() && !t.After(r.DeliveredUpTo):
		return StatusDelivered
	}
	return base
}

// ingestWatermark moves outbound messages at or before the watermark (and
// the listed mids) forward to delivered or read. Never backwards.
func (w *wtx) ingestWatermark(key ConvKey, e *Event, to Status) error {
	rec, old, err := w.conv(key, true)
	if err != nil {
		return err
	}
	prev := rec.DeliveredUpTo
	if to == StatusRead {
		prev = rec.ReadUpTo
	}
	for _, mid := range e.MIDs {
		k, m, err := w.messageByMID(e.PageID, mid)
		if err != nil {
			return err
		}
		if k != nil && advances(m, to) {
			m.Status = to
			if err := w.putMessage(k, m); err != nil {
				return err
			}
		}
	}
	if !e.Watermark.After(prev) {
		return w.saveConvIfChanged(rec, old)
	}
	if to == StatusRead {
		rec.ReadUpTo = e.Watermark
		if e.Watermark.After(rec.DeliveredUpTo) {
			rec.DeliveredUpTo = e.Watermark // read implies delivered
		}
	} else {
		rec.DeliveredUpTo = e.Watermark
	}
	// Walk back from the watermark to the previous one: older messages were
	// settled by it, or by statusAt when they arrived. Collect first: a
	// bucket must not change under a walk.
	type update struct {
		key []byte
		m   *Message
	}
	var updates []update
	err = walkChain(w.bucket(bMsgs), rec, rec.Newest, func(k, v []byte) (bool, error) {
		m := &Message{}
		if err := decodeMessage(k, v, m); err != nil {
			return false, err
		}
		if m.Time.After(e.Watermark) {
			return true, nil // newer than the watermark
		}
		if m.Time.Before(prev) {
			return false, nil
		}
		if advances(m, to) {
			m.Status = to
			updates = append(updates, update{bytes.Clone(k), m})
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, u := range updates {
		if err := w.putMessage(u.key, u.m); err != nil {
			return err
		}
	}
	return w.saveConvIfChanged(rec, old)
}

// advances reports whether a watermark may move m to status to: only
// outbound messages Meta has accepted (they have a mid), only forward.
func advances(m *Message, to Status) bool {
	return m.Direction == Out && m.MID != "" && m.Status != StatusFailed && m.Status.rank() < to.rank()
}

func (w *wtx) saveConvIfChanged(rec *convRecord, old convRecord) error {
	if old.PSID != "" && old.Conversation == rec.Conversation {
		return nil
	}
	return w.saveConv(rec, old)
}

// seen records an event key; it reports true when the key was already there.
func (w *wtx) seen(parts ...string) (bool, error) {
	key := seenKey(parts...)
	b := w.bucket(bSeen)
	if b.Get(key) != nil {
		return true, nil
	}
	return false, b.Put(key, nil)
}

// ingestReaction adds or removes a customer's reaction. A reaction also
// opens the messaging window.
func (w *wtx) ingestReaction(key ConvKey, e *Event) error {
	action := "react"
	if e.Unreact {
		action = "unreact"
	}
	dup, err := w.seen("reaction", e.PageID, e.MID, e.PSID, action, strconv.FormatInt(e.Time.UnixMilli(), 10))
	if err != nil || dup {
		return err
	}
	k, m, err := w.messageByMID(e.PageID, e.MID)
	if err != nil {
		return err
	}
	if k != nil {
		kept := m.Reactions[:0]
		for _, r := range m.Reactions {
			if r.From != e.PSID {
				kept = append(kept, r)
			}
		}
		m.Reactions = kept
		if !e.Unreact {
			m.Reactions = append(m.Reactions, Reaction{From: e.PSID, Reaction: e.Reaction, Emoji: e.Emoji, Time: e.Time})
		}
		if err := w.putMessage(k, m); err != nil {
			return err
		}
	}
	rec, old, err := w.conv(key, true)
	if err != nil {
		return err
	}
	rec.opensWindow(e.Time)
	return w.saveConvIfChanged(rec, old)
}

// ingestEdit replaces a message's text. An edit that overtakes its message
// stores the edited message; the original, arriving later, is then a
// duplicate and keeps the newer text.
func (w *wtx) ingestEdit(key ConvKey, e *Event) error {
	k, m, err := w.messageByMID(e.PageID, e.MID)
	if err != nil {
		return err
	}
	if k == nil {
		rec, old, err := w.conv(key, true)
		if err != nil {
			return err
		}
		m := &Message{MID: e.MID, Direction: In, Text: e.Text, Time: e.Time, Status: StatusReceived, Edits: 1}
		if err := w.addMessage(rec, m); err != nil {
			return err
		}
		rec.opensWindow(e.Time)
		rec.Unread++
		return w.saveConv(rec, old)
	}
	if m.Text == e.Text {
		return nil
	}
	m.Text = e.Text
	m.Edits++
	if err := w.putMessage(k, m); err != nil {
		return err
	}
	rec, old, err := w.conv(key, false)
	if err != nil {
		return err
	}
	if m.Time.Equal(rec.LastMessageTime) {
		rec.LastMessage = preview(m)
		return w.saveConv(rec, old)
	}
	return nil
}

// ingestReferral: the customer came back through a link or an ad. It opens
// the window; there is no message to show.
func (w *wtx) ingestReferral(key ConvKey, e *Event) error {
	dup, err := w.seen("referral", e.PageID, e.PSID, e.Ref, strconv.FormatInt(e.Time.UnixMilli(), 10))
	if err != nil || dup {
		return err
	}
	rec, old, err := w.conv(key, true)
	if err != nil {
		return err
	}
	rec.opensWindow(e.Time)
	return w.saveConvIfChanged(rec, old)
}

// ingestUnknown keeps an event type we do not understand yet, once.
func (w *wtx) ingestUnknown(e *Event) error {
	dup, err := w.seen("unknown", e.PageID, string(e.Raw))
	if err != nil || dup {
		return err
	}
	b := appendOnly(w.bucket(bUnknown))
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return b.Put(timeSeqKey(e.Time, seq), append([]byte(nil), e.Raw...))
}
