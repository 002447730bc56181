package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var chainTestOptions = Options{Now: func() time.Time { return time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC) }}

func chainTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inbox.db")
	s, err := Open(path, chainTestOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.PutPage(context.Background(), Page{ID: "P", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	return s, path
}

func chainMIDs(t *testing.T, s *Store, psid string) []string {
	t.Helper()
	p, err := s.Thread(context.Background(), ConvKey{PageID: "P", PSID: psid}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var mids []string
	for _, m := range p.Messages {
		mids = append(mids, m.MID)
	}
	return mids
}

// Unlinking a message (a duplicate echo folded into our send) keeps the
// rest of its thread whole, whether it was the newest, the oldest, in the
// middle or alone.
func TestUnlinkMessage(t *testing.T) {
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		n, drop int
	}{{1, 0}, {4, 0}, {4, 3}, {4, 1}, {4, 2}} {
		t.Run(fmt.Sprintf("%d_messages_drop_%d", tc.n, tc.drop), func(t *testing.T) {
			s, _ := chainTestStore(t)
			var evs []Event
			var want []string
			for i := range tc.n {
				mid := fmt.Sprintf("m%d", i)
				evs = append(evs, Event{Kind: EventMessage, PageID: "P", PSID: "u", MID: mid, Text: "x", Time: base.Add(time.Duration(i) * time.Minute)})
				if i != tc.drop {
					want = append(want, mid)
				}
			}
			if err := s.Ingest(context.Background(), evs); err != nil {
				t.Fatal(err)
			}
			err := s.write(context.Background(), 1, func(w *wtx) error {
				rec, old, err := w.conv(ConvKey{PageID: "P", PSID: "u"}, false)
				if err != nil {
					return err
				}
				key, _, err := w.messageByMID("P", fmt.Sprintf("m%d", tc.drop))
				if err != nil {
					return err
				}
				if err := w.unlinkMessage(rec, key); err != nil {
					return err
				}
				rec.MessageCount--
				return w.saveConv(rec, old)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := chainMIDs(t, s, "u"); !slices.Equal(got, want) {
				t.Errorf("thread = %v, want %v", got, want)
			}
			if err := s.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// A migration from schema 7 cut short after some batches goes on where it
// stopped on the next Open: every thread whole and in order, every message
// under the id it had, mids and the outbox pointing to them.
func TestChainMigrationResumes(t *testing.T) {
	old := migrationBatch
	migrationBatch = 4
	t.Cleanup(func() { migrationBatch = old })
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	s, path := chainTestStore(t)
	ctx := context.Background()
	for i := range 9 { // interleaved threads, some out of order
		for _, psid := range []string{"a", "b", "c"} {
			at := base.Add(time.Duration((i*7)%9) * time.Minute)
			ev := Event{Kind: EventMessage, PageID: "P", PSID: psid, MID: fmt.Sprintf("%s%d", psid, i), Text: "x", Time: at}
			if err := s.Ingest(ctx, []Event{ev}); err != nil {
				t.Fatal(err)
			}
		}
	}
	item, err := s.Enqueue(ctx, Send{ConvKey: ConvKey{PageID: "P", PSID: "b"}, Text: "reply"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Message{}
	for _, psid := range []string{"a", "b", "c"} {
		p, err := s.Thread(ctx, ConvKey{PageID: "P", PSID: psid}, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		want[psid] = p.Messages
	}
	s.Close()

	DowngradeToSchema7(t, path)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // two batches of 4 of the 28 messages, then a "crash"
		if err := db.Update(func(tx *bolt.Tx) error { _, err := chainBatch(tx); return err }); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err = Open(path, chainTestOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	for psid, msgs := range want {
		p, err := s.Thread(ctx, ConvKey{PageID: "P", PSID: psid}, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(p.Messages) != fmt.Sprint(msgs) {
			t.Errorf("thread %s after the migration:\n got %v\nwant %v", psid, p.Messages, msgs)
		}
		for _, m := range msgs {
			if m.MID == "" {
				continue
			}
			if got, err := s.MessageByMID(ctx, "P", m.MID); err != nil || got.ID != m.ID {
				t.Errorf("mid %s gives %+v %v, want id %s", m.MID, got, err, m.ID)
			}
		}
	}
	got, err := s.Item(ctx, item.ID)
	if err != nil || got.MessageID != item.MessageID {
		t.Errorf("outbox item's message = %q %v, want %q", got.MessageID, err, item.MessageID)
	}
	// New messages are numbered after the migrated ones.
	ev := Event{Kind: EventMessage, PageID: "P", PSID: "a", MID: "after", Text: "x", Time: base.Add(time.Hour)}
	if err := s.Ingest(ctx, []Event{ev}); err != nil {
		t.Fatal(err)
	}
	if mids := chainMIDs(t, s, "a"); len(mids) != 10 || mids[9] != "after" {
		t.Errorf("thread a after a new message: %v", mids)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// Random inserts (times that collide, go back before the thread, land in
// its middle) and unlinks keep the chain what a sorted list would be:
// time order, arrival order within a time, nothing lost, nothing twice.
func TestChainAgainstAModel(t *testing.T) {
	s, _ := chainTestStore(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 5))
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	type entry struct {
		mid string
		at  time.Time
		n   int // arrival
	}
	var model []entry
	key := ConvKey{PageID: "P", PSID: "u"}
	for n := range 300 {
		if len(model) > 0 && rng.IntN(4) == 0 { // unlink one
			i := rng.IntN(len(model))
			err := s.write(ctx, 1, func(w *wtx) error {
				rec, old, err := w.conv(key, false)
				if err != nil {
					return err
				}
				k, _, err := w.messageByMID("P", model[i].mid)
				if err != nil || k == nil {
					return fmt.Errorf("mid %s: %v", model[i].mid, err)
				}
				if err := w.unlinkMessage(rec, k); err != nil {
					return err
				}
				if err := w.bucket(bMIDs).Delete(midKey("P", model[i].mid)); err != nil {
					return err
				}
				rec.MessageCount--
				return w.saveConv(rec, old)
			})
			if err != nil {
				t.Fatal(err)
			}
			model = slices.Delete(model, i, i+1)
			continue
		}
		e := entry{mid: fmt.Sprintf("m%d", n), at: base.Add(time.Duration(rng.IntN(40)) * time.Minute), n: n}
		ev := Event{Kind: EventMessage, PageID: "P", PSID: "u", MID: e.mid, Text: "x", Time: e.at}
		if err := s.Ingest(ctx, []Event{ev}); err != nil {
			t.Fatal(err)
		}
		model = append(model, e)
	}
	slices.SortStableFunc(model, func(a, b entry) int { return a.at.Compare(b.at) })
	var want []string
	for _, e := range model {
		want = append(want, e.mid)
	}
	if got := chainMIDs(t, s, "u"); !slices.Equal(got, want) {
		t.Errorf("thread:\n got %v\nwant %v", got, want)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}
