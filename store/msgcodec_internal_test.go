package store

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// MessageRecordJSON turns a binary message record (schema 7) back into the
// JSON record of schema 6, id included: for tests that make an old file
// out of a new one.
func MessageRecordJSON(key, v []byte) ([]byte, error) {
	var m Message
	if err := decodeMessage(key, v, &m); err != nil {
		return nil, err
	}
	if len(key) == threadKeyLen {
		m.ID = v7MessageID(key)
	}
	return json.Marshal(&m)
}

func fullMessage() Message {
	at := time.Date(2026, 11, 2, 10, 4, 5, 123456789, time.UTC)
	return Message{ConvKey: ConvKey{PageID: "106512345678901", PSID: "24900000000001"},
		MID: "m_AbC-12:x", Direction: Out, Kind: "postback", Text: "Zoë — ✓ order #12", QuickReply: "QR", Payload: "PAY",
		ReplyTo: "m_prev", Time: at, Status: StatusFailed, Error: "no matching user", AppID: "263902037430900",
		Edits: 2, CampaignID: 1 << 33, Agent: "ana", Template: "order_update", OutboxID: 77,
		Attachments: []Attachment{
			{Type: "image", URL: "https://scontent.xx.fbcdn.net/v/1_n.jpg?oh=1&oe=2"},
			{Type: "location", Title: "Shop", Lat: -23.5505, Long: -46.6333},
			{Type: "file", AttachmentID: "123", Name: "menu.pdf", Size: 1 << 20, DurationMS: 0},
			{Type: "sticker", StickerID: "369239263222822"},
			{Type: "video", URL: "u", DurationMS: 90_500},
		},
		Reactions: []Reaction{{From: "24900000000001", Reaction: "love", Emoji: "❤", Time: at.In(time.FixedZone("", 5*3600+1800))}, {From: "106512345678901", Reaction: "like"}},
	}
}

// Every field of a message survives the binary record and reads back as
// the JSON record read it; the id comes back from the key.
func TestMessageRecordRoundTrip(t *testing.T) {
	key := msgKey(9)
	for _, m := range []Message{fullMessage(), {ConvKey: ConvKey{PageID: "1", PSID: "2"}, Direction: In, Status: StatusReceived}} {
		m.ID = messageID(key)
		var bin Message
		if err := decodeMessage(key, appendMessage(nil, &m), &bin); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(&m)
		var viaJSON Message
		if err := json.Unmarshal(raw, &viaJSON); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(bin, viaJSON) {
			t.Errorf("binary record reads\n%+v\nJSON record reads\n%+v", bin, viaJSON)
		}
	}
}

// A message record cut anywhere inside its fields, or claiming more
// attachments than it holds, is a clear error, never a wrong message.
func TestMessageRecordDamaged(t *testing.T) {
	m := fullMessage()
	full := appendMessage(nil, &m)
	key := msgKey(1)
	damaged := 0
	for n := range len(full) {
		var got Message
		if err := decodeMessage(key, full[:n], &got); err != nil {
			if !errors.Is(err, errDamaged) {
				t.Fatalf("cut at %d: %v, want damaged", n, err)
			}
			damaged++
		}
	}
	// Only a cut just before one of the 20 top-level fields reads as a
	// record written before that field was added.
	if clean := len(full) - damaged; clean > 20 {
		t.Errorf("%d of %d cuts read as whole records; at most 20 may", clean, len(full))
	}
	lying := appendMessage(nil, &Message{Text: "x"})
	// format, prev (8 bytes), five empty strings, the text (2 bytes), then
	// the attachment count: 127, more than the bytes left.
	lying[16] = 0x7f
	var got Message
	if err := decodeMessage(key, lying, &got); !errors.Is(err, errDamaged) {
		t.Errorf("a count larger than the record: %v, want damaged", err)
	}
}
