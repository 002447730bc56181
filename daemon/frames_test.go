package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/store"
)

// filled sets every field of v (a struct) to a value that is not zero and
// differs with seed; a field of a kind it does not know fails the test,
// so a new field cannot go untested.
func filled(t *testing.T, v reflect.Value, seed int) {
	t.Helper()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if sf.Anonymous {
			continue // the key
		}
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2026, 12, 1, seed, i, 0, seed*1000+i, time.UTC)))
		case f.Type() == reflect.TypeFor[store.LabelSet]():
			f.Set(reflect.ValueOf(store.Labels(fmt.Sprintf("vip%d", seed), "late")))
		case f.Kind() == reflect.String:
			f.SetString(fmt.Sprintf("%s %d", sf.Name, seed))
		case f.Kind() == reflect.Int || f.Kind() == reflect.Uint64:
			f.Set(reflect.ValueOf(seed*100 + i).Convert(f.Type()))
		default:
			t.Fatalf("filled: no value for %s (%s)", sf.Name, f.Type())
		}
	}
}

// overTheWire sends batch through the server's encoder and a client's
// decoder, as JSON text, and returns what the client rebuilt and the
// wire changes it read.
func overTheWire(t *testing.T, enc *frameEncoder, dec *frameDecoder, batch []store.Change) ([]store.Change, []WireChange) {
	t.Helper()
	frame, err := enc.encode(batch)
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if err := jsonv2.Unmarshal(frame, &f); err != nil {
		t.Fatal(err)
	}
	var out []store.Change
	for i := range f.Changes {
		ch, err := dec.change(&f.Changes[i])
		if err != nil {
			t.Fatalf("change %d of %s: %v", i, frame, err)
		}
		out = append(out, ch)
	}
	return out, f.Changes
}

// A conversation that changes again travels as a delta, and the client
// rebuilds exactly the conversation the store published: for every
// field, changed to another value and changed to zero. Messages travel
// whole and arrive as they were.
func TestConversationDeltasRebuildTheSameChanges(t *testing.T) {
	enc, dec := newFrameEncoder(), newFrameDecoder()
	key := store.ConvKey{PageID: "106", PSID: "249"}
	conv := store.Conversation{ConvKey: key}
	filled(t, reflect.ValueOf(&conv).Elem(), 1)
	msg := store.Message{ConvKey: key}
	seq := uint64(1)
	first := []store.Change{{Seq: seq, Kind: store.ConversationUpdated, Conversation: &conv}}
	if got, _ := overTheWire(t, enc, dec, first); !reflect.DeepEqual(got, first) {
		t.Fatalf("first snapshot: got %+v, want %+v", got[0].Conversation, conv)
	}
	for _, f := range convFields {
		for _, zero := range []bool{false, true} {
			next := conv
			v := reflect.ValueOf(&next).Elem().Field(f.index)
			if zero {
				v.SetZero()
			} else {
				other := store.Conversation{}
				filled(t, reflect.ValueOf(&other).Elem(), 2)
				v.Set(reflect.ValueOf(other).Field(f.index))
			}
			m := msg
			m.Text = "about " + f.name
			seq += 2
			batch := []store.Change{{Seq: seq - 1, Kind: store.MessageAdded, Message: &m},
				{Seq: seq, Kind: store.ConversationUpdated, Conversation: &next}}
			got, wire := overTheWire(t, enc, dec, batch)
			if wire[1].Delta == nil || wire[1].Conversation != nil {
				t.Errorf("%s (zero %v): the conversation went whole, not as a delta", f.name, zero)
			}
			if !reflect.DeepEqual(got, batch) {
				t.Errorf("%s (zero %v): rebuilt %+v\n want %+v", f.name, zero, got[1].Conversation, next)
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
	if w := enc.wire(store.Change{Seq: 2, Kind: store.ConversationUpdated, Conversation: &conv}); w.Delta == nil {
		t.Fatal("a second change of the conversation went whole: deltas are not in use")
	}
	enc.reset()
	conv.Unread = 3
	if w := enc.wire(store.Change{Seq: 3, Kind: store.ConversationUpdated, Conversation: &conv}); w.Delta != nil || w.Conversation == nil {
		t.Errorf("after the reset: %+v, want the whole conversation", w)
	}
}

// A delta the client has no base for is never published half-made: the
// client reconnects and its subscriber gets a Resync (reload).
func TestDeltaWithoutBaseReconnectsWithResync(t *testing.T) {
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
			conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"changes","changes":[`+
				`{"seq":9,"kind":"conversation","page_id":"1","psid":"2","base":8,"delta":{"unread":4}}]}`))
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

// The delta of a conversation is smaller than the conversation: what the
// change is for.
func TestDeltaIsSmallerThanTheSnapshot(t *testing.T) {
	enc := newFrameEncoder()
	conv := store.Conversation{ConvKey: store.ConvKey{PageID: "106512345678901", PSID: "24900000000123"}}
	filled(t, reflect.ValueOf(&conv).Elem(), 1)
	whole, _ := enc.encode([]store.Change{{Seq: 1, Kind: store.ConversationUpdated, Conversation: &conv}})
	conv.Unread++
	conv.LastActivity = conv.LastActivity.Add(time.Second)
	delta, _ := enc.encode([]store.Change{{Seq: 2, Kind: store.ConversationUpdated, Conversation: &conv}})
	if len(delta)*3 > len(whole) {
		t.Errorf("delta of two fields is %d bytes, the snapshot %d:\n%s", len(delta), len(whole), delta)
	}
	var f struct{ Changes []map[string]json.RawMessage }
	if err := json.Unmarshal(delta, &f); err != nil || len(f.Changes) != 1 || f.Changes[0]["conversation"] != nil {
		t.Errorf("delta frame %s: %v", delta, err)
	}
}
