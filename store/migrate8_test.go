package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// TestMigrateSchema7File opens a real schema-7 file (testdata/schema7.db,
// written by the schema-7 code: testdata/schema7.go.txt), whose threads
// were key ranges and whose messages arrived out of order. After the move
// to chains every conversation, message (in thread order) and outbox item
// reads as that code read it (testdata/schema7.json), each message id
// turned into its new id; paging walks each thread; the sent reply is
// found by its mid; the queued one still goes out; new messages take their
// place in the threads, and the file opens again without migrating.
func TestMigrateSchema7File(t *testing.T) {
	s, path, c := openOldFile(t, "testdata/schema7.db.gz")
	want := wantMigrated(t, "testdata/schema7.json")

	var read struct {
		Conversations []store.Conversation `json:"conversations"`
		Messages      []store.Message      `json:"messages"`
		Items         []store.OutboxItem   `json:"items"`
	}
	if err := json.Unmarshal([]byte(everythingJSON(t, s)), &read); err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint64{1, 2} {
		it, err := s.Item(ctx(), id)
		if err != nil {
			t.Fatal(err)
		}
		read.Items = append(read.Items, it)
	}
	got, _ := json.MarshalIndent(read, "", "  ")
	if string(got)+"\n" != want {
		t.Errorf("after migration:\n%s\nwant (as schema 7 read it):\n%s", got, want)
	}

	for _, psid := range []string{"a", "b", "c"} {
		var paged []string
		for before := store.Cursor(""); ; {
			p, err := s.Thread(ctx(), key100(psid), before, 2)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range p.Messages {
				ids = append(ids, m.ID)
			}
			paged = append(ids, paged...)
			if before = p.Before; before == "" {
				break
			}
		}
		var whole []string
		for _, m := range read.Messages {
			if m.PSID == psid {
				whole = append(whole, m.ID)
			}
		}
		if len(paged) != len(whole) || len(whole) == 0 {
			t.Errorf("thread %s paged by 2: %v, want %v", psid, paged, whole)
		}
		for i := range whole {
			if i < len(paged) && paged[i] != whole[i] {
				t.Errorf("thread %s paged by 2: %v, want %v", psid, paged, whole)
				break
			}
		}
	}
	if m, err := s.MessageByMID(ctx(), "100", "out-a"); err != nil || m.ID != read.Items[0].MessageID {
		t.Errorf("the sent reply by its mid: %+v %v, want id %s", m, err, read.Items[0].MessageID)
	}
	claimed, err := s.Claim(ctx(), 5)
	if err != nil || len(claimed) != 1 || claimed[0].ID != 2 {
		t.Fatalf("claim the queued reply: %+v %v", claimed, err)
	}
	if err := s.Complete(ctx(), 2, store.Result{MID: "out-b"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message(ctx(), read.Items[1].MessageID); m.MID != "out-b" || m.Status != store.StatusSent {
		t.Errorf("the queued reply after sending it: %+v", m)
	}

	// A new message in the middle of a thread, and one at its end.
	mustIngest(t, s, store.Event{Kind: store.EventMessage, PageID: "100", PSID: "c", MID: "c-mid", Text: "between",
		Time: time.Date(2026, 11, 1, 21, 25, 0, 0, time.UTC)})
	mustIngest(t, s, store.Event{Kind: store.EventMessage, PageID: "100", PSID: "c", MID: "c-new", Text: "newest", Time: c.Now()})
	s.Close()
	s = reopen(t, path, c)
	p, err := s.Thread(ctx(), key100("c"), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var mids []string
	for _, m := range p.Messages {
		mids = append(mids, m.MID)
	}
	if got := fmt.Sprint(mids); got != "[c0 c1 c2 c-mid c3 c4 c-same1 c-same2 c-new]" {
		t.Errorf("thread c after two new messages: %s", got)
	}
}

func key100(psid string) store.ConvKey { return store.ConvKey{PageID: "100", PSID: psid} }
