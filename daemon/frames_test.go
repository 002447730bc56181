package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/store"
)

// filled sets every field of v (a struct) but the key to a value that is
// not zero and differs with seed; a field of a kind it does not know
// fails the test, so a new field cannot go untested.
func filled(t *testing.T, v reflect.Value, seed int) {
	t.Helper()
	at := func(i int) time.Time { return time.Date(2026, 12, 1, seed, i, 0, seed*1000+i, time.UTC) }
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case sf.Anonymous: // the key
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(at(i)))
		case f.Type() == reflect.TypeFor[store.LabelSet]():
			f.Set(reflect.ValueOf(store.Labels(fmt.Sprintf("vip%d", seed), "late")))
		case f.Type() == reflect.TypeFor[[]store.Attachment]():
			f.Set(reflect.ValueOf([]store.Attachment{{Type: "image", URL: fmt.Sprintf("https://x/%d.png", seed), Lat: 1.5}}))
		case f.Type() == reflect.TypeFor[[]store.Reaction]():
			f.Set(reflect.ValueOf([]store.Reaction{{From: "p", Reaction: "love", Emoji: "❤", Time: at(i)}}))
		case f.Kind() == reflect.String:
			f.SetString(fmt.Sprintf("%s %d ✓", sf.Name, seed))
		case f.Kind() == reflect.Int || f.Kind() == reflect.Uint64:
			f.Set(reflect.ValueOf(seed*100 + i).Convert(f.Type()))
		default:
			t.Fatalf("filled: no value for %s (%s)", sf.Name, f.Type())
		}
	}
}

// overTheWire sends batch through the server's encoder and a client's
// decoder, and returns what the client rebuilt and the frame.
func overTheWire(t *testing.T, enc *frameEncoder, dec *frameDecoder, batch []store.Change) ([]store.Change, []byte) {
	t.Helper()
	frame, err := enc.encode(batch)
	if err != nil {
		t.Fatal(err)
	}
	out, err := dec.decode(frame, nil)
	if err != nil {
		t.Fatalf("decoding %q: %v", frame, err)
	}
	return out, frame
}

// Every field of a message arrives as it was; a conversation that
// changes again travels as a delta, and the client rebuilds exactly the
// conversation the store published: each field in turn changed to
// another value and to zero. Other changes travel as JSON and arrive as
// they were.
func TestChangesArriveAsTheyWere(t *testing.T) {
	enc, dec := newFrameEncoder(), newFrameDecoder()
	key := store.ConvKey{PageID: "106", PSID: "249"}
	msg := store.Message{ConvKey: key}
	filled(t, reflect.ValueOf(&msg).Elem(), 1)
	conv := store.Conversation{ConvKey: key}
	filled(t, reflect.ValueOf(&conv).Elem(), 1)
	item := store.OutboxItem{ID: 7, ConvKey: key, Text: "hi"}
	first := []store.Change{{Seq: 1, Kind: store.MessageAdded, Message: &msg},
		{Seq: 2, Kind: store.ConversationUpdated, Conversation: &conv},
		{Seq: 3, Kind: store.OutboxChanged, Outbox: &item},
		{Seq: 4, Kind: store.LabelsChanged, PageID: "106"}, {Seq: 5, Kind: store.Resync}}
	if got, _ := overTheWire(t, enc, dec, first); !reflect.DeepEqual(got, first) {
		t.Fatalf("first frame:\n got %+v\nwant %+v", got, first)
	}
	seq := uint64(5)
	cv := reflect.ValueOf(conv)
	for i := range cv.NumField() {
		name := cv.Type().Field(i).Name
		if cv.Type().Field(i).Anonymous {
			continue
		}
		for _, zero := range []bool{false, true} {
			next := conv
			v := reflect.ValueOf(&next).Elem().Field(i)
			if zero {
				v.SetZero()
			} else {
				other := store.Conversation{}
				filled(t, reflect.ValueOf(&other).Elem(), 2)
				v.Set(reflect.ValueOf(other).Field(i))
			}
			seq++
			batch := []store.Change{{Seq: seq, Kind: store.ConversationUpdated, Conversation: &next}}
			got, frame := overTheWire(t, enc, dec, batch)
			if !reflect.DeepEqual(got, batch) {
				t.Errorf("%s (zero %v): rebuilt %+v\n want %+v", name, zero, got[0].Conversation, next)
			}
			if _, err := newFrameDecoder().decode(frame, nil); err != errNoBase {
				t.Errorf("%s (zero %v): a client without the base decoded it (%v): it went whole, not as a delta", name, zero, err)
			}
			conv = next
		}
	}
}

