package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// watchedBody records whether anyone read it.
type watchedBody struct {
	r    io.Reader
	read atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.read.Store(true)
	return b.r.Read(p)
}

// An unsigned POST (or one whose header is not a sha256 signature) is
// refused before its body is read; --insecure-skip-signature reads it.
func TestUnsignedPOSTRefusedUnread(t *testing.T) {
	st := openStore(t)
	h := newHandler(t, st, nil)
	body := textPOST("u1", "m1", "hi", now)
	for _, tc := range []struct{ name, sig string }{
		{"no header", ""},
		{"sha1 only", "sha1=0123456789abcdef0123456789abcdef01234567"},
		{"not hex", "sha256=" + strings.Repeat("z", 64)},
	} {
		wb := &watchedBody{r: bytes.NewReader(body)}
		r := httptest.NewRequest(http.MethodPost, "/webhook", wb)
		if tc.sig != "" {
			r.Header.Set("X-Hub-Signature-256", tc.sig)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized && w.Code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 401 or 403", tc.name, w.Code)
		}
		if wb.read.Load() {
			t.Errorf("%s: the body was read before the POST was refused", tc.name)
		}
	}
	if n, _ := st.Count(context.Background(), store.FilterAll); n != 0 {
		t.Errorf("refused POSTs stored %d conversations", n)
	}
	if got := h.Stats().SignatureFailures; got != 3 {
		t.Errorf("SignatureFailures = %d, want 3", got)
	}

	insecure := webhook.New(st, webhook.Config{SkipSignature: true, Now: func() time.Time { return now }})
	wb := &watchedBody{r: bytes.NewReader(body)}
	w := httptest.NewRecorder()
	insecure.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhook", wb))
	if w.Code != 200 || !wb.read.Load() {
		t.Errorf("with SkipSignature: %d, read=%v", w.Code, wb.read.Load())
	}
}

// setAsideLines are the log lines that report a set-aside body, and the
// journal ids they name.
func setAsideLines(logs string) (lines int, ids []string) {
	re := regexp.MustCompile(`(?m)^.*msg="webhook: set aside.*journal=([0-9a-f]{32}).*$`)
	for _, m := range re.FindAllStringSubmatch(logs, -1) {
		ids = append(ids, m[1])
	}
	return len(ids), ids
}

func journalIDs(t *testing.T, st *store.Store) map[string][]byte {
	t.Helper()
	entries, _, err := st.Journal(context.Background(), time.Time{}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		out[e.ID] = e.Raw
	}
	return out
}

func inbound(psid, mid, text string, at time.Time) string {
	return fmt.Sprintf(`{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"%s","text":%q}}`,
		psid, pageID, ms(at), mid, text)
}

// One body, three entries: good events around an element that is not an
// object, an event without a mid, and an entry whose messaging is not an
// array. The good events are stored, the bad parts set aside; the body is
// journaled once, acknowledged, logged once with its journal id, counted.
func TestBadEventsKeepTheirNeighbours(t *testing.T) {
	var logs bytes.Buffer
	st := openStore(t)
	h := newHandler(t, st, &logs)
	body := []byte(fmt.Sprintf(`{"object":"page","entry":[
	 {"id":"%[1]s","time":%[2]d,"messaging":[%[3]s,42,%[4]s,%[5]s]},
	 {"id":"%[1]s","time":%[2]d,"messaging":"not an array"},
	 {"id":"%[1]s","time":%[2]d,"messaging":[%[6]s]}]}`,
		pageID, ms(now), inbound("a", "m.a", "first", now), inbound("b", "", "no mid", now),
		inbound("a", "m.a2", "second", now.Add(time.Second)), inbound("c", "m.c", "third", now)))
	w := post(h, body, webhook.SignatureHeader(body, secret))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	for _, k := range []struct {
		psid string
		n    int
	}{{"a", 2}, {"c", 1}} {
		c, err := st.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: k.psid})
		if err != nil || c.MessageCount != k.n {
			t.Errorf("%s: %+v %v, want %d messages", k.psid, c, err, k.n)
		}
	}
	if _, err := st.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: "b"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the event without a mid was stored: %v", err)
	}
	journal := journalIDs(t, st)
	n, ids := setAsideLines(logs.String())
	if len(journal) != 1 || n != 1 || !bytes.Equal(journal[ids[0]], body) {
		t.Errorf("journal holds %d bodies; %d set-aside log lines naming %v\n%s", len(journal), n, ids, logs.String())
	}
	if got := h.Stats(); got.Events != 3 || got.SetAsideBodies != 1 || got.SetAsideEvents != 3 || got.Unparsable != 0 {
		t.Errorf("stats = %+v", got)
	}
}

