package store_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func TestExport(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s,
		store.Event{Kind: store.EventMessage, PageID: page, PSID: "u1", MID: "m1", Text: "hi", Time: at(1500 * time.Microsecond),
			Attachments: []store.Attachment{{Type: "image", URL: "https://cdn.example/a.jpg"}}},
		echo("u1", "e1", "hello", at(time.Minute)))
	item, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "will fail"})
	if err != nil {
		t.Fatal(err)
	}
	s.Claim(ctx(), 1)
	s.Complete(ctx(), item.ID, store.Result{Failed: true, Reason: "This person isn't available right now"})
	s.SaveDraft(ctx(), "ana", key("u1"), "private draft")

	var out bytes.Buffer
	if err := s.Export(ctx(), &out, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		`{"page_id":"PAGE1","psid":"u1","mid":"m1","direction":"in","text":"hi","attachments":[{"type":"image","url":"https://cdn.example/a.jpg"}],"time":"2026-11-01T12:00:00.001Z","status":"received"}`,
		`{"page_id":"PAGE1","psid":"u1","mid":"e1","direction":"out","text":"hello","attachments":[],"time":"2026-11-01T12:01:00.000Z","status":"sent"}`,
		`{"page_id":"PAGE1","psid":"u1","mid":"","direction":"out","text":"will fail","attachments":[],"time":"2026-11-01T13:00:00.000Z","status":"failed","error":"This person isn't available right now"}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("export:\n%s", out.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
	out.Reset()
	if err := s.Export(ctx(), &out, true); err != nil {
		t.Fatal(err)
	}
	var conv map[string]any
	if err := json.Unmarshal(out.Bytes(), &conv); err != nil {
		t.Fatal(err)
	}
	if conv["window_expires_at"] != "2026-11-02T12:00:00.001Z" || conv["message_count"] != 3.0 || conv["unread"] != 1.0 {
		t.Errorf("conversation line = %s", out.String())
	}
	if strings.Contains(out.String(), "private draft") {
		t.Error("export leaked a draft")
	}
}
