package fbtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const psid = "7000000000000001"

// TestSendRefusals: the emulator refuses what Meta refuses, with Meta's
// status, code and subcode.
func TestSendRefusals(t *testing.T) {
	quick := func(n int) []any {
		qrs := make([]any, n)
		for i := range qrs {
			qrs[i] = map[string]any{"content_type": "text", "title": fmt.Sprintf("Option %d", i), "payload": fmt.Sprintf("P%d", i)}
		}
		return qrs
	}
	withQR := func(n int) map[string]any {
		b := textMsg(psid, "RESPONSE", "pick one")
		b["message"].(map[string]any)["quick_replies"] = quick(n)
		return b
	}
	tagged := func(tag string) map[string]any {
		b := textMsg(psid, "MESSAGE_TAG", "your order shipped")
		b["tag"] = tag
		return b
	}
	ok := textMsg(psid, "RESPONSE", "hello")

	type tc struct {
		name      string
		ago       time.Duration // last inbound this long before now; < 0: never wrote
		setup     func(s *Server)
		token     string // "" = the right token; "-" = none
		body      map[string]any
		wantHTTP  int
		wantCode  int
		wantSub   int
		transient bool
	}
	cases := []tc{
		{name: "ok", body: ok, wantHTTP: 200},
		{name: "no token", token: "-", body: ok, wantHTTP: 400, wantCode: 190, wantSub: 467},
		{name: "wrong token", token: "nope", body: ok, wantHTTP: 400, wantCode: 190, wantSub: 467},
		{name: "expired token", setup: func(s *Server) { s.ExpireToken() }, body: ok, wantHTTP: 400, wantCode: 190, wantSub: 463},
		{name: "unknown psid", body: textMsg("7000000000009999", "RESPONSE", "hi"), wantHTTP: 400, wantCode: 100, wantSub: 2018001},
		{name: "no recipient", body: map[string]any{"messaging_type": "RESPONSE", "message": map[string]any{"text": "x"}}, wantHTTP: 400, wantCode: 100},
		{name: "RESPONSE just inside 24h", ago: 24*time.Hour - time.Millisecond, body: ok, wantHTTP: 200},
		{name: "RESPONSE at exactly 24h", ago: 24 * time.Hour, body: ok, wantHTTP: 400, wantCode: 10, wantSub: 2018278},
		{name: "UPDATE just inside 24h", ago: 24*time.Hour - time.Millisecond, body: textMsg(psid, "UPDATE", "news"), wantHTTP: 200},
		{name: "UPDATE at exactly 24h", ago: 24 * time.Hour, body: textMsg(psid, "UPDATE", "news"), wantHTTP: 400, wantCode: 10, wantSub: 2018278},
		{name: "never wrote", ago: -1, body: ok, wantHTTP: 400, wantCode: 10, wantSub: 2018278},
		{name: "HUMAN_AGENT at 25h", ago: 25 * time.Hour, body: tagged("HUMAN_AGENT"), wantHTTP: 200},
		{name: "HUMAN_AGENT just inside 7d", ago: 7*24*time.Hour - time.Millisecond, body: tagged("HUMAN_AGENT"), wantHTTP: 200},
		{name: "HUMAN_AGENT at exactly 7d", ago: 7 * 24 * time.Hour, body: tagged("HUMAN_AGENT"), wantHTTP: 400, wantCode: 10, wantSub: 2018278},
		{name: "CONFIRMED_EVENT_UPDATE", body: tagged("CONFIRMED_EVENT_UPDATE"), wantHTTP: 400, wantCode: 100},
		{name: "POST_PURCHASE_UPDATE", body: tagged("POST_PURCHASE_UPDATE"), wantHTTP: 400, wantCode: 100},
		{name: "ACCOUNT_UPDATE", body: tagged("ACCOUNT_UPDATE"), wantHTTP: 400, wantCode: 100},
		{name: "SHIPPING_UPDATE (2020)", body: tagged("SHIPPING_UPDATE"), wantHTTP: 400, wantCode: 100},
		{name: "made-up tag", body: tagged("WHATEVER"), wantHTTP: 400, wantCode: 100},
		{name: "MESSAGE_TAG without tag", body: textMsg(psid, "MESSAGE_TAG", "x"), wantHTTP: 400, wantCode: 100},
		{name: "tag without MESSAGE_TAG", body: func() map[string]any { b := textMsg(psid, "RESPONSE", "x"); b["tag"] = "HUMAN_AGENT"; return b }(), wantHTTP: 400, wantCode: 100},
		{name: "no messaging_type", body: textMsg(psid, "", "x"), wantHTTP: 400, wantCode: 100},
		{name: "bad messaging_type", body: textMsg(psid, "PROMO", "x"), wantHTTP: 400, wantCode: 100},
		{name: "text of 1999 runes", body: textMsg(psid, "RESPONSE", strings.Repeat("é", 1999)), wantHTTP: 200},
		{name: "text of 2000 runes", body: textMsg(psid, "RESPONSE", strings.Repeat("é", 2000)), wantHTTP: 400, wantCode: 100},
		{name: "empty text", body: textMsg(psid, "RESPONSE", ""), wantHTTP: 400, wantCode: 100, wantSub: 2018034},
		{name: "text and attachment", body: map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE",
			"message": map[string]any{"text": "x", "attachment": map[string]any{"type": "image", "payload": map[string]any{"url": "https://cdn.example/a.jpg"}}}},
			wantHTTP: 400, wantCode: 100},
		{name: "attachment without url", body: map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE",
			"message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{}}}},
			wantHTTP: 400, wantCode: 100},
		{name: "message and sender_action", body: func() map[string]any { b := textMsg(psid, "RESPONSE", "x"); b["sender_action"] = "typing_on"; return b }(),
			wantHTTP: 400, wantCode: 100},
		{name: "neither message nor sender_action", body: map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE"},
			wantHTTP: 400, wantCode: 100},
		{name: "13 quick replies", body: withQR(13), wantHTTP: 200},
		{name: "14 quick replies", body: withQR(14), wantHTTP: 400, wantCode: 100},
		{name: "metadata of 1000 runes", body: func() map[string]any {
			b := textMsg(psid, "RESPONSE", "x")
			b["message"].(map[string]any)["metadata"] = strings.Repeat("m", 1000)
			return b
		}(), wantHTTP: 400, wantCode: 100},
		{name: "unavailable user", setup: func(s *Server) { s.SetUnavailable(psid) }, body: ok, wantHTTP: 400, wantCode: 551, wantSub: 1545041},
		{name: "typing_on inside 24h", body: map[string]any{"recipient": map[string]any{"id": psid}, "sender_action": "typing_on"}, wantHTTP: 200},
		{name: "mark_seen outside 24h", ago: 30 * time.Hour, body: map[string]any{"recipient": map[string]any{"id": psid}, "sender_action": "mark_seen"},
			wantHTTP: 400, wantCode: 10, wantSub: 2018278},
		{name: "bad sender_action", body: map[string]any{"recipient": map[string]any{"id": psid}, "sender_action": "dance"}, wantHTTP: 400, wantCode: 100},
		{name: "rate limited", setup: func(s *Server) { s.SetRateLimit(0.001, 1); send(t, s, textMsg(psid, "RESPONSE", "first")) },
			body: ok, wantHTTP: 400, wantCode: 613},
		{name: "FailNext transient", setup: func(s *Server) { s.FailNext(1, 2, 0, 500) }, body: ok, wantHTTP: 500, wantCode: 2, transient: true},
		{name: "FailNext window", setup: func(s *Server) { s.FailNext(1, 10, 2018278, 400) }, body: ok, wantHTTP: 400, wantCode: 10, wantSub: 2018278},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newClock()
			s := NewServer(Config{Now: clk.Now})
			defer s.Close()
			s.AddUser(psid, "Ada Lovelace")
			if c.ago >= 0 {
				s.Inbound(psid, t0.Add(-c.ago))
			}
			if c.setup != nil {
				c.setup(s)
			}
			tok := DefaultPageToken
			switch c.token {
			case "-":
				tok = ""
			case "":
			default:
				tok = c.token
			}
			a := do(t, s, http.MethodPost, "/v25.0/me/messages", tok, nil, c.body)
			if a.status != c.wantHTTP || a.code() != c.wantCode || a.subcode() != c.wantSub {
				t.Fatalf("got HTTP %d code %d/%d, want %d code %d/%d: %s",
					a.status, a.code(), a.subcode(), c.wantHTTP, c.wantCode, c.wantSub, a.raw)
			}
			if c.wantCode == 0 {
				if a.str("recipient_id") != psid {
					t.Fatalf("recipient_id: %s", a.raw)
				}
				return
			}
			if a.errField("type") != "OAuthException" || a.errField("fbtrace_id") == "" || a.errField("message") == "" {
				t.Errorf("envelope: %s", a.raw)
			}
			if tr, _ := a.errField("is_transient").(bool); tr != c.transient {
				t.Errorf("is_transient = %v, want %v", tr, c.transient)
			}
			if s.Calls(c.wantCode) != 1 {
				t.Errorf("Calls(%d) = %d, want 1", c.wantCode, s.Calls(c.wantCode))
			}
			if c.wantCode == 10 && a.errField("message") != WindowMessage {
				t.Errorf("message %q", a.errField("message"))
			}
			if len(s.Sent()) != 0 && c.name != "rate limited" {
				t.Errorf("a refused send was recorded: %+v", s.Sent())
			}
		})
	}
}