// A signed body that is not JSON at all is journaled as it came,
// acknowledged, counted and logged once with its journal id.
func TestUnparsableSignedBodyIsJournaled(t *testing.T) {
	var logs bytes.Buffer
	st := openStore(t)
	h := newHandler(t, st, &logs)
	body := []byte(`{"object":"page","entry":[{"id":"` + pageID + `","messaging":[{"sender":`)
	w := post(h, body, webhook.SignatureHeader(body, secret))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	journal := journalIDs(t, st)
	n, ids := setAsideLines(logs.String())
	if len(journal) != 1 || n != 1 || !bytes.Equal(journal[ids[0]], body) {
		t.Errorf("journal holds %d bodies; %d set-aside log lines naming %v\n%s", len(journal), n, ids, logs.String())
	}
	if got := h.Stats(); got.Unparsable != 1 || got.SetAsideBodies != 1 || got.Events != 0 || got.Posts != 1 {
		t.Errorf("stats = %+v", got)
	}
	rs, err := webhook.Replay(context.Background(), st, time.Time{}, func() time.Time { return now })
	if err != nil || rs.Posts != 1 || rs.Unparsable != 1 {
		t.Errorf("replay: %+v %v", rs, err)
	}
}

// refusingStore is a real store that refuses, deterministically, any call
// holding the event with mid refuse: a store refusal Validate did not see.
type refusingStore struct {
	*store.Store
	refuse string
	calls  atomic.Int32
}

func (s *refusingStore) refused(events []store.Event) error {
	s.calls.Add(1)
	for _, e := range events {
		if e.MID == s.refuse {
			return fmt.Errorf("store: ingest: %w: %s is refused", store.ErrInvalid, e.MID)
		}
	}
	return nil
}

func (s *refusingStore) IngestJournaled(ctx context.Context, raw []byte, events []store.Event) error {
	if err := s.refused(events); err != nil {
		return err
	}
	return s.Store.IngestJournaled(ctx, raw, events)
}

func (s *refusingStore) Ingest(ctx context.Context, events []store.Event) error {
	if err := s.refused(events); err != nil {
		return err
	}
	return s.Store.Ingest(ctx, events)
}

// An event the store refuses is set aside alone: the other events of the
// body are stored, the body is journaled once and acknowledged.
func TestStoreRefusalIsSetAside(t *testing.T) {
	var logs bytes.Buffer
	st := &refusingStore{Store: openStore(t), refuse: "m.4"}
	h := newHandler(t, st, &logs)
	var events []string
	for i := range 7 {
		events = append(events, inbound(fmt.Sprintf("u%d", i), fmt.Sprintf("m.%d", i), "hi", now))
	}
	body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[%s]}]}`,
		pageID, ms(now), strings.Join(events, ",")))
	if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	for i := range 7 {
		_, err := st.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: fmt.Sprintf("u%d", i)})
		if (i == 4) != errors.Is(err, store.ErrNotFound) {
			t.Errorf("u%d: %v", i, err)
		}
	}
	journal := journalIDs(t, st.Store)
	n, ids := setAsideLines(logs.String())
	if len(journal) != 1 || n != 1 || !bytes.Equal(journal[ids[0]], body) {
		t.Errorf("journal holds %d bodies; %d set-aside log lines naming %v\n%s", len(journal), n, ids, logs.String())
	}
	if !strings.Contains(logs.String(), "m.4 is refused") {
		t.Errorf("the log does not say why:\n%s", logs.String())
	}
	if got := h.Stats(); got.Events != 6 || got.SetAsideEvents != 1 || got.IngestFailures != 0 {
		t.Errorf("stats = %+v", got)
	}
	// Halving finds one refusal among 7 events in a few calls, not 7.
	if c := st.calls.Load(); c > 8 {
		t.Errorf("%d ingest calls for 7 events", c)
	}
}

// A commit that fails answers 500 (Meta redelivers), /healthz turns 503
// with the reason, and the redelivery to the restarted store is stored
// once.
func TestFailedCommitIs500AndUnhealthy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	clock := func() time.Time { return now }
	// Commit 1 registers the page, commit 2 stores the POST: it fails.
	st, err := store.Open(path, store.Options{Now: clock, FaultCommit: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := newHandler(t, st, nil)
	healthz := func(h http.Handler) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return w.Code, w.Body.String()
	}
	if code, _ := healthz(h); code != 200 {
		t.Fatalf("healthz before the failure: %d", code)
	}
	body := textPOST("u1", "m1", "hi", now)
	for i := range 2 {
		if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 500 {
			t.Errorf("POST %d after a failed commit: %d %s", i, w.Code, w.Body)
		}
	}
	code, reason := healthz(h)
	if code != 503 || !strings.Contains(reason, "store cannot commit: store: commit failed: injected fault") {
		t.Errorf("healthz after the failure: %d %q", code, reason)
	}
	if got := h.Stats(); got.IngestFailures != 2 || got.Events != 0 || got.SetAsideBodies != 0 {
		t.Errorf("stats = %+v", got)
	}
	st.Close()
	if code, reason := healthz(h); code != 503 || !strings.Contains(reason, "commit failed") {
		t.Errorf("healthz after close: %d %q", code, reason)
	}

	st2, err := store.Open(path, store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	h2 := newHandler(t, st2, nil)
	if code, _ := healthz(h2); code != 200 {
		t.Errorf("healthz after reopening: %d", code)
	}
	if w := post(h2, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
		t.Fatalf("redelivery: %d %s", w.Code, w.Body)
	}
	c, err := st2.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: "u1"})
	if err != nil || c.MessageCount != 1 {
		t.Errorf("after the redelivery: %+v %v", c, err)
	}
}

// An event Validate refuses today (its time is more than a day ahead of
// our clock) is set aside; `replay`, once the clock has caught up, stores
// it, and the neighbour stored at once is not doubled.
func TestReplayStoresASetAsideEventLater(t *testing.T) {
	var mu sync.Mutex
	clock := now
	nowFn := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{Now: nowFn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := webhook.New(st, webhook.Config{AppSecret: secret, Now: nowFn})
	ahead := now.Add(48 * time.Hour)
	body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[%s,%s]}]}`,
		pageID, ms(now), inbound("u1", "m.now", "today", now), inbound("u2", "m.ahead", "from the future", ahead)))
	if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	future := store.ConvKey{PageID: pageID, PSID: "u2"}
	if _, err := st.Conversation(context.Background(), future); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the event from the future was stored at once: %v", err)
	}
	if got := h.Stats(); got.SetAsideEvents != 1 || got.Events != 1 {
		t.Errorf("stats = %+v", got)
	}
	rs, err := webhook.Replay(context.Background(), st, time.Time{}, nowFn)
	if err != nil || rs.SetAside != 1 || rs.Events != 1 {
		t.Errorf("replay before the clock caught up: %+v %v", rs, err)
	}

	mu.Lock()
	clock = now.Add(72 * time.Hour)
	mu.Unlock()
	rs, err = webhook.Replay(context.Background(), st, time.Time{}, nowFn)
	if err != nil || rs.SetAside != 0 || rs.Events != 2 {
		t.Errorf("replay after: %+v %v", rs, err)
	}
	for _, psid := range []string{"u1", "u2"} {
		c, err := st.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: psid})
		if err != nil || c.MessageCount != 1 {
			t.Errorf("%s after replay: %+v %v", psid, c, err)
		}
	}
}

