package store

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// SetMigrationBatch makes batched migrations read n records per
// transaction until the test ends, so a small file takes several batches.
func SetMigrationBatch(t *testing.T, n int) {
	old := migrationBatch
	migrationBatch = n
	t.Cleanup(func() { migrationBatch = old })
}

// A token gives back its key, and only as the kind it was made for: a
// list cursor is not a message id, and the old hex form is refused.
func TestTokensKeepTheirKind(t *testing.T) {
	mk := msgKey(42)
	id := messageID(mk)
	if got, err := messageKeyFromID(id); err != nil || string(got) != string(mk) {
		t.Fatalf("message id %q gives %x %v", id, got, err)
	}
	if got, err := threadCursorKey(Cursor(id)); err != nil || string(got) != string(mk) {
		t.Errorf("thread cursor %q gives %x %v", id, got, err)
	}
	ak := actKey(time.Unix(1700000000, 0), 7)
	if got, err := listCursorKey(listCursor(ak)); err != nil || string(got) != string(ak) {
		t.Errorf("list cursor gives %x %v", got, err)
	}
	jk := timeSeqKey(time.Unix(1700000000, 0), 3)
	if got, err := journalCursorKey(journalCursor(jk)); err != nil || string(got) != string(jk) {
		t.Errorf("journal cursor gives %x %v", got, err)
	}
	refused := map[string]error{}
	_, refused["hex of the key"] = messageKeyFromID(hex.EncodeToString(mk))
	_, refused["list cursor as message id"] = messageKeyFromID(string(listCursor(ak)))
	_, refused["message id as list cursor"] = listCursorKey(Cursor(id))
	_, refused["journal cursor as list cursor"] = listCursorKey(journalCursor(jk))
	_, refused["list cursor as thread cursor"] = threadCursorKey(listCursor(ak))
	_, refused["truncated"] = messageKeyFromID(id[:len(id)-2])
	_, refused["not base64"] = messageKeyFromID("m!!")
	for what, err := range refused {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", what, err)
		}
	}
}

func TestFixField(t *testing.T) {
	upper := func(old string) (string, bool) { return "NEW-" + old, old != "" }
	tests := []struct {
		name, rec, want string
	}{
		{"in place, other bytes kept", `{"id":"a1","text":"x \u003c \"id\":\"y\""}`,
			`{"id":"NEW-a1","text":"x \u003c \"id\":\"y\""}`},
		{"a nested field of the same name", `{"n":{"id":"inner"},"id":"outer"}`,
			`{"id":"NEW-outer","n":{"id":"inner"}}`},
	}
	for _, tt := range tests {
		got, err := fixField([]byte(tt.rec), "id", upper)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %s %v, want %s", tt.name, got, err, tt.want)
		}
	}
	// A missing field is added; a field that stays leaves the record alone.
	got, err := fixField([]byte(`{"text":"x"}`), "id", func(string) (string, bool) { return "m1", true })
	var rec map[string]string
	if err != nil || json.Unmarshal(got, &rec) != nil || rec["id"] != "m1" || rec["text"] != "x" {
		t.Errorf("missing field: %s %v", got, err)
	}
	if got, err := fixField([]byte(`{"id":""}`), "id", upper); got != nil || err != nil {
		t.Errorf("unchanged field: %s %v", got, err)
	}
	if _, err := fixField([]byte(`{"id":`), "id", upper); err == nil {
		t.Error("a damaged record was rewritten")
	}
}