func TestProof(t *testing.T) {
	clk := newClock()
	s := NewServer(Config{Now: clk.Now, RequireProof: true, AppSecret: "s3cret"})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, t0.Add(-time.Hour))
	body := textMsg(psid, "RESPONSE", "hi")
	for _, c := range []struct {
		name  string
		proof string
		want  int
	}{
		{"missing", "", 100},
		{"wrong", Proof(DefaultPageToken, "other-secret"), 100},
		{"not hex", "zz", 100},
		{"right", Proof(DefaultPageToken, "s3cret"), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var q url.Values
			if c.proof != "" {
				q = url.Values{"appsecret_proof": {c.proof}}
			}
			a := do(t, s, http.MethodPost, "/v25.0/me/messages", DefaultPageToken, q, body)
			if a.code() != c.want {
				t.Fatalf("code %d, want %d: %s", a.code(), c.want, a.raw)
			}
			if c.want == 100 && (a.status != 400 || !strings.Contains(a.errField("message").(string), "appsecret_proof")) {
				t.Fatalf("%s", a.raw)
			}
		})
	}
	// Every endpoint needs it, not only the Send API.
	if a := do(t, s, http.MethodGet, "/v25.0/me", DefaultPageToken, nil, nil); a.code() != 100 {
		t.Fatalf("GET /me without proof: %s", a.raw)
	}
}

