package fbtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The labels API as Meta's guide writes it: page_label_name in the query
// or a form, user in a JSON body or the query; names only when asked for.
func TestLabelsWire(t *testing.T) {
	s := NewServer(Config{})
	t.Cleanup(s.Close)
	s.AddUser("u1", "Ana Souza")
	tok, page := DefaultPageToken, "/v25.0/"+DefaultPageID
	a := do(t, s, http.MethodPost, page+"/custom_labels", tok, url.Values{"page_label_name": {"wholesale"}}, nil)
	b := do(t, s, http.MethodPost, page+"/custom_labels", tok, nil, url.Values{"page_label_name": {"VIP"}})
	id1, id2 := a.str("id"), b.str("id")
	if a.status != 200 || b.status != 200 || id1 == "" || id2 == "" || id1 == id2 {
		t.Fatalf("create: %s / %s", a.raw, b.raw)
	}
	if again := do(t, s, http.MethodPost, page+"/custom_labels", tok, url.Values{"page_label_name": {"VIP"}}, nil); again.str("id") != id2 {
		t.Errorf("creating an existing name gave %s, want its id %s", again.raw, id2)
	}
	if e := do(t, s, http.MethodPost, page+"/custom_labels", tok, nil, nil); e.code() != 100 {
		t.Errorf("no page_label_name: %s", e.raw)
	}
	if r := do(t, s, http.MethodPost, "/v25.0/"+id1+"/label", tok, nil, map[string]any{"user": "u1"}); r.body["success"] != true {
		t.Fatalf("assign: %s", r.raw)
	}
	if e := do(t, s, http.MethodPost, "/v25.0/"+id1+"/label", tok, nil, map[string]any{"user": "nobody"}); e.subcode() != 2018001 {
		t.Errorf("assign to an unknown PSID: %s", e.raw)
	}
	if e := do(t, s, http.MethodPost, "/v25.0/123/label", tok, nil, map[string]any{"user": "u1"}); e.code() != 100 || e.subcode() != 33 {
		t.Errorf("assign an unknown label: %s", e.raw)
	}
	bare := do(t, s, http.MethodGet, "/v25.0/u1/custom_labels", tok, nil, nil)
	named := do(t, s, http.MethodGet, "/v25.0/u1/custom_labels", tok, url.Values{"fields": {"page_label_name"}}, nil)
	if !strings.Contains(bare.raw, id1) || strings.Contains(bare.raw, "wholesale") || !strings.Contains(named.raw, `"page_label_name":"wholesale"`) {
		t.Errorf("u1's labels: without fields %s; with %s", bare.raw, named.raw)
	}
	if r := do(t, s, http.MethodDelete, "/v25.0/"+id1+"/label", tok, url.Values{"user": {"u1"}}, nil); r.body["success"] != true || len(s.LabelNames("u1")) != 0 {
		t.Errorf("remove: %s, u1 has %v", r.raw, s.LabelNames("u1"))
	}
	if r := do(t, s, http.MethodDelete, "/v25.0/"+id2, tok, nil, nil); r.body["success"] != true || s.PageLabels()[id2] != "" {
		t.Errorf("delete: %s, Page has %v", r.raw, s.PageLabels())
	}
}

// The knobs: a permission error, then 2/2018344 with the link, on every
// labels call and on nothing else.
func TestLabelsKnobs(t *testing.T) {
	s := NewServer(Config{})
	t.Cleanup(s.Close)
	list := "/v25.0/" + DefaultPageID + "/custom_labels"
	s.SetLabelsDenied(200)
	s.SetContactTermsPending(true)
	if e := do(t, s, http.MethodGet, list, DefaultPageToken, nil, nil); e.code() != 200 || !strings.Contains(e.raw, "pages_manage_metadata") {
		t.Errorf("denied: %s", e.raw)
	}
	s.SetLabelsDenied(0)
	e := do(t, s, http.MethodGet, list, DefaultPageToken, nil, nil)
	msg, _ := e.errField("message").(string)
	if e.status != 500 || e.code() != 2 || e.subcode() != 2018344 || e.errField("is_transient") != true ||
		!strings.Contains(msg, contactTermsURL(DefaultPageID)) {
		t.Errorf("terms pending: %d %s", e.status, e.raw)
	}
	if p := do(t, s, http.MethodGet, "/v25.0/me", DefaultPageToken, nil, nil); p.status != 200 {
		t.Errorf("the knob reached a call outside labels: %s", p.raw)
	}
	s.SetContactTermsPending(false)
	if ok := do(t, s, http.MethodGet, list, DefaultPageToken, nil, nil); ok.status != 200 {
		t.Errorf("after accepting: %s", ok.raw)
	}
}

// A label added in Meta's Page Inbox reaches the webhook as Meta's
// documented change, signed, only when the Page subscribes to
// inbox_labels; the emulator's state changes either way.
func TestPageInboxLabelWebhook(t *testing.T) {
	r := newReceiver(t, DefaultAppSecret)
	s := NewServer(Config{})
	t.Cleanup(s.Close)
	d := &Driver{URL: r.URL()}
	id, err := s.PageInboxLabel(ctxT(t), d, "u1", "wholesale", true)
	if err != nil || len(r.Events()) != 0 || !slices.Equal(s.LabelNames("u1"), []string{"wholesale"}) {
		t.Fatalf("unsubscribed: %v, %d events posted, u1 has %v", err, len(r.Events()), s.LabelNames("u1"))
	}
	s.SetSubscribedFields(append(DefaultSubscribedFields, "inbox_labels"))
	if _, err := s.PageInboxLabel(ctxT(t), d, "u1", "wholesale", false); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	posts, badSig := r.posts, r.badSig
	r.mu.Unlock()
	if len(posts) != 1 || badSig != 0 {
		t.Fatalf("%d posts, %d bad signatures", len(posts), badSig)
	}
	var body struct {
		Object string
		Entry  []struct {
			ID      string
			Changes []struct {
				Field string
				Value struct {
					User   struct{ ID string }
					Action string
					Label  struct {
						ID            string
						PageLabelName string `json:"page_label_name"`
					}
				}
			}
		}
	}
	if err := json.Unmarshal(posts[0], &body); err != nil || len(body.Entry) != 1 || len(body.Entry[0].Changes) != 1 {
		t.Fatalf("body %s: %v", posts[0], err)
	}
	c := body.Entry[0].Changes[0]
	if body.Object != "page" || body.Entry[0].ID != DefaultPageID || c.Field != "inbox_labels" || c.Value.User.ID != "u1" ||
		c.Value.Action != LabelRemove || c.Value.Label.ID != id || c.Value.Label.PageLabelName != "wholesale" {
		t.Errorf("body %s", posts[0])
	}
}
