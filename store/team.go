package store

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// The team's triage of a conversation: its state (open, snoozed, done),
// its assignee and its labels. Each is a field of the conversation record,
// kept in step with its indexes (act_open, act_snoozed, act_done,
// act_assignee, act_label, snoozes) by reindex in the same transaction.

// statusOf reads a state as a caller or an old file names it: "active" is
// open (schema 4 and older clients).
func statusOf(st ConvStatus) (ConvStatus, error) {
	switch st {
	case "active", ConvOpen:
		return ConvOpen, nil
	case ConvSnoozed, ConvDone:
		return st, nil
	}
	return "", invalidf("conversation state %q (one of open, snoozed, done)", st)
}

// checkName refuses a name that cannot be a key part (agents, labels,
// shortcuts): empty, NUL, invalid UTF-8, or longer than 64 bytes.
func checkName(what, name string) error {
	if strings.TrimSpace(name) == "" || len(name) > 64 || strings.ContainsRune(name, 0) || !utf8.ValidString(name) {
		return invalidf("%s name %q", what, name)
	}
	return nil
}

// reopen makes a snoozed or done conversation open: a customer wrote.
func (r *convRecord) reopen() { r.Status, r.SnoozedUntil = ConvOpen, time.Time{} }

// SetState moves a conversation to open, done, or snoozed until a time.
func (s *Store) SetState(ctx context.Context, key ConvKey, st ConvStatus, until time.Time) (Conversation, error) {
	st, err := statusOf(st)
	if err != nil {
		return Conversation{}, err
	}
	if st == ConvSnoozed && until.IsZero() {
		return Conversation{}, invalidf("snooze without a time")
	}
	if st != ConvSnoozed {
		until = time.Time{}
	}
	return s.updateConv(ctx, key, func(r *convRecord) error {
		r.Status, r.SnoozedUntil = st, until.UTC()
		return nil
	})
}

// SetStatus marks a conversation done or open again (SetState without a
// snooze).
func (s *Store) SetStatus(ctx context.Context, key ConvKey, st ConvStatus) (Conversation, error) {
	if st, _ = statusOf(st); st == ConvSnoozed {
		return Conversation{}, invalidf("conversation status %q needs a time: SetState", st)
	}
	return s.SetState(ctx, key, st, time.Time{})
}

// Assign gives the conversation to agent ("" for nobody).
func (s *Store) Assign(ctx context.Context, key ConvKey, agent string) (Conversation, error) {
	if agent != "" {
		if err := checkName("agent", agent); err != nil {
			return Conversation{}, err
		}
	}
	return s.updateConv(ctx, key, func(r *convRecord) error { r.Assignee = agent; return nil })
}

// SetLabels replaces the conversation's labels. A label the Page does not
// have yet is created.
func (s *Store) SetLabels(ctx context.Context, key ConvKey, labels []string) (Conversation, error) {
	for _, l := range labels {
		if err := checkName("label", l); err != nil {
			return Conversation{}, err
		}
	}
	set := Labels(labels...)
	return s.updateConvTx(ctx, key, func(w *wtx, r *convRecord) error {
		for _, l := range set.Names() {
			if err := w.ensureLabel(key.PageID, l); err != nil {
				return err
			}
		}
		r.Labels = set
		return nil
	})
}

// ChangeLabels adds and removes labels of a conversation in one write.
func (s *Store) ChangeLabels(ctx context.Context, key ConvKey, add, remove []string) (Conversation, error) {
	c, err := s.Conversation(ctx, key)
	if err != nil {
		return c, err
	}
	set := append(c.Labels.Names(), add...)
	set = slices.DeleteFunc(set, func(l string) bool { return slices.Contains(remove, l) })
	return s.SetLabels(ctx, key, set)
}

// ToggleLabel adds the label if the conversation lacks it, else removes it.
func (s *Store) ToggleLabel(ctx context.Context, key ConvKey, label string) (Conversation, error) {
	c, err := s.Conversation(ctx, key)
	if err != nil {
		return c, err
	}
	if c.Labels.Has(label) {
		return s.ChangeLabels(ctx, key, nil, []string{label})
	}
	return s.ChangeLabels(ctx, key, []string{label}, nil)
}

