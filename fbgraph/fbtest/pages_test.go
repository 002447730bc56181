package fbtest

import (
	"net/http"
	"net/url"
	"testing"
)

const (
	pageB      = "1000000000000002"
	pageBToken = "page-b-token"
)

func twoPages(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Pages = []Page{{ID: pageB, Name: "Harbour Kids", Token: pageBToken}}
	cfg.Now = newClock().Now
	s := NewServer(cfg)
	t.Cleanup(s.Close)
	s.AddUser("7001", "Ann A")
	s.AddPageUser(pageB, "7002", "Bob B")
	s.Inbound("7001", t0)
	s.Inbound("7002", t0)
	return s
}

// TestPagesTokenIsForItsPageOnly: each token works on its own Page and
// is refused, with Meta's permissions error, on the other Page.
func TestPagesTokenIsForItsPageOnly(t *testing.T) {
	s := twoPages(t, Config{})
	cases := []struct {
		name, path, token string
		psid              string
		wantCode, wantSub int
	}{
		{"A on A", "/v25.0/" + DefaultPageID + "/messages", DefaultPageToken, "7001", 0, 0},
		{"B on B", "/v25.0/" + pageB + "/messages", pageBToken, "7002", 0, 0},
		{"B's me", "/v25.0/me/messages", pageBToken, "7002", 0, 0},
		{"A's token on B", "/v25.0/" + pageB + "/messages", DefaultPageToken, "7002", 200, 0},
		{"B's token on A", "/v25.0/" + DefaultPageID + "/messages", pageBToken, "7001", 200, 0},
		{"A's me to B's customer", "/v25.0/me/messages", DefaultPageToken, "7002", 100, 2018001},
	}
	for _, tc := range cases {
		a := do(t, s, http.MethodPost, tc.path, tc.token, nil, textMsg(tc.psid, "RESPONSE", tc.name))
		if a.code() != tc.wantCode || a.subcode() != tc.wantSub {
			t.Errorf("%s: answer %d %s, want code %d/%d", tc.name, a.status, a.raw, tc.wantCode, tc.wantSub)
		}
	}
	if got := s.SentFrom(pageB); len(got) != 2 || got[0].PSID != "7002" || got[1].PSID != "7002" {
		t.Errorf("SentFrom(B) = %+v, want the two sends to 7002", got)
	}
	if got := s.SentFrom(DefaultPageID); len(got) != 1 || got[0].PSID != "7001" {
		t.Errorf("SentFrom(A) = %+v, want one send to 7001", got)
	}
}

// TestPagesMeAndConversationsPerPage: /me names the token's Page, and
// each Page sees only its own customers.
func TestPagesMeAndConversationsPerPage(t *testing.T) {
	s := twoPages(t, Config{})
	if a := do(t, s, http.MethodGet, "/v25.0/me", pageBToken, nil, nil); a.str("id") != pageB || a.str("name") != "Harbour Kids" {
		t.Errorf("GET /me with B's token = %s", a.raw)
	}
	a := do(t, s, http.MethodGet, "/v25.0/me/conversations", pageBToken, nil, nil)
	data, _ := a.body["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("B's conversations = %s, want one", a.raw)
	}
	if p := do(t, s, http.MethodGet, "/v25.0/7001", pageBToken, nil, nil); p.subcode() != 2018001 {
		t.Errorf("A's customer's profile with B's token = %s, want 100/2018001", p.raw)
	}
}

// TestPagesEchoesCarryTheSendingPage: a send's echo comes in an entry of
// the Page that sent it.
func TestPagesEchoesCarryTheSendingPage(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	s := twoPages(t, Config{WebhookURL: rcv.URL(), Echoes: true})
	do(t, s, http.MethodPost, "/v25.0/me/messages", pageBToken, nil, textMsg("7002", "RESPONSE", "from B"))
	do(t, s, http.MethodPost, "/v25.0/me/messages", DefaultPageToken, nil, textMsg("7001", "RESPONSE", "from A"))
	evs := rcv.waitEvents(t, 2)
	got := map[string]string{}
	for _, ev := range evs {
		got[ev.Text] = ev.PageID
	}
	if got["from B"] != pageB || got["from A"] != DefaultPageID {
		t.Errorf("echo pages = %v", got)
	}
}

// TestDriverForPage: the driver posts an entry for any Page.
func TestDriverForPage(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	d := (&Driver{URL: rcv.URL()}).ForPage(pageB)
	if err := d.Post(ctxT(t), Message("7002", "m_b1", "hi B", t0)); err != nil {
		t.Fatal(err)
	}
	if evs := rcv.waitEvents(t, 1); evs[0].PageID != pageB || evs[0].PSID != "7002" {
		t.Errorf("event = %+v, want Page %s", evs[0], pageB)
	}
}

