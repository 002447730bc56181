package webhook_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// label is the part of an event an inbox_labels change fills.
type label struct{ page, psid, id, name, action string }

func labelOf(e store.Event) label {
	return label{e.PageID, e.PSID, e.LabelID, e.LabelName, e.LabelAction}
}

// The shapes Meta (or its undocumented variants) may send: the guide's,
// the add_label/remove_label/create_label/delete_label words, no name on
// add/remove, no user on label-level events, "field" after "value", and a
// word nobody documented, kept as it came.
func TestInboxLabelsDecoded(t *testing.T) {
	body := `{"object":"page","entry":[{"id":"` + pageID + `","time":1764331200,"changes":[
	{"field":"inbox_labels","value":{"user":{"id":"u1"},"action":"add","label":{"id":"777","page_label_name":"wholesale"}}},
	{"value":{"user":{"id":"u1"},"action":"remove_label","label":{"id":777}},"field":"inbox_labels"},
	{"field":"inbox_labels","value":{"action":"create_label","label":{"id":"778","page_label_name":"VIP"}}},
	{"field":"inbox_labels","value":{"action":"delete_label","label":{"id":"778"}}},
	{"field":"inbox_labels","value":{"user":{"id":"u2"},"action":"relabel","label":{"id":"779","name":"old name"}}}
	]}]}`
	p, err := webhook.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []label{
		{pageID, "u1", "777", "wholesale", store.LabelAdd},
		{pageID, "u1", "777", "", store.LabelRemove},
		{pageID, "", "778", "VIP", store.LabelCreate},
		{pageID, "", "778", "", store.LabelDelete},
		{pageID, "u2", "779", "old name", "relabel"},
	}
	if len(p.Events) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(p.Events), len(want), p.Events)
	}
	at := time.Unix(1764331200, 0).UTC() // entry.time in seconds
	for i, e := range p.Events {
		if got := labelOf(e); got != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got, want[i])
		}
		if !e.Time.Equal(at) {
			t.Errorf("event %d time %v, want the entry's %v", i, e.Time, at)
		}
		if e.Kind != store.EventLabel && (e.Kind != store.EventUnknown || len(e.Raw) == 0) {
			t.Errorf("event %d: kind %q without its raw JSON", i, e.Kind)
		}
	}
}

// recordingStore is a real store that remembers what it was asked to
// ingest.
type recordingStore struct {
	*store.Store
	mu     sync.Mutex
	events []store.Event
}

func (r *recordingStore) IngestJournaled(ctx context.Context, raw []byte, events []store.Event) error {
	err := r.Store.IngestJournaled(ctx, raw, events)
	if err == nil {
		r.mu.Lock()
		r.events = append(r.events, events...)
		r.mu.Unlock()
	}
	return err
}

// A person adds and removes a label in Meta's Page Inbox: the emulator
// posts the signed inbox_labels changes, the handler acknowledges them,
// today's store takes them without setting anything aside, and the events
// carry the PSID, the label and the action.
func TestInboxLabelsFromTheEmulator(t *testing.T) {
	st := &recordingStore{Store: openStore(t)}
	h := newHandler(t, st, nil)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	srv := fbtest.NewServer(fbtest.Config{PageID: pageID, AppSecret: secret, Now: func() time.Time { return now }})
	t.Cleanup(srv.Close)
	srv.SetSubscribedFields(append(fbtest.DefaultSubscribedFields, "inbox_labels"))
	d := &fbtest.Driver{URL: ts.URL + "/webhook", AppSecret: secret, PageID: pageID, Now: func() time.Time { return now }}
	ctx := context.Background()

	id, err := srv.PageInboxLabel(ctx, d, "u1", "wholesale", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.PageInboxLabel(ctx, d, "u1", "wholesale", false); err != nil {
		t.Fatal(err)
	}
	if s := h.Stats(); s.SetAsideEvents != 0 || s.Posts != 2 {
		t.Fatalf("stats %+v: want 2 posts and nothing set aside", s)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	want := []label{{pageID, "u1", id, "wholesale", store.LabelAdd}, {pageID, "u1", id, "wholesale", store.LabelRemove}}
	if len(st.events) != 2 || labelOf(st.events[0]) != want[0] || labelOf(st.events[1]) != want[1] {
		t.Fatalf("stored %+v\nwant %+v", st.events, want)
	}
	if got := srv.LabelNames("u1"); len(got) != 0 {
		t.Errorf("emulator: u1 still has %v", got)
	}
}
