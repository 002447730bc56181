package fbtest

import (
	"github.com/pageinbox/pageinbox/store"
	"strings"
	"testing"
	"time"
)

// TestReplyTo: a reply naming a message of the conversation is accepted,
// recorded and echoed with reply_to; a mid from elsewhere is refused and
// nothing is sent.
func TestReplyTo(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	s := NewServer(Config{WebhookURL: rcv.URL(), Echoes: true})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.AddUser("7000000000000002", "Grace Hopper")
	asked := s.InboundMessage(psid, "", "which size?", time.Now())
	other := s.InboundMessage("7000000000000002", "", "hello", time.Now())

	reply := func(mid string) map[string]any {
		b := textMsg(psid, "RESPONSE", "this one")
		b["reply_to"] = map[string]any{"mid": mid}
		return b
	}
	if a := send(t, s, reply(other)); a.status != 400 || a.code() != 100 || !strings.Contains(a.raw, "reply_to") {
		t.Fatalf("reply to another customer's message: %d %s", a.status, a.raw)
	}
	if a := send(t, s, reply("m_nowhere")); a.status != 400 {
		t.Fatalf("reply to an unknown mid: %d %s", a.status, a.raw)
	}
	if n := len(s.Sent()); n != 0 {
		t.Fatalf("refused replies were recorded: %d", n)
	}
	if a := send(t, s, reply(asked)); a.status != 200 {
		t.Fatalf("reply to the customer's message: %d %s", a.status, a.raw)
	}
	sent := s.Sent()
	if len(sent) != 1 || sent[0].ReplyTo != asked {
		t.Fatalf("recorded %+v, want reply_to %s", sent, asked)
	}
	echo := rcv.waitEvents(t, 1)[0]
	if echo.Kind != store.EventEcho || echo.ReplyTo != asked {
		t.Fatalf("echo %+v does not carry reply_to %s", echo, asked)
	}
}

// TestReactUnreact: react needs payload.message_id and payload.reaction,
// unreact payload.message_id, both naming a message of the conversation;
// accepted ones are recorded with the mid and emoji, refused ones not.
func TestReactUnreact(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	mid := s.InboundMessage(psid, "", "parcel arrived broken", time.Now())
	act := func(action string, payload map[string]any) answer {
		b := map[string]any{"recipient": map[string]any{"id": psid}, "sender_action": action}
		if payload != nil {
			b["payload"] = payload
		}
		return send(t, s, b)
	}
	refusals := []struct {
		name    string
		action  string
		payload map[string]any
	}{
		{"react without payload", "react", nil},
		{"react without reaction", "react", map[string]any{"message_id": mid}},
		{"react without message_id", "react", map[string]any{"reaction": "😢"}},
		{"react on an unknown mid", "react", map[string]any{"message_id": "m_nowhere", "reaction": "😢"}},
		{"unreact without payload", "unreact", nil},
		{"typing_on with a payload", "typing_on", map[string]any{"message_id": mid}},
		{"uppercase REACT", "REACT", map[string]any{"message_id": mid, "reaction": "😢"}},
	}
	for _, r := range refusals {
		if a := act(r.action, r.payload); a.status != 400 || a.code() != 100 {
			t.Errorf("%s: %d %s, want a (#100) refusal", r.name, a.status, a.raw)
		}
	}
	if n := len(s.Actions()); n != 0 {
		t.Fatalf("refused actions were recorded: %+v", s.Actions())
	}
	a := act("react", map[string]any{"message_id": mid, "reaction": "😢"})
	if a.status != 200 || a.body["recipient_id"] != psid || a.body["message_id"] != nil {
		t.Fatalf("react: %d %s (want only recipient_id)", a.status, a.raw)
	}
	if a := act("unreact", map[string]any{"message_id": mid}); a.status != 200 {
		t.Fatalf("unreact: %d %s", a.status, a.raw)
	}
	acts := s.Actions()
	if len(acts) != 2 || acts[0].Action != "react" || acts[0].MID != mid || acts[0].Reaction != "😢" ||
		acts[1].Action != "unreact" || acts[1].MID != mid || acts[1].Reaction != "" {
		t.Fatalf("recorded %+v", acts)
	}
}
