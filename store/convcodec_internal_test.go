package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

func fullConvRecord() convRecord {
	at := time.Date(2026, 11, 2, 10, 4, 5, 123456789, time.UTC)
	return convRecord{CID: 1 << 40, Conversation: Conversation{
		ConvKey: ConvKey{PageID: "106512345678901", PSID: "24900000000001"}, Name: "Zoë Ångström",
		LastMessage: "Is order #12 still on its way? ✓", LastDirection: Out,
		LastMessageTime: at, LastInboundTime: at.Add(-time.Minute), Unread: 3, MessageCount: 1 << 20,
		Status: ConvSnoozed, SnoozedUntil: at.Add(24 * time.Hour), Assignee: "ana", Labels: Labels("vip", "wholesale"),
		DeliveredUpTo: at.Add(-time.Hour), ReadUpTo: at.Add(-2 * time.Hour), LastActivity: at,
		Blocked: "no matching user", BlockedAt: at.In(time.FixedZone("", -3*3600)),
	}, Newest: 1<<40 + 7, Oldest: 1 << 35}
}

// Every field survives the binary record, and reads back as the JSON
// record read it (same instants, same locations), so nothing a caller
// compares changes with the layout.
func TestConvRecordRoundTrip(t *testing.T) {
	for _, rec := range []convRecord{fullConvRecord(), {CID: 7, Conversation: Conversation{ConvKey: ConvKey{PageID: "1", PSID: "2"}}}} {
		var bin convRecord
		if err := decodeConv(appendConv(nil, &rec), &bin); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(&rec)
		var viaJSON convRecord
		if err := json.Unmarshal(raw, &viaJSON); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(bin, viaJSON) {
			t.Errorf("binary record reads\n%+v\nJSON record reads\n%+v", bin, viaJSON)
		}
	}
}

// A record cut inside a field, or with a time of an unknown kind, is a
// clear error; one that ends between fields reads the missing ones as
// zero (fields are added at the end).
func TestConvRecordDamaged(t *testing.T) {
	rec := fullConvRecord()
	full := appendConv(nil, &rec)
	for _, bad := range [][]byte{nil, []byte(`{"cid":1}`), full[:len(full)-1], full[:len(full)-4], append(appendConv(nil, &convRecord{})[:7:7], 9)} {
		var got convRecord
		if err := decodeConv(bad, &got); !errors.Is(err, errDamaged) {
			t.Errorf("decode %x: %v, want damaged", bad, err)
		}
	}
	short := appendString(appendString(binaryPrefix(rec.CID), rec.PageID), rec.PSID)
	var got convRecord
	if err := decodeConv(short, &got); err != nil {
		t.Fatal(err)
	}
	if want := (convRecord{CID: rec.CID, Conversation: Conversation{ConvKey: rec.ConvKey}}); !reflect.DeepEqual(got, want) {
		t.Errorf("short record = %+v, want %+v", got, want)
	}
}

func binaryPrefix(cid uint64) []byte { return binary.AppendUvarint([]byte{convFormat1}, cid) }
