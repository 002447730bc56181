package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

const (
	secret   = "app-secret-for-tests"
	verifyTk = "verify-token-for-tests"
	pageID   = "1234567890"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newHandler(t *testing.T, st webhook.Store, logs *bytes.Buffer) *webhook.Handler {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	return webhook.New(st, webhook.Config{AppSecret: secret, VerifyToken: verifyTk, MaxBody: 64 << 10,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return now }})
}

func post(h http.Handler, body []byte, sig string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	if sig != "" {
		r.Header.Set("X-Hub-Signature-256", sig)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func textPOST(psid, mid, text string, at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"%s","text":%q}}]}]}`,
		pageID, ms(at), psid, pageID, ms(at), mid, text))
}

func TestVerification(t *testing.T) {
	h := newHandler(t, openStore(t), nil)
	tests := []struct {
		query string
		code  int
		body  string
	}{
		{"hub.mode=subscribe&hub.verify_token=" + verifyTk + "&hub.challenge=1158201444", 200, "1158201444"},
		{"hub.mode=subscribe&hub.verify_token=" + verifyTk + "&hub.challenge=abc%20def", 200, "abc def"},
		{"hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", 403, ""},
		{"hub.mode=unsubscribe&hub.verify_token=" + verifyTk + "&hub.challenge=1", 403, ""},
		{"hub.challenge=1", 403, ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/webhook?"+tt.query, nil))
		if w.Code != tt.code || (tt.code == 200 && w.Body.String() != tt.body) {
			t.Errorf("%s: %d %q, want %d %q", tt.query, w.Code, w.Body.String(), tt.code, tt.body)
		}
	}
	// No verify token configured: nothing verifies, not even an empty token.
	h2 := webhook.New(openStore(t), webhook.Config{AppSecret: secret})
	w := httptest.NewRecorder()
	h2.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/webhook?hub.mode=subscribe&hub.verify_token=&hub.challenge=1", nil))
	if w.Code != 403 {
		t.Errorf("empty configured token verified: %d", w.Code)
	}
}

func TestSignature(t *testing.T) {
	body := textPOST("u1", "m1", "héllo 👋 <b>&</b>", now)
	good := webhook.SignatureHeader(body, secret)
	// A proxy that decodes and re-encodes the JSON changes the bytes.
	var v any
	json.Unmarshal(body, &v)
	reencoded, _ := json.Marshal(v)
	tests := []struct {
		name string
		body []byte
		sig  string
		code int
	}{
		{"good", body, good, 200},
		{"upper-case hex", body, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), 200},
		{"body re-serialised by a proxy", reencoded, good, 403},
		{"re-serialised body signed over the original", reencoded, webhook.SignatureHeader(body, secret), 403},
		{"wrong secret", body, webhook.SignatureHeader(body, "other-secret"), 403},
		{"sha1 only", body, "", 401},
		{"empty header", body, "", 401},
		{"no prefix", body, strings.TrimPrefix(good, "sha256="), 401},
		{"not hex", body, "sha256=zz" + strings.Repeat("0", 62), 403},
		{"truncated digest", body, good[:40], 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			h := newHandler(t, st, nil)
			r := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(tt.body))
			if tt.sig != "" {
				r.Header.Set("X-Hub-Signature-256", tt.sig)
			}
			if tt.name == "sha1 only" {
				r.Header.Set("X-Hub-Signature", "sha1=0123456789abcdef0123456789abcdef01234567")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.code {
				t.Fatalf("status %d, want %d (%s)", w.Code, tt.code, w.Body.String())
			}
			n, _ := st.Count(context.Background(), store.FilterAll)
			if stored := n > 0; stored != (tt.code == 200) {
				t.Errorf("stored=%v with status %d", stored, tt.code)
			}
		})
	}
}

func TestReceive(t *testing.T) {
	var logs bytes.Buffer
	st := openStore(t)
	h := newHandler(t, st, &logs)
	sign := func(b []byte) string { return webhook.SignatureHeader(b, secret) }

	body := textPOST("u1", "m1", "hi", now.Add(-time.Minute))
	for i := 0; i < 3; i++ { // Meta redelivers
		if w := post(h, body, sign(body)); w.Code != 200 {
			t.Fatalf("POST %d: %d %s", i, w.Code, w.Body)
		}
	}
	c, err := st.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: "u1"})
	if err != nil || c.MessageCount != 1 || c.Unread != 1 {
		t.Fatalf("after redelivery: %+v %v", c, err)
	}

	cases := []struct {
		name string
		body string
		code int
	}{
		{"malformed JSON is journaled and acknowledged", `{"object":"page","entry":[`, 200},
		{"instagram object is acknowledged and ignored", `{"object":"instagram","entry":[{"id":"1","time":1,"messaging":[]}]}`, 200},
		{"event the store would refuse is set aside, POST acknowledged",
			fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":1,"messaging":[{"sender":{"id":"u9"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"text":"no mid"}}]}]}`, pageID, pageID, ms(now)), 200},
		{"unknown event type is acknowledged",
			fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":1,"messaging":[{"sender":{"id":"u1"},"recipient":{"id":"%s"},"timestamp":%d,"brand_new_thing":{"x":1}}]}]}`, pageID, pageID, ms(now)), 200},
	}
	for _, tt := range cases {
		b := []byte(tt.body)
		if w := post(h, b, sign(b)); w.Code != tt.code {
			t.Errorf("%s: %d, want %d", tt.name, w.Code, tt.code)
		}
	}
	big := bytes.Repeat([]byte(" "), 65<<10)
	if w := post(h, big, sign(big)); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized POST: %d", w.Code)
	}
	if _, err := st.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: "u9"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refused event was stored: %v", err)
	}
	if got := strings.Count(logs.String(), "brand_new_thing"); got != 1 {
		t.Errorf("unknown type logged %d times, want once", got)
	}
	// The journal keeps every verified body, including the set-aside event
	// and the malformed one.
	entries, _, _ := st.Journal(context.Background(), time.Time{}, "", 100)
	if len(entries) != 7 {
		t.Errorf("journal holds %d bodies, want 7 (3 redeliveries, malformed, instagram, set-aside, unknown)", len(entries))
	}
	for _, leak := range []string{secret, verifyTk, sign(body)[7:]} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log contains a secret or signature: %q", leak)
		}
	}
	if st := h.Stats(); st.Events != 4 || st.SignatureFailures != 0 {
		t.Errorf("stats = %+v", st)
	}
}

