package fbtest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// TestDriverContract is the contract between the emulator and the
// receiver: every event the driver builds is signed so that the receiver
// accepts it, and parses with webhook.Parse into the store event we mean.
func TestDriverContract(t *testing.T) {
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond).UTC()
	wm := at.Add(-time.Second)
	const page, user = "1000000000000042", "7000000000000123"
	cases := []struct {
		name string
		ev   Event
		want store.Event
	}{
		{"message", Message(user, "m_1", "héllo / 👋 <b>&", at),
			store.Event{Kind: store.EventMessage, MID: "m_1", Text: "héllo / 👋 <b>&", Time: at}},
		{"quick reply", QuickReply(user, "m_2", "Size M", "SIZE_M", at),
			store.Event{Kind: store.EventMessage, MID: "m_2", Text: "Size M", QuickReply: "SIZE_M", Time: at}},
		{"reply", Reply(user, "m_3", "this one", "m_0", at),
			store.Event{Kind: store.EventMessage, MID: "m_3", Text: "this one", ReplyTo: "m_0", Time: at}},
		{"attachment", MessageWithAttachment(user, "m_4", "image", "https://scontent.example/p/1.jpg?oh=1&oe=2", at),
			store.Event{Kind: store.EventMessage, MID: "m_4", Time: at,
				Attachments: []store.Attachment{{Type: "image", URL: "https://scontent.example/p/1.jpg?oh=1&oe=2"}}}},
		{"postback", Postback(user, "m_5", "Get Started", "GET_STARTED", at),
			store.Event{Kind: store.EventPostback, MID: "m_5", Title: "Get Started", Payload: "GET_STARTED", Time: at}},
		{"reaction", Reaction(user, "m_6", "love", "\u2764\ufe0f", false, at),
			store.Event{Kind: store.EventReaction, MID: "m_6", Reaction: "love", Emoji: "\u2764\ufe0f", Time: at}},
		{"unreact", Reaction(user, "m_6", "love", "\u2764\ufe0f", true, at),
			store.Event{Kind: store.EventReaction, MID: "m_6", Reaction: "love", Emoji: "\u2764\ufe0f", Unreact: true, Time: at}},
		{"read", Read(user, wm),
			store.Event{Kind: store.EventRead, Watermark: wm, Time: wm}},
		{"delivery", Delivery(user, []string{"m_a", "m_b"}, wm),
			store.Event{Kind: store.EventDelivery, MIDs: []string{"m_a", "m_b"}, Watermark: wm}},
		{"delivery without mids", Delivery(user, nil, wm),
			store.Event{Kind: store.EventDelivery, Watermark: wm}},
		{"echo", Echo(page, user, "m_7", "thanks!", DefaultAppID, "outbox:9", at),
			store.Event{Kind: store.EventEcho, MID: "m_7", Text: "thanks!", AppID: DefaultAppID, Metadata: "outbox:9", Time: at}},
		{"echo from Page Inbox, page filled in", Echo("", user, "m_8", "typed by a person", PageInboxAppID, "", at),
			store.Event{Kind: store.EventEcho, MID: "m_8", Text: "typed by a person", AppID: PageInboxAppID, Time: at}},
		{"edit", Edit(user, "m_1", "hello (edited)", 1, at),
			store.Event{Kind: store.EventEdit, MID: "m_1", Text: "hello (edited)", Time: at}},
		{"referral", Referral(user, "spring-sale", at),
			store.Event{Kind: store.EventReferral, Ref: "spring-sale", Time: at}},
	}
	rcv := newReceiver(t, "contract-secret")
	d := &Driver{URL: rcv.URL(), AppSecret: "contract-secret", PageID: page}
	var all []Event
	for _, c := range cases {
		if err := d.Post(ctxT(t), c.ev); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		all = append(all, c.ev)
	}
	// And all of them in one POST, several messaging[] elements.
	if err := d.Post(ctxT(t), all...); err != nil {
		t.Fatal(err)
	}
	got := rcv.Events()
	if len(got) != 2*len(cases) {
		t.Fatalf("%d events, want %d", len(got), 2*len(cases))
	}
	for i, c := range cases {
		want := c.want
		want.PageID, want.PSID = page, user
		for _, ev := range []store.Event{got[i], got[len(cases)+i]} {
			if !reflect.DeepEqual(ev, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", c.name, ev, want)
			}
			if err := ev.Validate(time.Now()); err != nil {
				t.Errorf("%s: the store would refuse it: %v", c.name, err)
			}
		}
	}
	rcv.mu.Lock()
	body, bad := string(rcv.posts[0]), rcv.badSig
	rcv.mu.Unlock()
	if bad != 0 {
		t.Fatalf("%d bad signatures", bad)
	}
	if !strings.Contains(body, `h\u00e9llo \/ \ud83d\udc4b <b>&`) || !strings.HasPrefix(body, `{"entry":[{"id":"`+page+`"`) {
		t.Fatalf("not Meta's bytes: %s", body)
	}

	// The same through PlainJSON and the standby array.
	d.PlainJSON = true
	if err := d.PostStandby(ctxT(t), Message(user, "m_9", "héllo", at)); err != nil {
		t.Fatal(err)
	}
	got = rcv.Events()
	if last := got[len(got)-1]; last.MID != "m_9" || last.Text != "héllo" {
		t.Fatalf("standby: %+v", last)
	}

	// A bad secret is refused by the receiver, and Post says so.
	bad2 := &Driver{URL: rcv.URL(), AppSecret: "wrong", PageID: page}
	var se *StatusError
	if err := bad2.Post(ctxT(t), Message(user, "m_x", "x", at)); !errors.As(err, &se) || se.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestDriverDuplicates(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	at := time.Now()
	d := &Driver{URL: rcv.URL(), Duplicates: 1}
	for range 5 {
		if err := d.Post(ctxT(t), Message("7000000000000001", "m_dup", "again?", at)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(rcv.Events()); n != 10 {
		t.Fatalf("Duplicates 1: %d events, want 10", n)
	}
	d2 := &Driver{URL: rcv.URL(), Duplicates: 0.5, Seed: 3}
	for range 100 {
		if err := d2.Post(ctxT(t), Message("7000000000000001", "m_dup", "again?", at)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(rcv.Events()) - 10; n <= 100 || n >= 200 {
		t.Fatalf("Duplicates 0.5: %d events for 100 posts", n)
	}
}

func TestDriverVerify(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != "let-me-in" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		io.WriteString(w, q.Get("hub.challenge"))
	}))
	defer ts.Close()
	d := &Driver{URL: ts.URL + "/webhook"}
	if err := d.Verify(ctxT(t), "let-me-in"); err != nil {
		t.Fatal(err)
	}
	if err := d.Verify(ctxT(t), "wrong"); err == nil {
		t.Fatal("a wrong verify token passed")
	}
}

// TestCustomerWrites: the server records the inbound (the window opens)
// and the driver posts it.
func TestCustomerWrites(t *testing.T) {
	rcv := newReceiver(t, DefaultAppSecret)
	s := NewServer(Config{})
	defer s.Close()
	d := &Driver{URL: rcv.URL()}
	s.AddUser(psid, "Ada Lovelace")
	if a := send(t, s, textMsg(psid, "RESPONSE", "too early")); a.code() != 10 {
		t.Fatalf("before writing: %s", a.raw)
	}
	mid, err := s.CustomerWrites(ctxT(t), d, psid, "Hi! Is the shirt in stock?")
	if err != nil {
		t.Fatal(err)
	}
	evs := rcv.Events()
	if len(evs) != 1 || evs[0].MID != mid || evs[0].Kind != store.EventMessage || evs[0].Text != "Hi! Is the shirt in stock?" {
		t.Fatalf("%+v", evs)
	}
	if a := send(t, s, textMsg(psid, "RESPONSE", "Yes!")); a.status != 200 {
		t.Fatalf("after writing: %s", a.raw)
	}
	if err := s.CustomerReacts(ctxT(t), d, psid, s.Sent()[0].MID, "like", "\U0001f44d"); err != nil {
		t.Fatal(err)
	}
	if evs := rcv.Events(); len(evs) != 2 || evs[1].Kind != store.EventReaction || evs[1].MID != s.Sent()[0].MID {
		t.Fatalf("%+v", evs)
	}
	// Parse is what the receiver uses; check the signature helper agrees.
	body, _ := d.Body(false, Message(psid, "m_z", "z", time.Now()))
	if p, err := webhook.Parse(body); err != nil || len(p.Events) != 1 {
		t.Fatalf("%v %+v", err, p)
	}
}