// After a reset (a client attached) every conversation goes whole once
// more: the newcomer has no base.
func TestResetSendsWholeConversations(t *testing.T) {
	enc := newFrameEncoder()
	conv := store.Conversation{ConvKey: store.ConvKey{PageID: "1", PSID: "2"}, Unread: 1}
	enc.encode([]store.Change{{Seq: 1, Kind: store.ConversationUpdated, Conversation: &conv}})
	conv.Unread = 2
	delta, _ := enc.encode([]store.Change{{Seq: 2, Kind: store.ConversationUpdated, Conversation: &conv}})
	if _, err := newFrameDecoder().decode(delta, nil); err != errNoBase {
		t.Fatalf("a second change of the conversation went whole (%v): deltas are not in use", err)
	}
	enc.reset()
	conv.Unread = 3
	whole, _ := enc.encode([]store.Change{{Seq: 3, Kind: store.ConversationUpdated, Conversation: &conv}})
	if got, err := newFrameDecoder().decode(whole, nil); err != nil || got[0].Conversation.Unread != 3 {
		t.Errorf("after the reset a newcomer got %+v, %v; want the whole conversation", got, err)
	}
}

// A frame cut short anywhere, or with a byte too many, is an error for
// the client, never a panic nor a change made up.
func TestDamagedFramesAreRefused(t *testing.T) {
	enc := newFrameEncoder()
	msg := store.Message{ConvKey: store.ConvKey{PageID: "1", PSID: "2"}, MID: "m1", Text: "hello", Time: time.Unix(1, 0)}
	conv := store.Conversation{ConvKey: msg.ConvKey, LastMessage: "hello"}
	frame, _ := enc.encode([]store.Change{{Seq: 1, Kind: store.MessageAdded, Message: &msg},
		{Seq: 2, Kind: store.ConversationUpdated, Conversation: &conv}, {Seq: 3, Kind: store.Resync}})
	for n := range len(frame) {
		if got, err := newFrameDecoder().decode(frame[:n], nil); err == nil {
			t.Errorf("the first %d of %d bytes decoded as %+v", n, len(frame), got)
		}
	}
	if _, err := newFrameDecoder().decode(append(frame, 0), nil); err == nil {
		t.Error("a frame with a byte too many decoded")
	}
}