func TestTokenPlaces(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())
	// access_token in the query.
	if a := do(t, s, http.MethodGet, "/v25.0/me", "", url.Values{"access_token": {DefaultPageToken}}, nil); a.status != 200 {
		t.Fatalf("query token: %s", a.raw)
	}
	// OAuth scheme.
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/v26.0/me", nil)
	req.Header.Set("Authorization", "OAuth "+DefaultPageToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("OAuth header: %d", resp.StatusCode)
	}
	// A form body: access_token among the fields, JSON in string fields.
	form := url.Values{
		"access_token":   {DefaultPageToken},
		"recipient":      {`{"id":"` + psid + `"}`},
		"messaging_type": {"RESPONSE"},
		"message":        {`{"text":"hello from a form"}`},
	}
	a := do(t, s, http.MethodPost, "/v25.0/"+DefaultPageID+"/messages", "", nil, form)
	if a.status != 200 || a.str("message_id") == "" {
		t.Fatalf("form send: %s", a.raw)
	}
	if got := s.Sent(); len(got) != 1 || got[0].Text != "hello from a form" {
		t.Fatalf("Sent: %+v", got)
	}
	// A token swap: the old one stops working, the new one works even
	// after an expiry.
	s.ExpireToken()
	s.SetToken("fresh")
	if a := do(t, s, http.MethodGet, "/v25.0/me", "fresh", nil, nil); a.status != 200 {
		t.Fatalf("new token: %s", a.raw)
	}
	if a := do(t, s, http.MethodGet, "/v25.0/me", DefaultPageToken, nil, nil); a.code() != 190 {
		t.Fatalf("old token: %s", a.raw)
	}
}

