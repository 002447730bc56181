package store_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	bolt "go.etcd.io/bbolt"
)

// A schema-3 file named each message by the hex of its key, in the message
// and in the outbox item that shows as it. Opening it gives every message
// the id a new file gives it, the outbox still finds its messages, the old
// ids are refused, and the upgrade is idempotent.
func TestMigrateSchema3MessageIDs(t *testing.T) {
	store.SetMigrationBatch(t, 5) // 13 messages: several batches
	c := newClock(at(time.Hour))
	s, path := openStore(t, c)
	for i := 0; i < 8; i++ {
		mustIngest(t, s, msg("u1", fmt.Sprintf("a%d", i), "hi", at(time.Duration(i)*time.Minute)))
	}
	for i := 0; i < 4; i++ {
		mustIngest(t, s, msg("u2", fmt.Sprintf("b%d", i), "hi", at(time.Duration(i)*time.Minute)))
	}
	inFlight, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "on its way"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Claim(ctx(), 1); err != nil || len(got) != 1 || got[0].ID != inFlight.ID {
		t.Fatalf("claim = %+v %v", got, err)
	}
	queued, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "next"})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "t", Text: "x"},
		[]store.Recipient{{ConvKey: key("u2")}}) // its item has no message until claimed
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]store.Message{"u1": thread(t, s, "u1"), "u2": thread(t, s, "u2")}
	s.Close()

	legacy := downgradeToHexIDs(t, path)
	s = reopen(t, path, c)
	checkMigratedIDs(t, s, want, legacy)
	// Open found the message of the send a "crash" cut off through the
	// item's upgraded message id...
	if m, _ := s.Message(ctx(), inFlight.MessageID); m.Status != store.StatusUnknown {
		t.Errorf("message of the send in flight at the upgrade: %+v", m)
	}
	// ...and a queued send still moves its message through its states.
	if got, err := s.Claim(ctx(), 1); err != nil || len(got) != 1 || got[0].ID != queued.ID || got[0].MessageID != queued.MessageID {
		t.Fatalf("claim after the upgrade = %+v %v", got, err)
	}
	if err := s.Complete(ctx(), queued.ID, store.Result{MID: "out.1"}); err != nil {
		t.Fatalf("complete a send queued before the upgrade: %v", err)
	}
	if m, _ := s.Message(ctx(), queued.MessageID); m.MID != "out.1" || m.Status != store.StatusSent {
		t.Errorf("the queued reply's message after sending it: %+v", m)
	}
	if items, err := s.CampaignItems(ctx(), camp.ID); err != nil || len(items) != 1 || items[0].MessageID != "" {
		t.Errorf("campaign item without a message: %+v %v", items, err)
	}
	want = map[string][]store.Message{"u1": thread(t, s, "u1"), "u2": thread(t, s, "u2")}
	s.Close()

	// Cut short after the rewrite, before the schema was recorded: the
	// next Open runs it again over tokens and changes nothing.
	setSchema(t, path, 3)
	s = reopen(t, path, c)
	checkMigratedIDs(t, s, want, legacy)
}

// downgradeToHexIDs turns the file at path into schema 3 and returns the
// hex ids it wrote.
func downgradeToHexIDs(t *testing.T, path string) []string {
	t.Helper()
	store.DowngradeToSchema7(t, path)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var legacy []string
	err = db.Update(func(tx *bolt.Tx) error {
		hexOf := map[string]string{}
		if err := rewriteJSON(tx.Bucket([]byte("msgs")), func(k []byte, rec map[string]any) {
			hexOf[rec["id"].(string)] = hex.EncodeToString(k)
			rec["id"] = hex.EncodeToString(k)
			legacy = append(legacy, hex.EncodeToString(k))
		}); err != nil {
			return err
		}
		if err := rewriteJSON(tx.Bucket([]byte("outbox")), func(_ []byte, rec map[string]any) {
			if id, _ := rec["message_id"].(string); id != "" {
				rec["message_id"] = hexOf[id]
			}
		}); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 3})
	})
	if err != nil {
		t.Fatal(err)
	}
	return legacy
}

func rewriteJSON(b *bolt.Bucket, fn func(k []byte, rec map[string]any)) error {
	type kv struct{ k, v []byte }
	var out []kv
	err := b.ForEach(func(k, v []byte) error {
		if len(v) > 0 && v[0] != '{' { // a binary message (schema 7): as schema 6 kept it
			var err error
			if v, err = store.MessageRecordJSON(k, v); err != nil {
				return err
			}
		}
		var rec map[string]any
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		fn(k, rec)
		nv, err := json.Marshal(rec)
		out = append(out, kv{append([]byte(nil), k...), nv})
		return err
	})
	for _, p := range out {
		if err == nil {
			err = b.Put(p.k, p.v)
		}
	}
	return err
}

func setSchema(t *testing.T, path string, v byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, v}) })
}

func checkMigratedIDs(t *testing.T, s *store.Store, want map[string][]store.Message, legacy []string) {
	t.Helper()
	for psid, msgs := range want {
		got := thread(t, s, psid)
		if names(got) != names(msgs) {
			t.Errorf("thread %s after the upgrade:\n got %s\nwant %s", psid, names(got), names(msgs))
		}
		for _, m := range msgs {
			if byID, err := s.Message(ctx(), m.ID); err != nil || byID.MID != m.MID || byID.Text != m.Text {
				t.Errorf("message %s: %+v %v", m.ID, byID, err)
			}
		}
		// Paging back by cursor still walks the whole thread.
		var texts []string
		var before store.Cursor
		for {
			p, err := s.Thread(ctx(), key(psid), before, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range p.Messages {
				texts = append(texts, m.ID)
			}
			if before = p.Before; before == "" {
				break
			}
		}
		if len(texts) != len(msgs) {
			t.Errorf("paging %s gave %d messages, want %d", psid, len(texts), len(msgs))
		}
	}
	for _, id := range legacy {
		if _, err := s.Message(ctx(), id); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("old id %s: %v, want ErrInvalid", id, err)
		}
		for _, msgs := range want {
			for _, m := range msgs {
				if strings.Contains(m.ID, id) {
					t.Errorf("message id %s carries the old id", m.ID)
				}
			}
		}
	}
}

// names are the ids, mids and texts of msgs.
func names(msgs []store.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "%s|%s|%s ", m.ID, m.MID, m.Text)
	}
	return b.String()
}