// A delta the client has no base for is never published half-made: the
// client reconnects and its subscriber gets a Resync (reload).
func TestDeltaWithoutBaseReconnectsWithResync(t *testing.T) {
	enc := newFrameEncoder()
	conv := store.Conversation{ConvKey: store.ConvKey{PageID: "1", PSID: "2"}, Unread: 1}
	enc.encode([]store.Change{{Seq: 8, Kind: store.ConversationUpdated, Conversation: &conv}})
	conv.Unread = 4
	delta, _ := enc.encode([]store.Change{{Seq: 9, Kind: store.ConversationUpdated, Conversation: &conv}})
	var hellos atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		var hello Frame
		if conn.ReadJSON(&hello) != nil {
			return
		}
		first := hellos.Add(1) == 1 // before the welcome: the client may go on at once
		conn.WriteJSON(Frame{Type: "welcome", Version: ProtocolVersion, Agent: hello.Agent})
		if first {
			conn.WriteMessage(websocket.BinaryMessage, delta)
		}
		for conn.ReadJSON(&Frame{}) == nil {
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), "tok", store.Agent{ID: "a", Name: "ana"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub, _ := c.Subscribe(ctx)
	select {
	case ch := <-sub:
		if ch.Kind != store.Resync {
			t.Errorf("first change after a delta without base: %+v, want a resync", ch)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no resync after a delta without base")
	}
	if n := hellos.Load(); n < 2 {
		t.Errorf("%d connections, want a reconnect", n)
	}
}

// The delta of a conversation is much smaller than the conversation: what
// the change is for.
func TestDeltaIsSmallerThanTheSnapshot(t *testing.T) {
	enc := newFrameEncoder()
	conv := store.Conversation{ConvKey: store.ConvKey{PageID: "106512345678901", PSID: "24900000000123"}}
	filled(t, reflect.ValueOf(&conv).Elem(), 1)
	whole, _ := enc.encode([]store.Change{{Seq: 1, Kind: store.ConversationUpdated, Conversation: &conv}})
	conv.Unread++
	conv.LastActivity = conv.LastActivity.Add(time.Second)
	delta, _ := enc.encode([]store.Change{{Seq: 2, Kind: store.ConversationUpdated, Conversation: &conv}})
	if len(delta)*3 > len(whole) {
		t.Errorf("a delta of two fields is %d bytes, the snapshot %d", len(delta), len(whole))
	}
}

// More conversations than the server keeps bases of: the least recently
// sent loses its slot to a newcomer and comes whole again; every client
// still rebuilds exactly what was sent.
func TestBasesBeyondTheSlotsStayExact(t *testing.T) {
	enc, dec := newFrameEncoder(), newFrameDecoder()
	convs := make([]store.Conversation, maxBases+10)
	seq := uint64(0)
	send := func(i int) ([]store.Change, []byte) {
		t.Helper()
		seq++
		convs[i].Unread++
		convs[i].LastMessage = fmt.Sprintf("message %d", seq)
		batch := []store.Change{{Seq: seq, Kind: store.ConversationUpdated, Conversation: &convs[i]}}
		got, frame := overTheWire(t, enc, dec, batch)
		if !reflect.DeepEqual(got, batch) {
			t.Fatalf("conversation %d: rebuilt %+v, want %+v", i, got[0].Conversation, convs[i])
		}
		return got, frame
	}
	for i := range convs {
		convs[i].ConvKey = store.ConvKey{PageID: "1", PSID: fmt.Sprint(i)}
		send(i)
	}
	if _, frame := send(0); !decodesWithoutBase(frame) {
		t.Error("the conversation whose slot was taken came as a delta")
	}
	if _, frame := send(maxBases + 5); decodesWithoutBase(frame) {
		t.Error("a conversation still in its slot came whole")
	}
	for i := range 20 { // slots now handed round again
		send(i)
	}
}

func decodesWithoutBase(frame []byte) bool {
	_, err := newFrameDecoder().decode(frame, nil)
	return err == nil
}

// The record tables docs/protocol.md gives are the ones the code uses,
// bit for bit.
func TestRecordTablesAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	var msgs, convs []string
	row := regexp.MustCompile("(?m)^\\| (\\d+) \\| (?:`(\\w+)`[^|]*)?\\| (?:`(\\w+)`)? *\\|$")
	for i, m := range row.FindAllStringSubmatch(string(doc), -1) {
		if m[1] != fmt.Sprint(i) {
			t.Fatalf("row %d of the bit table says bit %s", i, m[1])
		}
		if m[2] != "" {
			msgs = append(msgs, m[2])
		}
		if m[3] != "" {
			convs = append(convs, m[3])
		}
	}
	var wantMsgs, wantConvs []string
	for _, f := range messageFields {
		wantMsgs = append(wantMsgs, f.name)
	}
	for _, f := range convFields {
		wantConvs = append(wantConvs, f.name)
	}
	if !slices.Equal(msgs, wantMsgs) {
		t.Errorf("documented message bits %v\n              code uses %v", msgs, wantMsgs)
	}
	if !slices.Equal(convs, wantConvs) {
		t.Errorf("documented conversation bits %v\n                   code uses %v", convs, wantConvs)
	}
}