// Three shapes seen in real payloads: an event without its own timestamp
// takes the entry's time; a postback without a title shows its payload; a
// conversation begun by the Page's echo still asks for the customer's name.
func TestSoftSpots(t *testing.T) {
	st := openStore(t)
	names := &wanted{}
	ctx := context.Background()
	h := webhook.New(st, webhook.Config{AppSecret: secret, Now: func() time.Time { return now }, Names: names,
		Logger: slog.New(slog.DiscardHandler)})
	send := func(body string) {
		t.Helper()
		b := []byte(body)
		if w := post(h, b, webhook.SignatureHeader(b, secret)); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	thread := func(psid string) []store.Message {
		t.Helper()
		p, err := st.Thread(ctx, store.ConvKey{PageID: pageID, PSID: psid}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		return p.Messages
	}
	entryTime := now.Add(-time.Minute)

	send(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"t1"},"recipient":{"id":"%s"},"message":{"mid":"m.notime","text":"no timestamp"}}]}]}`,
		pageID, ms(entryTime), pageID))
	if m := thread("t1"); len(m) != 1 || !m[0].Time.Equal(entryTime) {
		t.Errorf("event without a timestamp: %+v, want it stored at the entry's time %v", m, entryTime)
	}

	send(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"p1"},"recipient":{"id":"%s"},"timestamp":%d,"postback":{"mid":"m.pb","payload":"ORDER_STATUS"}}]}]}`,
		pageID, ms(now), pageID, ms(now)))
	if m := thread("p1"); len(m) != 1 || m[0].Text != "ORDER_STATUS" || m[0].Payload != "ORDER_STATUS" {
		t.Errorf("postback without a title: %+v", m)
	}

	send(string(echoEvent("e1", now, `{"is_echo":true,"app_id":263902037430900,"mid":"m.first","text":"Hi! Your order shipped."}`)))
	names.mu.Lock()
	defer names.mu.Unlock()
	if !slices.Contains(names.keys, store.ConvKey{PageID: pageID, PSID: "e1"}) {
		t.Errorf("a conversation begun by the Page's echo never asked for its customer's name: asked %v", names.keys)
	}
}
