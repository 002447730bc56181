package fbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// TestWebhooksAfterSends: echoes, deliveries and reads reach the webhook,
// signed, with the send's mid, metadata and time.
func TestWebhooksAfterSends(t *testing.T) {
	rcv := newReceiver(t, "hook-secret")
	s := NewServer(Config{AppSecret: "hook-secret", WebhookURL: rcv.URL(), Echoes: true,
		DeliveryDelay: 20 * time.Millisecond, ReadDelay: 60 * time.Millisecond})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())

	var mids []string
	for i := range 3 {
		b := textMsg(psid, "RESPONSE", fmt.Sprintf("reply %d: ünïcödé / 🎉", i))
		b["message"].(map[string]any)["metadata"] = fmt.Sprintf("outbox:%d", i)
		a := send(t, s, b)
		if a.status != 200 {
			t.Fatal(a.raw)
		}
		mids = append(mids, a.str("message_id"))
	}
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	evs := rcv.waitEvents(t, 9)
	sent := s.Sent()
	var echoes, deliveries, reads []store.Event
	for _, ev := range evs {
		if ev.PageID != DefaultPageID || ev.PSID != psid {
			t.Errorf("event routed to page %q psid %q", ev.PageID, ev.PSID)
		}
		switch ev.Kind {
		case store.EventEcho:
			echoes = append(echoes, ev)
		case store.EventDelivery:
			deliveries = append(deliveries, ev)
		case store.EventRead:
			reads = append(reads, ev)
		default:
			t.Errorf("unexpected event %+v", ev)
		}
	}
	if len(echoes) != 3 || len(deliveries) != 3 || len(reads) != 3 {
		t.Fatalf("echoes %d deliveries %d reads %d", len(echoes), len(deliveries), len(reads))
	}
	for i, e := range echoes {
		if e.MID != mids[i] || e.Metadata != fmt.Sprintf("outbox:%d", i) || e.AppID != DefaultAppID ||
			e.Text != sent[i].Text || !e.Time.Equal(sent[i].At.Truncate(time.Millisecond)) {
			t.Errorf("echo %d = %+v, want mid %s", i, e, mids[i])
		}
	}
	for i, d := range deliveries {
		if !slices.Equal(d.MIDs, []string{mids[i]}) || !d.Watermark.Equal(sent[i].At.Truncate(time.Millisecond)) {
			t.Errorf("delivery %d = %+v", i, d)
		}
	}
	for i, r := range reads {
		if !r.Watermark.Equal(sent[i].At.Truncate(time.Millisecond)) {
			t.Errorf("read %d = %+v", i, r)
		}
	}
	// For each send: its echo, then its delivery, then its read.
	for i, mid := range mids {
		echo := slices.IndexFunc(evs, func(e store.Event) bool { return e.Kind == store.EventEcho && e.MID == mid })
		del := slices.IndexFunc(evs, func(e store.Event) bool { return e.Kind == store.EventDelivery && slices.Contains(e.MIDs, mid) })
		read := slices.IndexFunc(evs, func(e store.Event) bool {
			return e.Kind == store.EventRead && e.Watermark.Equal(sent[i].At.Truncate(time.Millisecond))
		})
		if echo < 0 || del < echo || read < del {
			t.Errorf("send %d: echo at %d, delivery at %d, read at %d", i, echo, del, read)
		}
	}
	// Meta's bytes: non-ASCII and "/" escaped.
	rcv.mu.Lock()
	body := string(rcv.posts[0])
	bad := rcv.badSig
	rcv.mu.Unlock()
	if !strings.Contains(body, `\u00fcn\u00efc\u00f6d\u00e9 \/ \ud83c\udf89`) || !strings.Contains(body, `"app_id":1517776481860111`) {
		t.Errorf("body not in Meta's form: %s", body)
	}
	if bad != 0 {
		t.Errorf("%d bad signatures", bad)
	}
	if st := s.WebhookStats(); st.Pending != 0 || st.Dropped != 0 || st.Posted == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestWebhookRetriesAndSubscriptions(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	rcv.fail = 2 // the first two attempts fail; the third gets through
	s := NewServer(Config{WebhookURL: rcv.URL(), Echoes: true, WebhookBackoff: 5 * time.Millisecond})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())
	a := send(t, s, textMsg(psid, "RESPONSE", "hello"))
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	evs := rcv.waitEvents(t, 1)
	if evs[0].Kind != store.EventEcho || evs[0].MID != a.str("message_id") {
		t.Fatalf("%+v", evs)
	}
	if st := s.WebhookStats(); st.Retried != 2 || st.Posted != 1 {
		t.Fatalf("stats %+v", st)
	}

	// Unsubscribed from echoes: no echo (Meta posts only subscribed fields).
	s.SetSubscribedFields([]string{"messages"})
	send(t, s, textMsg(psid, "RESPONSE", "quiet"))
	// A Page Inbox reply after re-subscribing is echoed with Meta's app id.
	s.SetSubscribedFields(DefaultSubscribedFields)
	mid := s.PageInboxReply(psid, "typed in Business Suite")
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	evs = rcv.waitEvents(t, 2)
	if len(evs) != 2 || evs[1].MID != mid || evs[1].AppID != PageInboxAppID || evs[1].Metadata != "" {
		t.Fatalf("%+v", evs)
	}

	// A receiver that never answers 2xx: dropped after the retries.
	rcv.mu.Lock()
	rcv.fail = 100
	rcv.mu.Unlock()
	send(t, s, textMsg(psid, "RESPONSE", "lost"))
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if st := s.WebhookStats(); st.Dropped != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestSubscribedAppsEdge: GET lists, POST sets, DELETE clears.
func TestSubscribedAppsEdge(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	path := "/v25.0/" + DefaultPageID + "/subscribed_apps"
	a := do(t, s, http.MethodGet, path, DefaultPageToken, nil, nil)
	data, _ := a.body["data"].([]any)
	if a.status != 200 || len(data) != 1 {
		t.Fatalf("%s", a.raw)
	}
	app := data[0].(map[string]any)
	var fields []string
	b, _ := json.Marshal(app["subscribed_fields"])
	json.Unmarshal(b, &fields)
	if app["id"] != DefaultAppID || !slices.Equal(fields, DefaultSubscribedFields) {
		t.Fatalf("%s", a.raw)
	}
	if a := do(t, s, http.MethodDelete, path, DefaultPageToken, nil, nil); a.body["success"] != true {
		t.Fatalf("%s", a.raw)
	}
	if a := do(t, s, http.MethodGet, path, DefaultPageToken, nil, nil); len(a.body["data"].([]any)) != 0 {
		t.Fatalf("after DELETE: %s", a.raw)
	}
	if a := do(t, s, http.MethodPost, path, DefaultPageToken, nil, map[string]any{}); a.code() != 100 {
		t.Fatalf("POST without fields: %s", a.raw)
	}
	a = do(t, s, http.MethodPost, path, DefaultPageToken, map[string][]string{"subscribed_fields": {"messages,message_echoes"}}, nil)
	if a.body["success"] != true || !slices.Equal(s.SubscribedFields(), []string{"messages", "message_echoes"}) {
		t.Fatalf("%s %v", a.raw, s.SubscribedFields())
	}
}
