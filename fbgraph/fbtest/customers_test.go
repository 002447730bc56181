package fbtest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// TestCrowd: the customers write, and answer some of the Page's replies;
// Run ends with its context.
func TestCrowd(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	s := NewServer(Config{WebhookURL: rcv.URL(), Echoes: true})
	defer s.Close()
	c := &Crowd{Server: s, Driver: &Driver{URL: rcv.URL()}, People: 5, Seed: 1,
		MinGap: 2 * time.Millisecond, MaxGap: 10 * time.Millisecond, ReplyChance: 0.6,
		MinReplyDelay: time.Millisecond, MaxReplyDelay: 5 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	// A bot on the Page answers every customer message it receives.
	replied := 0
	deadline := time.Now().Add(15 * time.Second)
	for c.Stats().Answers < 3 || c.Stats().Written < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("stats after 15 s: %+v", c.Stats())
		}
		evs := rcv.Events()
		for _, ev := range evs[replied:] {
			if ev.Kind != store.EventMessage {
				continue
			}
			if a := send(t, s, textMsg(ev.PSID, "RESPONSE", "Thanks for your message!")); a.status != 200 {
				t.Fatalf("reply to %s: %s", ev.PSID, a.raw)
			}
		}
		replied = len(evs)
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}

	people := c.Customers()
	if len(people) != 5 {
		t.Fatalf("customers %v", people)
	}
	for _, ev := range rcv.Events() {
		if ev.Kind == store.EventMessage && (ev.Text == "" || ev.MID == "" || !slices.Contains(people, ev.PSID)) {
			t.Fatalf("message %+v", ev)
		}
	}
	// Each customer has a real-looking name, and those who wrote have a
	// conversation.
	for _, p := range people {
		a := do(t, s, http.MethodGet, "/v25.0/"+p, DefaultPageToken, url.Values{"fields": {"name"}}, nil)
		if a.str("name") == "" {
			t.Fatalf("profile %s: %s", p, a.raw)
		}
	}
	a := do(t, s, http.MethodGet, "/v25.0/me/conversations", DefaultPageToken, url.Values{"limit": {"100"}}, nil)
	if n := len(a.body["data"].([]any)); n == 0 || n > 5 {
		t.Fatalf("%d conversations", n)
	}
}
