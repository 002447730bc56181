package fbgraph_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
)

// TestReactUnreactBody: the client sends PLATFORM-2 §4's shapes, and a
// reply carries reply_to top-level as an object.
func TestReactUnreactBody(t *testing.T) {
	f := newFixture(t)
	mid := f.srv.InboundMessage("u1", "", "is it blue?", t0.Add(-time.Minute))
	ctx := context.Background()
	if err := f.c.React(ctx, "u1", mid, "👍"); err != nil {
		t.Fatal(err)
	}
	if err := f.c.Unreact(ctx, "u1", mid); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.Send(ctx, fbgraph.Message{PSID: "u1", Text: "yes", MessagingType: fbgraph.Response, ReplyTo: mid}); err != nil {
		t.Fatal(err)
	}
	if err := f.c.React(ctx, "u1", "m_nowhere", "👍"); err == nil {
		t.Fatal("a reaction to an unknown message was accepted")
	}
	want := []map[string]any{
		{"recipient": map[string]any{"id": "u1"}, "sender_action": "react", "payload": map[string]any{"message_id": mid, "reaction": "👍"}},
		{"recipient": map[string]any{"id": "u1"}, "sender_action": "unreact", "payload": map[string]any{"message_id": mid}},
		{"recipient": map[string]any{"id": "u1"}, "messaging_type": "RESPONSE", "message": map[string]any{"text": "yes"},
			"reply_to": map[string]any{"mid": mid}},
	}
	reqs := f.srv.Requests()
	if len(reqs) < len(want) {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, w := range want {
		var got map[string]any
		if err := json.Unmarshal(reqs[i].Body, &got); err != nil {
			t.Fatalf("request %d: %v: %s", i, err, reqs[i].Body)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("request %d:\n got %v\nwant %v", i, got, w)
		}
	}
	acts := f.srv.Actions()
	if len(acts) != 2 || acts[0].Reaction != "👍" || acts[1].Action != "unreact" {
		t.Fatalf("emulator recorded %+v", acts)
	}
}