// updateConvTx applies fn, with the transaction at hand, to an existing
// conversation and saves it if it changed.
func (s *Store) updateConvTx(ctx context.Context, key ConvKey, fn func(*wtx, *convRecord) error) (Conversation, error) {
	var out Conversation
	if key.PageID == "" || key.PSID == "" {
		return out, invalidf("conversation %q", key.String())
	}
	err := s.write(ctx, 1, func(w *wtx) error {
		rec, old, err := w.conv(key, false)
		if err != nil {
			return err
		}
		if err := fn(w, rec); err != nil {
			return err
		}
		out = rec.Conversation
		if old.Conversation == rec.Conversation {
			return nil
		}
		return w.saveConv(rec, old)
	})
	return out, err
}

// WakeDue reopens every snoozed conversation whose time is at or before
// now, and returns their keys. The daemon calls it on a timer (NextWake
// says when); the snoozes are stored, so a restart wakes what fell due.
func (s *Store) WakeDue(ctx context.Context, now time.Time) ([]ConvKey, error) {
	var woke []ConvKey
	err := s.write(ctx, 1, func(w *wtx) error {
		woke = woke[:0]
		end := actKey(now, ^uint64(0))
		var cids [][]byte
		c := w.bucket(bSnoozes).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) <= 0; k, _ = c.Next() {
			cids = append(cids, append([]byte(nil), actKeyCID(k)...))
		}
		for _, cid := range cids {
			ck := w.bucket(bConvIDs).Get(cid)
			if ck == nil {
				continue
			}
			rec, old, err := w.conv(parseConvKey(ck), false)
			if err != nil {
				return err
			}
			rec.reopen()
			woke = append(woke, rec.ConvKey)
			if err := w.saveConv(rec, old); err != nil {
				return err
			}
		}
		return nil
	})
	return woke, err
}

// NextWake is when the earliest snooze falls due (zero: none).
func (s *Store) NextWake(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bSnoozes).Cursor().First(); k != nil {
			t = time.Unix(0, int64(u64Of(k))).UTC()
		}
		return nil
	})
	return t, err
}

func u64Of(b []byte) uint64 {
	var n uint64
	for _, c := range b[:8] {
		n = n<<8 | uint64(c)
	}
	return n
}

// teamRow is one index row of a conversation outside the act_* filters.
type teamRow struct{ bucket, key []byte }

// teamRows are the assignee, Page, label and snooze rows a record has.
func teamRows(r *convRecord) []teamRow {
	if !r.listed() {
		return nil
	}
	rows := []teamRow{{bActAssignee, nameActKey(r.Assignee, r.LastActivity, r.CID)}}
	for _, ix := range indexes {
		if ix.in(r) {
			rows = append(rows, teamRow{bActPage, nameActKey(pageName(ix.count, r.PageID), r.LastActivity, r.CID)})
		}
	}
	for _, l := range r.Labels.Names() {
		rows = append(rows, teamRow{bActLabel, nameActKey(l, r.LastActivity, r.CID)})
	}
	if r.Status == ConvSnoozed && !r.SnoozedUntil.IsZero() {
		rows = append(rows, teamRow{bSnoozes, actKey(r.SnoozedUntil, r.CID)})
	}
	return rows
}

// reteam moves a conversation's team rows from what old had to what rec has.
func (w *wtx) reteam(rec, old *convRecord) error {
	was, is := teamRows(old), teamRows(rec)
	has := func(rows []teamRow, r teamRow) bool {
		return slices.ContainsFunc(rows, func(x teamRow) bool {
			return bytes.Equal(x.bucket, r.bucket) && bytes.Equal(x.key, r.key)
		})
	}
	for _, r := range was {
		if !has(is, r) {
			if err := w.bucket(r.bucket).Delete(r.key); err != nil {
				return err
			}
		}
	}
	for _, r := range is {
		if !has(was, r) {
			if err := w.bucket(r.bucket).Put(r.key, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropTeamRows deletes a forgotten conversation's team rows and notes.
func (w *wtx) dropTeamRows(rec *convRecord) (notes int, err error) {
	for _, r := range teamRows(rec) {
		if err := w.bucket(r.bucket).Delete(r.key); err != nil {
			return 0, err
		}
	}
	b := w.bucket(bNotes)
	prefix := threadPrefix(rec.CID)
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
