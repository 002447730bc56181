package fbtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// rawSend posts a text message with metadata through client and returns
// the status and body, or the transport error.
func rawSend(t *testing.T, client *http.Client, s *Server, text, metadata string) (int, string, error) {
	t.Helper()
	body := textMsg(psid, "RESPONSE", text)
	body["message"].(map[string]any)["metadata"] = metadata
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v25.0/me/messages", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+DefaultPageToken)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// Each fault after acceptance spoils only the answer: the message is
// delivered once and its echo, with the send's metadata, still comes.
func TestFaultAfterAccept(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	s := NewServer(Config{WebhookURL: rcv.URL(), Echoes: true})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())
	client := &http.Client{Timeout: 300 * time.Millisecond}

	s.FaultAfterAccept(1, Edge502)
	s.FaultAfterAccept(1, CutAfterAccept)
	s.FaultAfterAccept(1, StallAfterAccept)
	status, body, err := rawSend(t, client, s, "one", "meta-1")
	if err != nil || status != http.StatusBadGateway || strings.Contains(body, `"error"`) || !strings.Contains(body, "502 Bad Gateway") {
		t.Errorf("edge 502: status %d, body %q, err %v", status, body, err)
	}
	if _, _, err = rawSend(t, client, s, "two", "meta-2"); err == nil {
		t.Error("cut after accept: the caller got an answer")
	}
	_, _, err = rawSend(t, client, s, "three", "meta-3")
	var to interface{ Timeout() bool }
	if !errors.As(err, &to) || !to.Timeout() {
		t.Errorf("stall after accept: want a timeout, got %v", err)
	}
	// The next send is answered normally.
	status, body, err = rawSend(t, client, s, "four", "meta-4")
	if err != nil || status != http.StatusOK || !strings.Contains(body, `"message_id"`) {
		t.Fatalf("after the faults: status %d, body %q, err %v", status, body, err)
	}
	if s.AcceptFaults() != 3 {
		t.Errorf("AcceptFaults = %d, want 3", s.AcceptFaults())
	}
	sent := s.SentTo(psid)
	if len(sent) != 4 {
		t.Fatalf("delivered %d messages, want 4: %+v", len(sent), sent)
	}
	evs := rcv.waitEvents(t, 4)
	for i, m := range sent {
		want := fmt.Sprintf("meta-%d", i+1)
		if m.Metadata != want || evs[i].Kind != store.EventEcho || evs[i].MID != m.MID || evs[i].Metadata != want {
			t.Errorf("send %d: delivered %+v, echo %+v", i+1, m, evs[i])
		}
	}
}

// An edge refusal looks like an Edge502 to the caller, but nothing is
// delivered or echoed.
func TestRefuseAtEdge(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	s := NewServer(Config{WebhookURL: rcv.URL(), Echoes: true})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())
	s.RefuseAtEdge(1)
	status, body, err := rawSend(t, http.DefaultClient, s, "lost", "meta-lost")
	if err != nil || status != http.StatusBadGateway || body != edge502Body {
		t.Fatalf("edge refusal: status %d, body %q, err %v", status, body, err)
	}
	if status, _, err := rawSend(t, http.DefaultClient, s, "kept", "meta-kept"); err != nil || status != http.StatusOK {
		t.Fatalf("next send: %d %v", status, err)
	}
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	evs := rcv.waitEvents(t, 1)
	if sent := s.Sent(); len(sent) != 1 || sent[0].Text != "kept" || len(evs) != 1 || evs[0].Metadata != "meta-kept" {
		t.Errorf("delivered %+v, echoes %+v", sent, evs)
	}
	if s.AcceptFaults() != 0 {
		t.Errorf("an edge refusal counted as a fault after acceptance")
	}
}

// The fault rate draws from the seed: the same sends meet the same faults.
func TestAcceptFaultRateIsSeeded(t *testing.T) {
	pattern := func() string {
		s := NewServer(Config{Seed: 42})
		defer s.Close()
		s.AddUser(psid, "Ada Lovelace")
		s.Inbound(psid, time.Now())
		s.SetErrorRate(0.2) // its own stream: must not shift the accept faults
		s.SetAcceptFaultRate(0.3, Edge502)
		var b strings.Builder
		for i := range 40 {
			status, _, err := rawSend(t, http.DefaultClient, s, fmt.Sprint(i), "")
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(map[int]string{200: ".", 500: "e", 502: "x"}[status])
		}
		if got, want := strings.Count(b.String(), "x"), s.AcceptFaults(); got != want {
			t.Errorf("%d answers were 502, AcceptFaults says %d", got, want)
		}
		if n := len(s.Sent()); n != strings.Count(b.String(), ".")+strings.Count(b.String(), "x") {
			t.Errorf("delivered %d for pattern %s", n, b.String())
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("pattern %s: want both faults and clean answers", a)
	}
}
