package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

const (
	apiToken = "api-token-for-tests-0123456789"
	secret   = "app-secret-for-tests"
	pageID   = "1234567890"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// storeInbox is the inbox a daemon serves, on st, without a dispatcher:
// sends are queued and stay queued.
func storeInbox(st *store.Store) *inbox.Local {
	return &inbox.Local{Store: st, Wake: func() {}, Board: inbox.NewPresenceBoard(),
		Describe: func(_ context.Context, s *store.SystemStatus) { s.PageName = "Shop" }}
}

// newHandler is the webhook in front of st: the tests make changes with
// signed POSTs, as Meta would.
func newHandler(t testing.TB, st webhook.Store, logs *bytes.Buffer) *webhook.Handler {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	return webhook.New(st, webhook.Config{AppSecret: secret, MaxBody: 64 << 10,
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
