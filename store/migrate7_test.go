package store_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// A file written by the schema-6 code (testdata/schema6.db.gz, JSON
// records, made by schema6.go.txt at commit 2a8092b) opens, and every
// conversation and message reads exactly as that code read it
// (testdata/schema6.json, written by the same program): names, states,
// snooze, assignee, labels, watermarks, attachments, reactions, statuses,
// ids and times survive the move to binary records. The migrated file
// takes new events and opens again without migrating.
func TestMigrateSchema6File(t *testing.T) {
	s, path, c := openOldFile(t, "testdata/schema6.db.gz")
	want := wantMigrated(t, "testdata/schema6.json")
	if got := everythingJSON(t, s); got != want {
		t.Errorf("after migration:\n%s\nwant (as schema 6 read it):\n%s", got, want)
	}

	k := store.ConvKey{PageID: "200", PSID: "u1"}
	ev := store.Event{Kind: store.EventMessage, PageID: "200", PSID: "u1", MID: "m-after", Text: "still there?", Time: c.Now()}
	if err := s.Ingest(ctx(), []store.Event{ev}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = reopen(t, path, c)
	conv, err := s.Conversation(ctx(), k)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Name != "Ana Souza" || conv.MessageCount != 3 || conv.Unread != 1 || conv.LastMessage != "still there?" {
		t.Errorf("after a new message: %+v", conv)
	}
	if n, err := s.PageCounts(ctx(), "200"); err != nil || n.Unread != 4 {
		t.Errorf("page 200 unread = %d %v, want 4", n.Unread, err)
	}
}

// openOldFile opens a copy of a gzipped file written by an older schema,
// at the clock its program used.
func openOldFile(t *testing.T, gz string) (*store.Store, string, *clock) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inbox.db")
	unzip(t, gz, path)
	c := newClock(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	return reopen(t, path, c), path, c
}

// wantMigrated is the JSON file what an older schema's program read back,
// with each message id (and each outbox item's message id) turned into the
// id schema 8 gave that message: a function of the old one.
func wantMigrated(t *testing.T, file string) string {
	t.Helper()
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`"(id|message_id)": "([^"]+)"`)
	converted := 0
	want = id.ReplaceAllFunc(want, func(b []byte) []byte {
		m := id.FindSubmatch(b)
		migrated := store.MigratedMessageID(string(m[2]))
		if migrated == "" {
			t.Fatalf("%s: %s is not a schema-7 message id", file, m[2])
		}
		converted++
		return []byte(`"` + string(m[1]) + `": "` + migrated + `"`)
	})
	if converted == 0 {
		t.Fatalf("%s holds no message id", file)
	}
	return string(want)
}

// everythingJSON is what schema6.go.txt writes: every conversation and
// every message as the store reads them.
func everythingJSON(t *testing.T, s *store.Store) string {
	t.Helper()
	var read struct {
		Conversations []store.Conversation `json:"conversations"`
		Messages      []store.Message      `json:"messages"`
	}
	if err := s.EachConversation(ctx(), func(c store.Conversation) error {
		read.Conversations = append(read.Conversations, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.EachMessage(ctx(), func(m store.Message) error { read.Messages = append(read.Messages, m); return nil }); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(read, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}
