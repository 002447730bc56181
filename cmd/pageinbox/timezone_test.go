package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// The CLI shows times in the config's timezone, as the TUI does, not in
// the machine's.
func TestConversationRowsInTheConfiguredZone(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	c := store.Conversation{ConvKey: store.ConvKey{PageID: "1", PSID: "p1"}, Name: "Ana", Status: store.ConvSnoozed,
		LastMessageTime: time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC),
		SnoozedUntil:    time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	var b bytes.Buffer
	writeConvRow(&b, c, tokyo)
	if row := b.String(); !strings.Contains(row, "2026-12-01 09:30:00") || !strings.Contains(row, "until 2026-12-02 09:00") {
		t.Errorf("row %q: want Tokyo times", row)
	}
	var a bytes.Buffer
	printAgents(&a, []store.AgentInfo{{Name: "ben", Created: time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)}}, tokyo)
	if !strings.Contains(a.String(), "2026-12-01 00:00:00") {
		t.Errorf("agents %q: want the creation time in Tokyo", a.String())
	}
}