func TestPagesConfigRefusesSharedToken(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a Page sharing the default token was accepted")
		}
	}()
	NewServer(Config{Pages: []Page{{ID: pageB, Token: DefaultPageToken}}}).Close()
}

// TestPagesLabelsPerPage: each Page has its own labels, even of the same
// name, and cannot see or use the other's.
func TestPagesLabelsPerPage(t *testing.T) {
	s := twoPages(t, Config{})
	form := func(k, v string) url.Values { return url.Values{k: {v}} }
	a := do(t, s, http.MethodPost, "/v25.0/me/custom_labels", DefaultPageToken, nil, form("page_label_name", "vip"))
	b := do(t, s, http.MethodPost, "/v25.0/me/custom_labels", pageBToken, nil, form("page_label_name", "vip"))
	if a.str("id") == "" || a.str("id") == b.str("id") {
		t.Fatalf("label ids A %s, B %s: want two labels", a.raw, b.raw)
	}
	list := do(t, s, http.MethodGet, "/v25.0/me/custom_labels", pageBToken, nil, nil)
	if data, _ := list.body["data"].([]any); len(data) != 1 {
		t.Errorf("B's labels = %s, want its one", list.raw)
	}
	if r := do(t, s, http.MethodPost, "/v25.0/"+a.str("id")+"/label", pageBToken, nil, form("user", "7002")); r.code() == 0 {
		t.Errorf("B put A's label on its customer: %s", r.raw)
	}
	if r := do(t, s, http.MethodPost, "/v25.0/"+b.str("id")+"/label", pageBToken, nil, form("user", "7001")); r.subcode() != 2018001 {
		t.Errorf("B labelled A's customer: %s", r.raw)
	}
	if r := do(t, s, http.MethodPost, "/v25.0/"+b.str("id")+"/label", pageBToken, nil, form("user", "7002")); r.code() != 0 {
		t.Errorf("B labelling its customer: %s", r.raw)
	}
	if got := s.LabelNames("7002"); len(got) != 1 || got[0] != "vip" {
		t.Errorf("7002's labels = %v", got)
	}
}

// TestPagesTemplatesPerPage: a Page lists and sends only its own
// Utility templates.
func TestPagesTemplatesPerPage(t *testing.T) {
	s := twoPages(t, Config{})
	s.AddTemplate(TemplateSpec{Name: "kids_order", Lang: "en_US", Body: "Order {{1}} ships.", Page: pageB})
	list := do(t, s, http.MethodGet, "/v25.0/me/message_templates", DefaultPageToken, nil, nil)
	if data, _ := list.body["data"].([]any); len(data) != 0 {
		t.Errorf("A lists B's template: %s", list.raw)
	}
	list = do(t, s, http.MethodGet, "/v25.0/me/message_templates", pageBToken, nil, nil)
	if data, _ := list.body["data"].([]any); len(data) != 1 {
		t.Errorf("B's templates = %s, want its one", list.raw)
	}
	tpl := func(psid string) map[string]any {
		return map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "UTILITY",
			"message": map[string]any{"template": map[string]any{"name": "kids_order", "language": map[string]any{"code": "en_US"},
				"components": []any{map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "A-7"}}}}}}}
	}
	if a := do(t, s, http.MethodPost, "/v25.0/me/messages", DefaultPageToken, nil, tpl("7001")); a.code() != 100 {
		t.Errorf("A sent B's template: %s", a.raw)
	}
	if a := do(t, s, http.MethodPost, "/v25.0/me/messages", pageBToken, nil, tpl("7002")); a.code() != 0 {
		t.Errorf("B's own template: %s", a.raw)
	}
	if got := s.SentFrom(pageB); len(got) != 1 || got[0].Text != "Order A-7 ships." {
		t.Errorf("B sent %+v", got)
	}
}

// TestPagesAttachmentIDsPerPage: a reusable attachment uploaded by one
// Page cannot be sent by the other.
func TestPagesAttachmentIDsPerPage(t *testing.T) {
	s := twoPages(t, Config{})
	up := do(t, s, http.MethodPost, "/v25.0/me/message_attachments", DefaultPageToken, nil, map[string]any{
		"message": map[string]any{"attachment": map[string]any{"type": "image",
			"payload": map[string]any{"url": "https://cdn.example/a.png", "is_reusable": true}}}})
	id := up.str("attachment_id")
	if id == "" {
		t.Fatalf("upload: %s", up.raw)
	}
	msg := func(psid string) map[string]any {
		return map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE",
			"message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{"attachment_id": id}}}}
	}
	if a := do(t, s, http.MethodPost, "/v25.0/me/messages", pageBToken, nil, msg("7002")); a.subcode() != 2018074 {
		t.Errorf("B sent A's attachment: %s", a.raw)
	}
	if a := do(t, s, http.MethodPost, "/v25.0/me/messages", DefaultPageToken, nil, msg("7001")); a.code() != 0 {
		t.Errorf("A's own attachment: %s", a.raw)
	}
}
