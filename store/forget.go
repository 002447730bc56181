package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// JournalScrubber rewrites raw webhook bodies without one customer's
// events. The store keeps bodies without knowing Meta's format; the
// webhook package supplies this (webhook.NewScrub).
type JournalScrubber interface {
	// Mentions reports whether raw names the customer at all.
	Mentions(raw []byte) bool
	// ScrubBody returns body without the customer's events; keep false
	// means the whole body must go.
	ScrubBody(body []byte) (out []byte, keep bool)
}

// ForgetReport says what Forget removed.
type ForgetReport struct {
	Pages            []string  `json:"pages"` // the Pages the customer was forgotten on
	Conversations    int       `json:"conversations"`
	Messages         int       `json:"messages"`
	Drafts           int       `json:"drafts"`
	Notes            int       `json:"notes"`
	OutboxItems      int       `json:"outbox_items"` // replies and campaign recipients
	UnknownEvents    int       `json:"unknown_events"`
	JournalRemoved   int       `json:"journal_removed"`   // bodies that held only their events
	JournalRewritten int       `json:"journal_rewritten"` // bodies kept without their events
	At               time.Time `json:"at"`
}

// Empty reports whether nothing of the customer was stored.
func (r ForgetReport) Empty() bool {
	return r.Conversations+r.Messages+r.Drafts+r.Notes+r.OutboxItems+r.UnknownEvents+r.JournalRemoved+r.JournalRewritten == 0
}

// Forget removes everything stored about one customer of a Page (every
// Page when pageID is ""), in one transaction: the conversation and its
// place in the filters and their counts, its messages and their mid
// index, every agent's draft, the outbox items addressed to them (a
// campaign counts one recipient fewer), raw events of unknown kinds, and
// every journaled webhook body holding their events (rewritten without
// them, or removed). It then records the forget (a digest of page and
// PSID, with the time) so that their events from before it are dropped
// if they come again: a redelivery, `replay`, `sync` from the Graph API.
// Anything they send afterwards starts a new conversation.
//
// A send to them in flight refuses the forget: run it again once it is
// settled. Every UI reloads (a Resync change).
func (s *Store) Forget(ctx context.Context, pageID, psid string, scrub JournalScrubber) (ForgetReport, error) {
	var rep ForgetReport
	if psid == "" || scrub == nil {
		return rep, invalidf("forget: a PSID and a journal scrubber are needed")
	}
	if strings.ContainsRune(psid+pageID, 0) || len(psid) > 256 {
		return rep, invalidf("forget: PSID %q", psid)
	}
	// Find the journal bodies that name them in a read transaction first:
	// the journal can hold weeks of traffic, and the webhook must not wait
	// while it is read. Bodies journaled meanwhile are read in the write.
	candidates, last, err := s.journalMentions(ctx, scrub)
	if err != nil {
		return rep, err
	}
	now := s.now()
	err = s.write(ctx, 1, func(w *wtx) error {
		rep = ForgetReport{At: now}
		pages, err := w.forgetPages(pageID)
		if err != nil {
			return err
		}
		for _, p := range pages {
			key := ConvKey{PageID: p, PSID: psid}
			if err := w.forgetOutbox(key, &rep); err != nil {
				return err
			}
			if err := w.forgetConv(key, &rep); err != nil {
				return err
			}
			if err := w.forgetDrafts(key, &rep); err != nil {
				return err
			}
			if err := w.bucket(bForgotten).Put(forgottenKey(key), u64(timeKey(now))); err != nil {
				return err
			}
		}
		rep.Pages = pages
		if err := w.forgetUnknown(scrub, &rep); err != nil {
			return err
		}
		if err := w.scrubJournal(scrub, candidates, last, &rep); err != nil {
			return err
		}
		w.emit(Change{Kind: Resync})
		return nil
	})
	return rep, err
}

// ForgottenAt is when a customer was forgotten (false if never): their
// events from before it are dropped on ingest. sync uses it to say so.
func (s *Store) ForgottenAt(ctx context.Context, key ConvKey) (time.Time, bool, error) {
	var at time.Time
	var ok bool
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if v := tx.Bucket(bForgotten).Get(forgottenKey(key)); len(v) == 8 {
			at, ok = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC(), true
		}
		return nil
	})
	return at, ok, err
}

// forgotten reports whether e is an event of a forgotten customer from
// before they were forgotten: it must not bring them back.
func (w *wtx) forgotten(e *Event) bool {
	if e.PSID == "" {
		return false
	}
	v := w.bucket(bForgotten).Get(forgottenKey(ConvKey{PageID: e.PageID, PSID: e.PSID}))
	if len(v) != 8 {
		return false
	}
	return timeKey(e.Time) <= binary.BigEndian.Uint64(v)
}

