package store

import (
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PutPage registers (or renames) a page the inbox serves. Events for pages
// not registered are refused.
func (s *Store) PutPage(ctx context.Context, p Page) error {
	if p.ID == "" {
		return invalidf("page with an empty id")
	}
	return s.write(ctx, 1, func(w *wtx) error {
		if err := putJSON(w.bucket(bPages), []byte(p.ID), &p); err != nil {
			return err
		}
		cp := p
		w.emit(Change{Kind: PageUpdated, Page: &cp})
		return nil
	})
}

// EnsurePages registers the pages not yet known, keeping the names of the
// others. The webhook calls it for every page a signed POST names: Meta
// signs only for pages subscribed to our app.
func (s *Store) EnsurePages(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if id == "" {
			return invalidf("page with an empty id")
		}
	}
	return s.write(ctx, 1, func(w *wtx) error {
		for _, id := range ids {
			if w.bucket(bPages).Get([]byte(id)) != nil {
				continue
			}
			p := Page{ID: id}
			if err := putJSON(w.bucket(bPages), []byte(id), &p); err != nil {
				return err
			}
			w.emit(Change{Kind: PageUpdated, Page: &p})
		}
		return nil
	})
}

// updateConv applies fn to an existing conversation and saves it.
func (s *Store) updateConv(ctx context.Context, key ConvKey, fn func(*convRecord) error) (Conversation, error) {
	return s.updateConvTx(ctx, key, func(_ *wtx, r *convRecord) error { return fn(r) })
}

// SetName records the customer's name from the profile lookup.
func (s *Store) SetName(ctx context.Context, key ConvKey, name string) (Conversation, error) {
	return s.updateConv(ctx, key, func(r *convRecord) error { r.Name = name; return nil })
}

// MarkRead clears the unread count.
func (s *Store) MarkRead(ctx context.Context, key ConvKey) (Conversation, error) {
	return s.updateConv(ctx, key, func(r *convRecord) error { r.Unread = 0; return nil })
}

// SaveDraft keeps the reply an agent is writing in a thread, so that
// leaving the thread or the program never throws it away. Drafts are each
// agent's own (owner: the agent's name; "" for a single user): two agents
// in one thread never overwrite or see each other's. An empty draft is
// deleted.
func (s *Store) SaveDraft(ctx context.Context, owner string, key ConvKey, draft string) error {
	if len(draft) > 64<<10 {
		return invalidf("draft of %d bytes", len(draft))
	}
	if key.PageID == "" || key.PSID == "" {
		return invalidf("conversation %q", key.String())
	}
	return s.write(ctx, 1, func(w *wtx) error {
		if _, _, err := w.conv(key, false); err != nil {
			return err
		}
		b := w.bucket(bDrafts)
		if draft == "" {
			return b.Delete(draftKey(owner, key))
		}
		return b.Put(draftKey(owner, key), []byte(draft))
	})
}

// Draft reads owner's draft in a thread ("" if none). A draft saved before
// drafts had owners is everyone's until someone saves their own.
func (s *Store) Draft(ctx context.Context, owner string, key ConvKey) (string, error) {
	var draft string
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bDrafts)
		v := b.Get(draftKey(owner, key))
		if v == nil && owner != "" {
			v = b.Get(draftKey("", key))
		}
		draft = string(v)
		return nil
	})
	return draft, err
}

// moveDrafts upgrades schema 2: drafts were one per conversation, inside
// its record; they become the drafts of owner "" (see Draft).
func moveDrafts(tx *bolt.Tx) error {
	drafts, err := tx.CreateBucketIfNotExists(bDrafts)
	if err != nil {
		return err
	}
	convs := tx.Bucket(bConvs)
	type moved struct {
		k, v []byte
	}
	var rewrite []moved
	err = convs.ForEach(func(k, v []byte) error {
		var old struct {
			Draft string `json:"draft"`
		}
		if json.Unmarshal(v, &old) != nil || old.Draft == "" {
			return nil
		}
		if err := drafts.Put(draftKey("", parseConvKey(k)), []byte(old.Draft)); err != nil {
			return err
		}
		rec := &convRecord{}
		if err := decodeOldConv(v, rec); err != nil {
			return err
		}
		nv, err := json.Marshal(rec) // without the draft
		if err != nil {
			return err
		}
		rewrite = append(rewrite, moved{append([]byte(nil), k...), nv})
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range rewrite {
		if err := convs.Put(m.k, m.v); err != nil {
			return err
		}
	}
	return nil
}

// PruneJournal drops raw webhook bodies received before cutoff and returns
// how many it dropped.
func (s *Store) PruneJournal(ctx context.Context, cutoff time.Time) (int, error) {
	n := 0
	err := s.write(ctx, 1, func(w *wtx) error {
		b := w.bucket(bJournal)
		end := u64(timeKey(cutoff))
		var old [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil && string(k[:8]) < string(end); k, _ = c.Next() {
			old = append(old, append([]byte(nil), k...))
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	return n, err
}