// failingStore fails every ingest: the webhook must answer 500 so Meta
// redelivers, never 200.
type failingStore struct{ calls int }

func (f *failingStore) IngestJournaled(context.Context, []byte, []store.Event) error {
	f.calls++
	return errors.New("disk full")
}
func (f *failingStore) EnsurePages(context.Context, []string) error { return nil }
func (f *failingStore) Ingest(context.Context, []store.Event) error { return errors.New("disk full") }
func (f *failingStore) JournalRaw(context.Context, []byte) (string, error) {
	return "", errors.New("disk full")
}
func (f *failingStore) Health() error { return nil }

func TestStoreFailureIs500(t *testing.T) {
	f := &failingStore{}
	h := newHandler(t, f, nil)
	body := textPOST("u1", "m1", "hi", now)
	if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 500 {
		t.Errorf("status %d, want 500", w.Code)
	}
	if f.calls != 1 {
		t.Errorf("ingest called %d times", f.calls)
	}
}

// slowStore proves the ack waits for the commit.
type slowStore struct {
	mu        sync.Mutex
	committed bool
}

func (s *slowStore) IngestJournaled(context.Context, []byte, []store.Event) error {
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	s.committed = true
	s.mu.Unlock()
	return nil
}
func (s *slowStore) EnsurePages(context.Context, []string) error        { return nil }
func (s *slowStore) Ingest(context.Context, []store.Event) error        { return nil }
func (s *slowStore) JournalRaw(context.Context, []byte) (string, error) { return "", nil }
func (s *slowStore) Health() error                                      { return nil }

func TestAckWaitsForCommit(t *testing.T) {
	s := &slowStore{}
	h := newHandler(t, s, nil)
	body := textPOST("u1", "m1", "hi", now)
	w := post(h, body, webhook.SignatureHeader(body, secret))
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.Code != 200 || !s.committed {
		t.Errorf("answered %d with committed=%v", w.Code, s.committed)
	}
}

func TestSeveralPagesInOnePOST(t *testing.T) {
	st := openStore(t)
	h := newHandler(t, st, nil)
	body := []byte(fmt.Sprintf(`{"object":"page","entry":[
	 {"id":"P1","time":%[1]d,"messaging":[{"sender":{"id":"a"},"recipient":{"id":"P1"},"timestamp":%[1]d,"message":{"mid":"m.a","text":"to P1"}}]},
	 {"id":"P2","time":%[1]d,"messaging":[{"sender":{"id":"a"},"recipient":{"id":"P2"},"timestamp":%[1]d,"message":{"mid":"m.b","text":"to P2"}},
	                                      {"sender":{"id":"b"},"recipient":{"id":"P2"},"timestamp":%[1]d,"message":{"mid":"m.c","text":"also P2"}}]}]}`, ms(now)))
	if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	pages, _ := st.Pages(context.Background())
	if len(pages) != 2 {
		t.Errorf("pages = %+v", pages)
	}
	for _, k := range []store.ConvKey{{PageID: "P1", PSID: "a"}, {PageID: "P2", PSID: "a"}, {PageID: "P2", PSID: "b"}} {
		if c, err := st.Conversation(context.Background(), k); err != nil || c.MessageCount != 1 {
			t.Errorf("%s: %+v %v", k, c, err)
		}
	}
}

func TestHealthz(t *testing.T) {
	h := newHandler(t, openStore(t), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Errorf("healthz: %d %q", w.Code, w.Body)
	}
}