// withoutForgotten is a webhook body as the journal may keep it: without
// the events of forgotten customers from before they were forgotten (a
// redelivery of an old POST), nil when nothing else is in it. Without a
// scrubber (Options.Scrubber) the body is kept whole; their events are
// still dropped from the store.
func (w *wtx) withoutForgotten(raw []byte, evs []Event) []byte {
	if raw == nil || w.s == nil || w.s.scrubber == nil {
		return raw
	}
	done := map[ConvKey]bool{}
	for i := range evs {
		key := ConvKey{PageID: evs[i].PageID, PSID: evs[i].PSID}
		if done[key] || !w.forgotten(&evs[i]) {
			continue
		}
		done[key] = true
		out, keep := w.s.scrubber(key.PageID, key.PSID).ScrubBody(raw)
		if !keep {
			return nil
		}
		raw = out
	}
	return raw
}

// forgetPages is the Page given, or every Page the store serves.
func (w *wtx) forgetPages(pageID string) ([]string, error) {
	if pageID != "" {
		if w.bucket(bPages).Get([]byte(pageID)) == nil {
			return nil, &notFoundError{what: "page " + pageID}
		}
		return []string{pageID}, nil
	}
	var pages []string
	err := w.bucket(bPages).ForEach(func(k, _ []byte) error {
		pages = append(pages, string(k))
		return nil
	})
	return pages, err
}

// forgetConv deletes the conversation, its index entries and counts, and
// its messages with their mids.
func (w *wtx) forgetConv(key ConvKey, rep *ForgetReport) error {
	w.dropLoadedConv(key)
	rec := &convRecord{}
	found, err := getConv(w.bucket(bConvs), convKeyBytes(key), rec)
	if err != nil || !found {
		return err
	}
	for _, ix := range indexes {
		if ix.in(rec) {
			if err := w.bucket(ix.bucket).Delete(actKey(rec.LastActivity, rec.CID)); err != nil {
				return err
			}
			addCount(w.bucket(bCounts), ix.count, -1)
			addCount(w.bucket(bCounts), pageCountKey(ix.count, rec.PageID), -1)
		}
	}
	notes, err := w.dropTeamRows(rec)
	if err != nil {
		return err
	}
	rep.Notes += notes
	msgs, mids := w.bucket(bMsgs), w.bucket(bMIDs)
	var keys, midKeys [][]byte
	err = walkChain(msgs, rec, rec.Newest, func(k, v []byte) (bool, error) {
		var m Message
		if err := decodeMessage(k, v, &m); err != nil {
			return false, err
		}
		keys = append(keys, bytes.Clone(k))
		if m.MID != "" {
			midKeys = append(midKeys, midKey(key.PageID, m.MID))
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := msgs.Delete(k); err != nil {
			return err
		}
	}
	for _, k := range midKeys {
		if err := mids.Delete(k); err != nil {
			return err
		}
	}
	if err := w.bucket(bConvIDs).Delete(u64(rec.CID)); err != nil {
		return err
	}
	rep.Conversations++
	rep.Messages += len(keys)
	return w.bucket(bConvs).Delete(convKeyBytes(key))
}

// dropLoadedConv forgets what this transaction and the writer's cache
// hold of a conversation, so that nothing writes it back. The cache is
// guarded by commitMu, which the writer holds while ops apply.
func (w *wtx) dropLoadedConv(key ConvKey) {
	if _, ok := w.convs[key]; ok {
		delete(w.convs, key)
		for i, k := range w.convOrder {
			if k == key {
				w.convOrder = append(w.convOrder[:i], w.convOrder[i+1:]...)
				break
			}
		}
	}
	if w.s != nil {
		delete(w.s.convCache, key)
	}
}

// forgetDrafts deletes every agent's draft of the conversation.
func (w *wtx) forgetDrafts(key ConvKey, rep *ForgetReport) error {
	suffix := draftKey("", key) // every owner's draft key ends with it
	// The owner is everything before the suffix; owners have no NUL.
	n, err := w.deleteWhere(bDrafts, func(k, _ []byte) bool {
		return bytes.HasSuffix(k, suffix) && bytes.IndexByte(k[:len(k)-len(suffix)], 0) < 0
	})
	rep.Drafts += n
	return err
}

// deleteWhere deletes the entries of bucket name that match, collected
// first (a bucket must not change under its cursor), and counts them.
func (w *wtx) deleteWhere(name []byte, match func(k, v []byte) bool) (int, error) {
	b := w.bucket(name)
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if match(k, v) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