// TestSendRecorded: successes return unique mids, recorded in order with
// what they carried.
func TestSendRecorded(t *testing.T) {
	clk := newClock()
	s := NewServer(Config{Now: clk.Now})
	defer s.Close()
	users := []string{"7000000000000001", "7000000000000002", "7000000000000003"}
	for _, u := range users {
		s.AddUser(u, "User "+u)
		s.Inbound(u, t0.Add(-time.Minute))
	}
	mids := map[string]bool{}
	var want []string
	for i := range 30 {
		u := users[i%len(users)]
		b := textMsg(u, "RESPONSE", fmt.Sprintf("message %d", i))
		b["message"].(map[string]any)["metadata"] = fmt.Sprintf("outbox:%d", i)
		a := send(t, s, b)
		mid := a.str("message_id")
		if a.status != 200 || !strings.HasPrefix(mid, "m_") || mids[mid] {
			t.Fatalf("send %d: %s", i, a.raw)
		}
		mids[mid] = true
		want = append(want, mid)
	}
	got := s.Sent()
	if len(got) != 30 {
		t.Fatalf("Sent() has %d", len(got))
	}
	for i, m := range got {
		if m.MID != want[i] || m.Text != fmt.Sprintf("message %d", i) || m.Metadata != fmt.Sprintf("outbox:%d", i) ||
			m.PSID != users[i%len(users)] || m.MessagingType != "RESPONSE" || !m.At.Equal(t0) {
			t.Fatalf("Sent()[%d] = %+v", i, m)
		}
	}
	if n := len(s.SentTo(users[1])); n != 10 {
		t.Fatalf("SentTo: %d", n)
	}

	// Attachments: is_reusable returns an attachment_id usable later.
	img := map[string]any{"recipient": map[string]any{"id": users[0]}, "messaging_type": "RESPONSE",
		"message": map[string]any{"attachment": map[string]any{"type": "image",
			"payload": map[string]any{"url": "https://cdn.example/shirt.jpg", "is_reusable": true}}}}
	a := send(t, s, img)
	id := a.str("attachment_id")
	if a.status != 200 || id == "" {
		t.Fatalf("reusable image: %s", a.raw)
	}
	again := map[string]any{"recipient": map[string]any{"id": users[1]}, "messaging_type": "RESPONSE",
		"message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{"attachment_id": id}}}}
	if a := send(t, s, again); a.status != 200 {
		t.Fatalf("reuse: %s", a.raw)
	}
	last := s.Sent()[len(s.Sent())-1]
	if last.ImageURL != "https://cdn.example/shirt.jpg" || last.AttachmentID != id {
		t.Fatalf("reused attachment recorded as %+v", last)
	}
	bad := map[string]any{"recipient": map[string]any{"id": users[1]}, "messaging_type": "RESPONSE",
		"message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{"attachment_id": "42"}}}}
	if a := send(t, s, bad); a.code() != 100 {
		t.Fatalf("unknown attachment_id: %s", a.raw)
	}

	// Sender actions are recorded apart and return only recipient_id.
	a = send(t, s, map[string]any{"recipient": map[string]any{"id": users[2]}, "sender_action": "typing_on"})
	if a.status != 200 || a.str("recipient_id") != users[2] || a.body["message_id"] != nil {
		t.Fatalf("typing_on: %s", a.raw)
	}
	if acts := s.Actions(); len(acts) != 1 || acts[0].Action != "typing_on" {
		t.Fatalf("Actions: %+v", acts)
	}

	// Every request is kept raw: the token travelled in the header.
	reqs := s.Requests()
	if len(reqs) != 34 {
		t.Fatalf("Requests: %d", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer "+DefaultPageToken || strings.Contains(r.RawQuery, DefaultPageToken) || r.Status == 0 {
			t.Fatalf("request %+v", r)
		}
	}
}

func TestRateLimit(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())
	s.SetRateLimit(0.001, 5) // no refill within a test
	okN := 0
	for range 12 {
		a := send(t, s, textMsg(psid, "RESPONSE", "hi"))
		switch {
		case a.status == 200:
			okN++
		case a.status == 400 && a.code() == 613:
			if a.errField("is_transient") != false || !strings.Contains(a.errField("message").(string), "exceeded the rate limit") {
				t.Fatalf("613 envelope: %s", a.raw)
			}
		default:
			t.Fatalf("unexpected: %s", a.raw)
		}
	}
	if okN != 5 || s.Calls(613) != 7 {
		t.Fatalf("ok %d, 613 x%d; want 5 and 7", okN, s.Calls(613))
	}
	// Only the Send API is limited.
	if a := do(t, s, http.MethodGet, "/v25.0/me", DefaultPageToken, nil, nil); a.status != 200 {
		t.Fatalf("GET /me under the send limit: %s", a.raw)
	}
	s.SetRateLimit(0, 0)
	if a := send(t, s, textMsg(psid, "RESPONSE", "hi")); a.status != 200 {
		t.Fatalf("unlimited again: %s", a.raw)
	}
}

func TestErrorRate(t *testing.T) {
	pattern := func() []bool {
		s := NewServer(Config{Seed: 7})
		defer s.Close()
		s.AddUser(psid, "Ada Lovelace")
		s.Inbound(psid, time.Now())
		s.SetErrorRate(0.25)
		var out []bool
		for range 400 {
			a := send(t, s, textMsg(psid, "RESPONSE", "hi"))
			failed := a.status == 500
			if failed && (a.code() != 2 || a.errField("is_transient") != true) {
				t.Fatalf("transient envelope: %s", a.raw)
			}
			if !failed && a.status != 200 {
				t.Fatalf("unexpected: %s", a.raw)
			}
			out = append(out, failed)
		}
		if n := s.Calls(2); len(s.Sent())+n != 400 {
			t.Fatalf("sent %d + failed %d != 400", len(s.Sent()), n)
		}
		return out
	}
	a, b := pattern(), pattern()
	fails := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d differs between runs with the same seed", i)
		}
		if a[i] {
			fails++
		}
	}
	// 400 draws at p = 0.25: mean 100, sd ~8.7.
	if math.Abs(float64(fails)-100) > 40 {
		t.Fatalf("%d of 400 failed at p=0.25", fails)
	}
}

