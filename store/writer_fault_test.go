package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var testCounter = []byte("test-counter")

// bump adds one to a counter in the meta bucket: an op that is wrong to
// apply twice.
func bump(w *wtx) error {
	b := w.bucket(bMeta)
	n := uint32(0)
	if v := b.Get(testCounter); len(v) == 4 {
		n = binary.BigEndian.Uint32(v)
	}
	return b.Put(testCounter, u32(n+1))
}

func readCounter(t *testing.T, s *Store) uint32 {
	t.Helper()
	var n uint32
	err := s.view(context.Background(), func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(testCounter); len(v) == 4 {
			n = binary.BigEndian.Uint32(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A commit that reports an error after bbolt wrote it (the injected fault
// is that worst case) is never re-run op by op: the batch's three bumps are
// on disk once, every op and every later write gets the sticky
// ErrStoreFailed, and the file reopens clean.
func TestFailedCommitIsNeverReRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	s, err := Open(path, Options{FaultCommit: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if errs := s.commit([]*op{{apply: bump}}); errs[0] != nil { // commit 1
		t.Fatal(errs[0])
	}
	errs := s.commit([]*op{{apply: bump}, {apply: bump}, {apply: bump}}) // commit 2: fails
	for i, err := range errs {
		if !errors.Is(err, ErrStoreFailed) || !strings.Contains(err.Error(), "store: commit failed: injected fault") {
			t.Errorf("op %d of the failed batch: %v", i, err)
		}
	}
	select {
	case <-s.Failed():
	default:
		t.Error("Failed() not closed after a failed commit")
	}
	if err := s.Health(); !errors.Is(err, ErrStoreFailed) {
		t.Errorf("Health after a failed commit: %v", err)
	}
	// Later writes, through the group committer and alone, fail the same.
	if err := s.write(context.Background(), 1, bump); !errors.Is(err, ErrStoreFailed) {
		t.Errorf("write after the failure: %v", err)
	}
	if _, err := s.JournalRaw(context.Background(), []byte("{}")); !errors.Is(err, ErrStoreFailed) {
		t.Errorf("JournalRaw after the failure: %v", err)
	}
	if got := readCounter(t, s); got != 4 {
		t.Errorf("counter = %d in the failed store, want 4: the failed batch ran %d times", got, (got-1)/3)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after a failed commit: %v", err)
	}
	defer s2.Close()
	if err := s2.Check(); err != nil {
		t.Fatal(err)
	}
	if got := readCounter(t, s2); got != 4 {
		t.Errorf("counter = %d after reopening, want 4", got)
	}
	if err := s2.Health(); err != nil {
		t.Errorf("Health of the reopened store: %v", err)
	}
	if err := s2.write(context.Background(), 1, bump); err != nil {
		t.Errorf("write after reopening: %v", err)
	}
}

// An op that refuses its input is still isolated: the batch is rolled back
// (nothing reached the file), the others are committed alone, and the
// store stays healthy.
func TestRefusedOpDoesNotStopTheStore(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "inbox.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	refuse := func(w *wtx) error { return invalidf("no") }
	errs := s.commit([]*op{{apply: bump}, {apply: refuse}, {apply: bump}})
	if errs[0] != nil || !errors.Is(errs[1], ErrInvalid) || errs[2] != nil {
		t.Fatalf("errs = %v", errs)
	}
	if got := readCounter(t, s); got != 2 {
		t.Errorf("counter = %d, want 2", got)
	}
	if err := s.Health(); err != nil {
		t.Errorf("Health after a refusal: %v", err)
	}
}

// Through the group committer: concurrent callers whose ops shared the
// failed commit, and every caller after it, get ErrStoreFailed; none gets
// any other error. After reopening, every reply acknowledged before the
// failure is there, and none is there twice.
func TestCommitFailureFailsEveryWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	s, err := Open(path, Options{FaultCommit: 13})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	key := ConvKey{PageID: "P", PSID: "u1"}
	if err := s.EnsurePages(ctx, []string{"P"}); err != nil { // commit 1
		t.Fatal(err)
	}
	in := Event{Kind: EventMessage, PageID: "P", PSID: "u1", MID: "m.in", Text: "hi", Time: s.now().Add(-time.Minute)}
	if err := s.Ingest(ctx, []Event{in}); err != nil { // commit 2
		t.Fatal(err)
	}
	acked := map[string]bool{}
	for i := range 10 { // commits 3 to 12
		text := fmt.Sprintf("early %02d", i)
		if _, err := s.Enqueue(ctx, Send{ConvKey: key, Text: text}); err != nil {
			t.Fatal(err)
		}
		acked[text] = true
	}
	const n = 60 // the first commit of their ops fails
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Enqueue(ctx, Send{ConvKey: key, Text: fmt.Sprintf("reply %02d", i)})
		}()
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		switch {
		case err == nil:
			acked[fmt.Sprintf("reply %02d", i)] = true
		case errors.Is(err, ErrStoreFailed):
			failed++
		default:
			t.Errorf("reply %02d: %v", i, err)
		}
	}
	if failed == 0 {
		t.Errorf("no caller saw the failure (%d acknowledged)", len(acked))
	}
	if _, err := s.Enqueue(ctx, Send{ConvKey: key, Text: "later"}); !errors.Is(err, ErrStoreFailed) {
		t.Errorf("a later caller: %v", err)
	}
	if err := s.Ingest(ctx, []Event{in}); !errors.Is(err, ErrStoreFailed) {
		t.Errorf("a later ingest: %v", err)
	}
	s.Close()

	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	page, err := s2.Thread(ctx, key, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range page.Messages {
		if m.Direction == Out {
			seen[m.Text]++
		}
	}
	for text, c := range seen {
		if c != 1 {
			t.Errorf("%q is in the thread %d times", text, c)
		}
	}
	for text := range acked {
		if seen[text] != 1 {
			t.Errorf("acknowledged %q is missing after reopening", text)
		}
	}
	items := map[string]int{}
	err = s2.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bOutbox).ForEach(func(_, v []byte) error {
			var it OutboxItem
			if err := jsonUnmarshal(v, &it); err != nil {
				return err
			}
			items[it.Text]++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for text, c := range items {
		if c != 1 || seen[text] != 1 {
			t.Errorf("%q: %d outbox items, %d messages", text, c, seen[text])
		}
	}
	if len(items) != len(seen) {
		t.Errorf("%d outbox items for %d replies in the thread", len(items), len(seen))
	}
	t.Logf("%d acknowledged, %d failed; %d on disk after reopening", len(acked), failed, len(seen))
}
