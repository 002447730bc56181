package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/store"
)

// Every method docs/protocol.md lists is in the table, and the table
// serves nothing the document does not list.
func TestMethodTableIsTheDocumentedProtocol(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		documented = append(documented, m[1])
	}
	var served []string
	for name := range methods {
		served = append(served, name)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("documented methods %v\nserved methods     %v", documented, served)
	}
}

// recorder is a daemon that says welcome, writes down every request as it
// came over the wire, and answers each with result.
type recorder struct {
	mu       sync.Mutex
	requests []string // "method params"
	result   string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	conn, err := (&websocket.Upgrader{}).Upgrade(w, req, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	var hello Frame
	if conn.ReadJSON(&hello) != nil {
		return
	}
	conn.WriteJSON(Frame{Type: "welcome", Version: ProtocolVersion, Agent: hello.Agent})
	for {
		var f Frame
		if conn.ReadJSON(&f) != nil {
			return
		}
		r.mu.Lock()
		r.requests = append(r.requests, f.Method+" "+string(f.Params))
		r.mu.Unlock()
		conn.WriteJSON(Frame{Type: "reply", ID: f.ID, Result: json.RawMessage(r.result)})
	}
}

// Each Backend method of the Client sends the method and params the
// protocol has always had: a client of this version and a daemon of the
// last one understand each other.
func TestClientSpeaksTheProtocol(t *testing.T) {
	rec := &recorder{result: "{}"}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	ctx := context.Background()
	c, err := Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), "tok", store.Agent{ID: "a", Name: "ana"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key := store.ConvKey{PageID: "1", PSID: "42"}
	calls := []struct {
		call func()
		want string
	}{
		{func() { c.Conversations(ctx, store.ListQuery{Filter: store.FilterUnread, Limit: 5}) }, `list {"filter":"unread","limit":5}`},
		{func() { c.Counts(ctx) }, `counts null`},
		{func() { c.Thread(ctx, key, "c1", 50) }, `thread {"key":{"page_id":"1","psid":"42"},"before":"c1","limit":50}`},
		{func() { c.Pages(ctx) }, `pages null`},
		{func() { c.Send(ctx, store.Send{ConvKey: key, Text: "hi"}) }, `send {"page_id":"1","psid":"42","text":"hi"}`},
		{func() { c.Item(ctx, 7) }, `outbox_item {"id":7}`},
		{func() { c.Resend(ctx, 7) }, `resend {"id":7}`},
		{func() { c.Abandon(ctx, 7, "gone") }, `abandon {"id":7,"why":"gone"}`},
		{func() { c.MarkRead(ctx, key) }, `mark_read {"key":{"page_id":"1","psid":"42"}}`},
		{func() { c.SetStatus(ctx, key, store.ConvDone) }, `set_status {"key":{"page_id":"1","psid":"42"},"status":"done"}`},
		{func() { c.SaveDraft(ctx, key, "d") }, `save_draft {"key":{"page_id":"1","psid":"42"},"draft":"d"}`},
		{func() { c.Draft(ctx, key) }, `draft {"key":{"page_id":"1","psid":"42"}}`},
		{func() { c.Presence(ctx, key, true) }, `presence {"key":{"page_id":"1","psid":"42"},"typing":true}`},
		{func() { c.Status(ctx) }, `status null`},
		{func() { c.SelectAll(ctx, store.ListQuery{Filter: store.FilterAll}) }, `select_all {"filter":"all"}`},
		{func() { c.Eligibility(ctx, []store.ConvKey{key}) }, `eligibility [{"page_id":"1","psid":"42"}]`},
		{func() { c.Campaign(ctx, 3) }, `campaign {"id":3}`},
		{func() { c.Campaigns(ctx) }, `campaigns null`},
		{func() { c.CampaignItems(ctx, 3) }, `campaign_items {"id":3}`},
		{func() { c.SetCampaignStatus(ctx, 3, store.CampaignPaused) }, `set_campaign_status {"id":3,"status":"paused"}`},
		{func() { c.RetryFailed(ctx, 3) }, `retry_failed {"id":3}`},
		{func() { c.CampaignReplies(ctx, 3) }, `campaign_replies {"id":3}`},
		{func() { c.Templates(ctx, "1") }, `templates {"page_id":"1"}`},
	}
	for _, cl := range calls {
		cl.call()
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.requests) != len(calls) {
		t.Fatalf("%d requests for %d calls: %v", len(rec.requests), len(calls), rec.requests)
	}
	for i, cl := range calls {
		if got := rec.requests[i]; !sameJSONRequest(got, cl.want) {
			t.Errorf("request %d = %s\n            want %s", i, got, cl.want)
		}
	}
}

// sameJSONRequest compares "method params" with the params as JSON
// values (key order aside).
func sameJSONRequest(got, want string) bool {
	gm, gp, _ := strings.Cut(got, " ")
	wm, wp, _ := strings.Cut(want, " ")
	var g, w any
	if gm != wm || json.Unmarshal([]byte(gp), &g) != nil || json.Unmarshal([]byte(wp), &w) != nil {
		return false
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}