func TestFailNext(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())
	s.FailNext(2, 368, 0, 403)
	s.FailNext(1, 4, 0, 400)
	want := []struct{ status, code int }{{403, 368}, {403, 368}, {400, 4}, {200, 0}}
	for i, w := range want {
		a := send(t, s, textMsg(psid, "RESPONSE", "hi"))
		if a.status != w.status || a.code() != w.code {
			t.Fatalf("call %d: %s", i, a.raw)
		}
	}
	if len(s.Sent()) != 1 {
		t.Fatalf("Sent: %+v", s.Sent())
	}
	// An unauthenticated call does not use up a FailNext.
	s.FailNext(1, 1200, 0, 500)
	if a := do(t, s, http.MethodPost, "/v25.0/me/messages", "", nil, textMsg(psid, "RESPONSE", "x")); a.code() != 190 {
		t.Fatalf("no token: %s", a.raw)
	}
	if a := send(t, s, textMsg(psid, "RESPONSE", "x")); a.code() != 1200 || a.errField("is_transient") != true {
		t.Fatalf("1200: %s", a.raw)
	}
}

// TestConcurrentSendsAndKnobs: the knobs change while sends run; every
// success has its own mid. Run with -race.
func TestConcurrentSendsAndKnobs(t *testing.T) {
	s := NewServer(Config{Seed: 5})
	defer s.Close()
	users := []string{"7000000000000001", "7000000000000002", "7000000000000003", "7000000000000004"}
	for _, u := range users {
		s.AddUser(u, "U "+u)
		s.Inbound(u, time.Now())
	}
	stop := make(chan struct{})
	knobsDone := make(chan struct{})
	go func() {
		defer close(knobsDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.SetLatency(time.Duration(i%3) * time.Millisecond)
			s.SetErrorRate(float64(i%4) / 10)
			if i%5 == 0 {
				s.SetRateLimit(1000, 50)
			} else {
				s.SetRateLimit(0, 0)
			}
			_ = s.Requests()
			_ = s.Calls(2)
			time.Sleep(time.Millisecond)
		}
	}()
	type result struct {
		mid  string
		code int
	}
	results := make(chan result, 400)
	done := make(chan struct{})
	for w := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 50 {
				b, _ := json.Marshal(textMsg(users[(w+i)%len(users)], "RESPONSE", "hi"))
				req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v25.0/me/messages", bytes.NewReader(b))
				req.Header.Set("Authorization", "Bearer "+DefaultPageToken)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					results <- result{code: -1}
					continue
				}
				var out struct {
					MessageID string `json:"message_id"`
					Error     struct{ Code int }
				}
				json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				results <- result{out.MessageID, out.Error.Code}
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(stop)
	<-knobsDone
	close(results)
	mids := map[string]bool{}
	for r := range results {
		switch {
		case r.code == 0 && r.mid != "" && !mids[r.mid]:
			mids[r.mid] = true
		case r.code == 2 || r.code == 613:
		default:
			t.Fatalf("unexpected result %+v", r)
		}
	}
	if len(mids) != len(s.Sent()) || len(s.Requests()) != 400 {
		t.Fatalf("%d mids, %d sent, %d requests", len(mids), len(s.Sent()), len(s.Requests()))
	}
}

