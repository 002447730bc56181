package fbtest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// t0 is "now" for tests on a fake clock: after the 27 Apr 2026 tag cut.
var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// answer is a Graph answer: the status, the decoded body and its error.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) code() int {
	e, _ := a.body["error"].(map[string]any)
	n, _ := e["code"].(float64)
	return int(n)
}

func (a answer) subcode() int {
	e, _ := a.body["error"].(map[string]any)
	n, _ := e["error_subcode"].(float64)
	return int(n)
}

func (a answer) errField(k string) any {
	e, _ := a.body["error"].(map[string]any)
	return e[k]
}

func (a answer) str(k string) string {
	s, _ := a.body[k].(string)
	return s
}

// call makes one Graph request. body: nil, a JSON-marshalable value, or
// url.Values (sent as a form). token "" sends none; it goes in the
// Authorization header.
func do(t testing.TB, s *Server, method, path, token string, query url.Values, body any) answer {
	t.Helper()
	u := s.URL() + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %q", method, path, raw)
	}
	return a
}

// send posts a Send API body with the default token.
func send(t testing.TB, s *Server, body map[string]any) answer {
	t.Helper()
	return do(t, s, http.MethodPost, "/v25.0/me/messages", DefaultPageToken, nil, body)
}

func textMsg(psid, mt, text string) map[string]any {
	return map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": mt,
		"message": map[string]any{"text": text}}
}

// receiver is a webhook endpoint that checks Meta's signature on the raw
// bytes, parses each POST with webhook.Parse and validates the events the
// way the store will.
type receiver struct {
	ts     *httptest.Server
	secret string

	mu      sync.Mutex
	fail    int // answer 500 to this many more POSTs
	posts   [][]byte
	events  []store.Event
	badSig  int
	badBody int
	invalid []error
}

func newReceiver(t testing.TB, secret string) *receiver {
	r := &receiver{secret: secret}
	r.ts = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.ts.Close)
	return r
}

func (r *receiver) URL() string { return r.ts.URL + "/webhook" }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	want := webhook.SignatureHeader(body, r.secret)
	r.mu.Lock()
	defer r.mu.Unlock()
	if subtle.ConstantTimeCompare([]byte(req.Header.Get("X-Hub-Signature-256")), []byte(want)) != 1 {
		r.badSig++
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if r.fail > 0 {
		r.fail--
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	p, err := webhook.Parse(body)
	if err != nil {
		r.badBody++
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, ev := range p.Events {
		r.events = append(r.events, ev)
		if err := ev.Validate(time.Now()); err != nil { // fills in defaults: on a copy
			r.invalid = append(r.invalid, err)
		}
	}
	r.posts = append(r.posts, body)
	io.WriteString(w, "EVENT_RECEIVED")
}

func (r *receiver) Events() []store.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]store.Event(nil), r.events...)
}

// waitEvents waits until at least n events arrived (failing after 10 s).
func (r *receiver) waitEvents(t testing.TB, n int) []store.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs := r.Events()
		if len(evs) >= n {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d webhook events, want %d: %+v", len(evs), n, evs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
