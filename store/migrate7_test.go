package store_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// A file written by the schema-6 code (testdata/schema6.db.gz, JSON
// records, made by schema6.go.txt at commit 54eb2ed) opens, and every
// conversation reads exactly as that code read it (testdata/schema6.json,
// written by the same program): names, states, snooze, assignee, labels,
// watermarks and times survive the move to binary records. The migrated
// file takes new events and opens again without migrating.
func TestMigrateSchema6File(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	unzip(t, "testdata/schema6.db.gz", path)
	c := newClock(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	s := reopen(t, path, c)
	want, err := os.ReadFile("testdata/schema6.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := allConversationsJSON(t, s); got != string(want) {
		t.Errorf("conversations after migration:\n%s\nwant (as schema 6 read them):\n%s", got, want)
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

func allConversationsJSON(t *testing.T, s *store.Store) string {
	t.Helper()
	var convs []store.Conversation
	if err := s.EachConversation(ctx(), func(c store.Conversation) error { convs = append(convs, c); return nil }); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(convs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}
