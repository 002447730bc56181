package webhook_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// TestWebhookRoutesEntriesByPage: entries of two connected Pages land
// under their Page; an entry of a Page that is not connected is stored
// and journaled all the same, counted, listed and logged once.
func TestWebhookRoutesEntriesByPage(t *testing.T) {
	const pageB, stranger = "1000000000000002", "1000000000000099"
	st := openStore(t)
	var logs bytes.Buffer
	h := webhook.New(st, webhook.Config{AppSecret: secret, MaxBody: 64 << 10,
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
		Now:       func() time.Time { return now },
		Connected: func(id string) bool { return id == pageID || id == pageB }})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	ctx := context.Background()
	d := &fbtest.Driver{URL: ts.URL + "/webhook", AppSecret: secret, PageID: pageID}
	at := now.Add(-time.Minute)
	posts := []struct {
		d    *fbtest.Driver
		psid string
	}{{d, "a1"}, {d.ForPage(pageB), "b1"}, {d.ForPage(stranger), "x1"}, {d.ForPage(stranger), "x2"}}
	for i, p := range posts {
		if err := p.d.Post(ctx, fbtest.Message(p.psid, "m_"+p.psid, "hi", at.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []store.ConvKey{{PageID: pageID, PSID: "a1"}, {PageID: pageB, PSID: "b1"}, {PageID: stranger, PSID: "x1"}} {
		if _, err := st.Conversation(ctx, want); err != nil {
			t.Errorf("conversation %s: %v", want, err)
		}
	}
	if _, err := st.Conversation(ctx, store.ConvKey{PageID: pageID, PSID: "b1"}); err == nil {
		t.Error("Page B's customer landed under Page A")
	}
	if got := h.UnconnectedPages(); len(got) != 1 || got[0] != (webhook.UnconnectedPage{ID: stranger, Events: 2}) {
		t.Errorf("UnconnectedPages = %+v, want %s with 2 events", got, stranger)
	}
	if s := h.Stats(); s.UnconnectedPageEvents != 2 || s.Events != 4 {
		t.Errorf("stats = %+v", s)
	}
	if n := strings.Count(logs.String(), stranger); n != 1 {
		t.Errorf("the unconnected Page was logged %d times, want once:\n%s", n, logs.String())
	}
	journal, _, err := st.Journal(ctx, time.Time{}, "", 100)
	if err != nil || len(journal) != 4 {
		t.Fatalf("journal: %d bodies, %v; want 4", len(journal), err)
	}
	if !bytes.Contains(journal[3].Raw, []byte(stranger)) {
		t.Errorf("the last body journaled is not the unconnected Page's: %s", journal[3].Raw)
	}
}