// TestCloseDuringLatency: Close does not wait out a slow call.
func TestCloseDuringLatency(t *testing.T) {
	s := NewServer(Config{})
	s.SetLatency(time.Hour)
	got := make(chan error, 1)
	go func() {
		resp, err := http.Get(s.URL() + "/v25.0/me?access_token=" + DefaultPageToken)
		if err == nil {
			resp.Body.Close()
		}
		got <- err
	}()
	for len(s.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	s.Close() // idempotent
	<-got
}

// TestUploads: a multipart send with filedata, and a reusable upload to
// message_attachments that a later send uses.
func TestUploads(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("recipient", `{"id":"`+psid+`"}`)
	mw.WriteField("messaging_type", "RESPONSE")
	mw.WriteField("message", `{"attachment":{"type":"file","payload":{"is_reusable":true}}}`)
	fw, _ := mw.CreateFormFile("filedata", "invoice.pdf")
	fw.Write([]byte("%PDF-1.4 not really"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v25.0/me/messages?access_token="+DefaultPageToken, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]string
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != 200 || out["attachment_id"] == "" || out["message_id"] == "" {
		t.Fatalf("multipart: %d %v", resp.StatusCode, out)
	}

	a := do(t, s, http.MethodPost, "/v25.0/me/message_attachments", DefaultPageToken, nil, map[string]any{
		"message": map[string]any{"attachment": map[string]any{"type": "image",
			"payload": map[string]any{"url": "https://cdn.example/logo.png", "is_reusable": true}}}})
	id := a.str("attachment_id")
	if id == "" {
		t.Fatalf("upload: %s", a.raw)
	}
	b := map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE",
		"message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{"attachment_id": id}}}}
	if a := send(t, s, b); a.status != 200 || s.Sent()[1].ImageURL != "https://cdn.example/logo.png" {
		t.Fatalf("send uploaded: %s %+v", a.raw, s.Sent())
	}
}
