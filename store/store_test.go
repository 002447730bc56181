package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

const page = "PAGE1"

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable time source for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(t time.Time) *clock        { return &clock{t: t} }
func key(psid string) store.ConvKey      { return store.ConvKey{PageID: page, PSID: psid} }
func at(d time.Duration) time.Time       { return t0.Add(d) }
func ctx() context.Context               { return context.Background() }

// openStore opens a fresh store with page registered; cleanup checks the
// file's consistency and closes it.
func openStore(t *testing.T, c *clock) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inbox.db")
	s := reopen(t, path, c)
	if err := s.PutPage(ctx(), store.Page{ID: page, Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	return s, path
}

func reopen(t *testing.T, path string, c *clock) *store.Store {
	t.Helper()
	s, err := store.Open(path, store.Options{Now: c.Now})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil && !errors.Is(err, store.ErrClosed) && !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			t.Errorf("check: %v", err)
		}
		s.Close()
	})
	return s
}

func msg(psid, mid, text string, t time.Time) store.Event {
	return store.Event{Kind: store.EventMessage, PageID: page, PSID: psid, MID: mid, Text: text, Time: t}
}

func echo(psid, mid, text string, t time.Time) store.Event {
	return store.Event{Kind: store.EventEcho, PageID: page, PSID: psid, MID: mid, Text: text, Time: t, AppID: "263902037430900"}
}

func mustIngest(t *testing.T, s *store.Store, evs ...store.Event) {
	t.Helper()
	if err := s.Ingest(ctx(), evs); err != nil {
		t.Fatalf("ingest: %v", err)
	}
}

func thread(t *testing.T, s *store.Store, psid string) []store.Message {
	t.Helper()
	p, err := s.Thread(ctx(), key(psid), "", 1000)
	if err != nil {
		t.Fatalf("thread %s: %v", psid, err)
	}
	return p.Messages
}

func conv(t *testing.T, s *store.Store, psid string) store.Conversation {
	t.Helper()
	c, err := s.Conversation(ctx(), key(psid))
	if err != nil {
		t.Fatalf("conversation %s: %v", psid, err)
	}
	return c
}

func TestIngest(t *testing.T) {
	tests := []struct {
		name   string
		events [][]store.Event // each inner slice is one Ingest call
		psid   string
		want   []string // "dir:text:status" per message, oldest first
		unread int
		count  int
		last   string
	}{
		{
			name:   "one message",
			events: [][]store.Event{{msg("u1", "m1", "hi", at(0))}},
			psid:   "u1", want: []string{"in:hi:received"}, unread: 1, count: 1, last: "hi",
		},
		{
			name: "duplicate delivery changes nothing",
			events: [][]store.Event{
				{msg("u1", "m1", "hi", at(0))},
				{msg("u1", "m1", "hi", at(0))},
				{msg("u1", "m1", "hi", at(0)), msg("u1", "m1", "hi", at(0))},
			},
			psid: "u1", want: []string{"in:hi:received"}, unread: 1, count: 1, last: "hi",
		},
		{
			name: "out of order arrival sorts by time and keeps the newest as last",
			events: [][]store.Event{
				{msg("u1", "m2", "second", at(time.Minute))},
				{msg("u1", "m1", "first", at(0))},
			},
			psid: "u1", want: []string{"in:first:received", "in:second:received"}, unread: 2, count: 2, last: "second",
		},
		{
			name: "echo from Meta's inbox is an outbound message",
			events: [][]store.Event{
				{msg("u1", "m1", "hi", at(0)), echo("u1", "e1", "hello from a human", at(time.Minute))},
			},
			psid: "u1", want: []string{"in:hi:received", "out:hello from a human:sent"}, unread: 1, count: 2, last: "hello from a human",
		},
		{
			name: "delivery before the echo it confirms",
			events: [][]store.Event{
				{msg("u1", "m1", "hi", at(0))},
				{{Kind: store.EventDelivery, PageID: page, PSID: "u1", Watermark: at(2 * time.Minute), MIDs: []string{"e1"}}},
				{echo("u1", "e1", "reply", at(time.Minute))},
			},
			psid: "u1", want: []string{"in:hi:received", "out:reply:delivered"}, unread: 1, count: 2, last: "reply",
		},
		{
			name: "watermarks move forward, never back",
			events: [][]store.Event{
				{msg("u1", "m1", "hi", at(0)), echo("u1", "e1", "a", at(time.Minute)), echo("u1", "e2", "b", at(2*time.Minute))},
				{{Kind: store.EventRead, PageID: page, PSID: "u1", Watermark: at(time.Minute), Time: at(3 * time.Minute)}},
				{{Kind: store.EventDelivery, PageID: page, PSID: "u1", Watermark: at(2 * time.Minute)}},
				// An old delivery after the read must not turn read back into delivered.
				{{Kind: store.EventDelivery, PageID: page, PSID: "u1", Watermark: at(time.Minute)}},
			},
			psid: "u1", want: []string{"in:hi:received", "out:a:read", "out:b:delivered"}, unread: 1, count: 3, last: "b",
		},
		{
			name: "edit replaces text",
			events: [][]store.Event{
				{msg("u1", "m1", "helo", at(0))},
				{{Kind: store.EventEdit, PageID: page, PSID: "u1", MID: "m1", Text: "hello", Time: at(time.Minute)}},
			},
			psid: "u1", want: []string{"in:hello:received"}, unread: 1, count: 1, last: "hello",
		},
		{
			name: "edit before its message keeps the edited text",
			events: [][]store.Event{
				{{Kind: store.EventEdit, PageID: page, PSID: "u1", MID: "m1", Text: "hello", Time: at(time.Minute)}},
				{msg("u1", "m1", "helo", at(0))},
			},
			psid: "u1", want: []string{"in:hello:received"}, unread: 1, count: 1, last: "hello",
		},
		{
			name: "postback is an inbound message with its title",
			events: [][]store.Event{
				{{Kind: store.EventPostback, PageID: page, PSID: "u1", MID: "p1", Title: "Get Started", Payload: "START", Time: at(0)}},
				{{Kind: store.EventPostback, PageID: page, PSID: "u1", MID: "p1", Title: "Get Started", Payload: "START", Time: at(0)}},
			},
			psid: "u1", want: []string{"in:Get Started:received"}, unread: 1, count: 1, last: "Get Started",
		},
		{
			name: "attachment only message previews its type",
			events: [][]store.Event{
				{{Kind: store.EventMessage, PageID: page, PSID: "u1", MID: "m1", Time: at(0),
					Attachments: []store.Attachment{{Type: "image", URL: "https://cdn.example/x.jpg"}}}},
			},
			psid: "u1", want: []string{"in::received"}, unread: 1, count: 1, last: "[image]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t, newClock(at(time.Hour)))
			for _, evs := range tt.events {
				mustIngest(t, s, evs...)
			}
			var got []string
			for _, m := range thread(t, s, tt.psid) {
				got = append(got, fmt.Sprintf("%s:%s:%s", m.Direction, m.Text, m.Status))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("thread = %q, want %q", got, tt.want)
			}
			c := conv(t, s, tt.psid)
			if c.Unread != tt.unread || c.MessageCount != tt.count || c.LastMessage != tt.last {
				t.Errorf("conversation unread=%d count=%d last=%q, want %d %d %q", c.Unread, c.MessageCount, c.LastMessage, tt.unread, tt.count, tt.last)
			}
		})
	}
}

func TestReactionsAndReferralsOpenTheWindow(t *testing.T) {
	c := newClock(at(48 * time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), echo("u1", "e1", "our offer", at(time.Minute)))
	react := store.Event{Kind: store.EventReaction, PageID: page, PSID: "u1", MID: "e1", Reaction: "love", Emoji: "❤️", Time: at(47 * time.Hour)}
	mustIngest(t, s, react)
	mustIngest(t, s, react) // redelivered
	msgs := thread(t, s, "u1")
	if len(msgs[1].Reactions) != 1 || msgs[1].Reactions[0].Reaction != "love" {
		t.Fatalf("reactions = %+v, want one love", msgs[1].Reactions)
	}
	if got := conv(t, s, "u1").LastInboundTime; !got.Equal(at(47 * time.Hour)) {
		t.Errorf("reaction did not open the window: last inbound %v", got)
	}
	unreact := react
	unreact.Unreact, unreact.Time = true, at(47*time.Hour+time.Minute)
	mustIngest(t, s, unreact)
	if r := thread(t, s, "u1")[1].Reactions; len(r) != 0 {
		t.Errorf("after unreact reactions = %+v", r)
	}
	mustIngest(t, s, store.Event{Kind: store.EventReferral, PageID: page, PSID: "u2", Ref: "ad1", Time: at(47 * time.Hour)})
	if got, err := s.Conversation(ctx(), key("u2")); err != nil || !got.LastInboundTime.Equal(at(47*time.Hour)) {
		t.Errorf("referral: %v %v", got.LastInboundTime, err)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	c := newClock(at(0))
	good := msg("u1", "m-good", "fine", at(-time.Minute))
	tests := []struct {
		name string
		ev   store.Event
		want error
	}{
		{"unknown page", store.Event{Kind: store.EventMessage, PageID: "NOPE", PSID: "u1", MID: "m1", Time: at(0)}, store.ErrUnknownPage},
		{"empty page", store.Event{Kind: store.EventMessage, PSID: "u1", MID: "m1", Time: at(0)}, store.ErrInvalid},
		{"empty psid", store.Event{Kind: store.EventMessage, PageID: page, MID: "m1", Time: at(0)}, store.ErrInvalid},
		{"missing mid", store.Event{Kind: store.EventMessage, PageID: page, PSID: "u1", Time: at(0)}, store.ErrInvalid},
		{"echo missing mid", store.Event{Kind: store.EventEcho, PageID: page, PSID: "u1", Time: at(0)}, store.ErrInvalid},
		{"zero time", store.Event{Kind: store.EventMessage, PageID: page, PSID: "u1", MID: "m1"}, store.ErrInvalid},
		{"seconds mistaken for ms", store.Event{Kind: store.EventMessage, PageID: page, PSID: "u1", MID: "m1", Time: time.UnixMilli(1458692752)}, store.ErrInvalid},
		{"far future", store.Event{Kind: store.EventMessage, PageID: page, PSID: "u1", MID: "m1", Time: at(72 * time.Hour)}, store.ErrInvalid},
		{"delivery without watermark", store.Event{Kind: store.EventDelivery, PageID: page, PSID: "u1"}, store.ErrInvalid},
		{"unknown kind", store.Event{Kind: "bogus", PageID: page, PSID: "u1", Time: at(0)}, store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t, c)
			// The bad event travels with a good one: neither may be stored.
			err := s.Ingest(ctx(), []store.Event{good, tt.ev})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if n, _ := s.Count(ctx(), store.FilterAll); n != 0 {
				t.Errorf("bad batch stored %d conversations", n)
			}
			if _, err := s.MessageByMID(ctx(), page, "m-good"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("good event of a bad batch was stored: %v", err)
			}
		})
	}
}

func TestConcurrentBadCallerDoesNotFailOthers(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ev := msg(fmt.Sprintf("u%d", i), fmt.Sprintf("m%d", i), "x", at(0))
			if i%4 == 0 {
				ev.PageID = "NOPE"
			}
			errs[i] = s.Ingest(ctx(), []store.Event{ev})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if (i%4 == 0) != (err != nil) {
			t.Errorf("caller %d: err = %v", i, err)
		}
	}
	if n, _ := s.Count(ctx(), store.FilterAll); n != 30 {
		t.Errorf("stored %d conversations, want 30", n)
	}
}

func TestConversationCursors(t *testing.T) {
	c := newClock(at(100 * time.Hour))
	s, _ := openStore(t, c)
	// u0..u9 wrote at 0h, 10h, ... 90h; now is 100h.
	for i := 0; i < 10; i++ {
		mustIngest(t, s, msg(fmt.Sprintf("u%d", i), fmt.Sprintf("m%d", i), "x", at(time.Duration(i)*10*time.Hour)))
	}
	if _, err := s.MarkRead(ctx(), key("u9")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx(), key("u3"), store.ConvDone); err != nil {
		t.Fatal(err)
	}
	list := func(f store.Filter, limit int) []string { return pagedPSIDs(t, s, f, limit) }
	tests := []struct {
		f     store.Filter
		limit int
		want  string
	}{
		{store.FilterAll, 3, "[u9 u8 u7 u6 u5 u4 u3 u2 u1 u0]"},
		{store.FilterAll, 100, "[u9 u8 u7 u6 u5 u4 u3 u2 u1 u0]"},
		{store.FilterUnread, 4, "[u8 u7 u6 u5 u4 u3 u2 u1 u0]"},
		{store.FilterWindow, 1, "[u9 u8]"}, // inside 24 h at 100h: only u8 (80h) and u9 (90h)
		{store.FilterDone, 2, "[u3]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(list(tt.f, tt.limit)); got != tt.want {
			t.Errorf("%s by %d = %s, want %s", tt.f, tt.limit, got, tt.want)
		}
	}
	// A new message moves a conversation to the top and reopens a done one.
	mustIngest(t, s, msg("u3", "m3b", "again", at(99*time.Hour)))
	if got := list(store.FilterAll, 5)[0]; got != "u3" {
		t.Errorf("top after new message = %s, want u3", got)
	}
	if got := fmt.Sprint(list(store.FilterDone, 5)); got != "[]" {
		t.Errorf("done after customer wrote again = %s, want []", got)
	}
	for f, want := range map[store.Filter]int{store.FilterAll: 10, store.FilterUnread: 9, store.FilterDone: 0, store.FilterWindow: 3} {
		if n, err := s.Count(ctx(), f); err != nil || n != want {
			t.Errorf("count %s = %d %v, want %d", f, n, err, want)
		}
	}
	if _, err := s.Conversations(ctx(), store.FilterAll, "zz", 5); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestThreadPaging(t *testing.T) {
	s, _ := openStore(t, newClock(at(1000*time.Hour)))
	var evs []store.Event
	for i := 0; i < 25; i++ {
		evs = append(evs, msg("u1", fmt.Sprintf("m%02d", i), fmt.Sprintf("%02d", i), at(time.Duration(i)*time.Minute)))
	}
	mustIngest(t, s, evs...)
	mustIngest(t, s, msg("u2", "other", "other thread", at(30*time.Minute)))
	var pages []string
	var before store.Cursor
	for {
		p, err := s.Thread(ctx(), key("u1"), before, 10)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p.Messages[0].Text+"-"+p.Messages[len(p.Messages)-1].Text)
		if p.Before == "" {
			break
		}
		before = p.Before
	}
	if got := fmt.Sprint(pages); got != "[15-24 05-14 00-04]" {
		t.Errorf("pages = %s", got)
	}
	m, err := s.MessageByMID(ctx(), page, "m07")
	if err != nil || m.Text != "07" {
		t.Errorf("by mid: %+v %v", m, err)
	}
	if _, err := s.Thread(ctx(), key("nobody"), "", 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("thread of unknown conversation: %v", err)
	}
}

func TestWindowPolicy(t *testing.T) {
	last := at(0)
	tests := []struct {
		name    string
		now     time.Time
		mt      store.MessagingType
		tag     string
		allowed bool
		state   store.WindowState
	}{
		{"fresh response", at(time.Minute), store.Response, "", true, store.WindowOpen},
		{"update just inside 24h", at(24*time.Hour - time.Millisecond), store.Update, "", true, store.WindowOpen},
		{"response at exactly 24h", at(24 * time.Hour), store.Response, "", false, store.WindowHumanAgent},
		{"human agent at exactly 24h", at(24 * time.Hour), store.MessageTag, store.TagHumanAgent, true, store.WindowHumanAgent},
		{"human agent just inside 7 days", at(7*24*time.Hour - time.Millisecond), store.MessageTag, store.TagHumanAgent, true, store.WindowHumanAgent},
		{"human agent at exactly 7 days", at(7 * 24 * time.Hour), store.MessageTag, store.TagHumanAgent, false, store.WindowClosed},
		{"retired tag inside the window", at(time.Minute), store.MessageTag, "POST_PURCHASE_UPDATE", false, store.WindowOpen},
		{"retired 2020 tag", at(time.Minute), store.MessageTag, "SHIPPING_UPDATE", false, store.WindowOpen},
		{"made-up tag", at(time.Minute), store.MessageTag, "WHATEVER", false, store.WindowOpen},
		{"response with a tag", at(time.Minute), store.Response, store.TagHumanAgent, false, store.WindowOpen},
		{"unknown messaging type", at(time.Minute), "PROMO", "", false, store.WindowOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := store.CheckSend(last, tt.now, tt.mt, tt.tag)
			if d.Allowed != tt.allowed || d.Reason == "" {
				t.Errorf("CheckSend = %+v, want allowed=%v with a reason", d, tt.allowed)
			}
			if w := store.WindowAt(last, tt.now); w.State != tt.state {
				t.Errorf("WindowAt = %v, want %v", w.State, tt.state)
			}
		})
	}
	if w := store.WindowAt(last, at(23*time.Hour)); w.Left != time.Hour || !w.Expires.Equal(at(24*time.Hour)) {
		t.Errorf("left = %v expires = %v", w.Left, w.Expires)
	}
	if d := store.CheckSend(time.Time{}, at(0), store.Response, ""); d.Allowed {
		t.Error("a customer who never wrote can be messaged")
	}
}

func TestOutbox(t *testing.T) {
	c := newClock(at(time.Hour))
	s, path := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(-30*time.Hour)))

	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u2"), Text: "late"}); !errors.Is(err, store.ErrOutsideWindow) {
		t.Errorf("enqueue outside window: %v", err)
	}
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u2"), Text: "human", MessagingType: store.MessageTag, Tag: store.TagHumanAgent}); err != nil {
		t.Errorf("HUMAN_AGENT inside 7 days: %v", err)
	}
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: string(bytes.Repeat([]byte("a"), 2000))}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("2000 chars: %v", err)
	}
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("nobody"), Text: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown recipient: %v", err)
	}

	a, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "first"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "second"})
	if m, _ := s.Message(ctx(), a.MessageID); m.Status != store.StatusQueued || m.Direction != store.Out {
		t.Errorf("queued message = %+v", m)
	}
	claimed, err := s.Claim(ctx(), 2)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	if again, _ := s.Claim(ctx(), 10); len(again) != 1 { // only the HUMAN_AGENT one is left
		t.Fatalf("second claim took %d, want 1", len(again))
	}
	// The echo of our send overtakes the Send API's answer.
	mustIngest(t, s, store.Event{Kind: store.EventEcho, PageID: page, PSID: "u1", MID: "mid.A", Text: "first", Time: at(time.Hour), Metadata: store.SendMetadata(a.ID)})
	if err := s.Complete(ctx(), a.ID, store.Result{MID: "mid.A"}); err != nil {
		t.Fatal(err)
	}
	// Echo without metadata (another path) before the answer: folded in.
	mustIngest(t, s, echo("u1", "mid.B", "second", at(time.Hour)))
	if err := s.Complete(ctx(), b.ID, store.Result{MID: "mid.B"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx(), b.ID, store.Result{MID: "mid.B"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("completing twice: %v", err)
	}
	var outs []string
	for _, m := range thread(t, s, "u1") {
		if m.Direction == store.Out {
			outs = append(outs, m.Text+":"+string(m.Status)+":"+m.MID)
		}
	}
	if got := fmt.Sprint(outs); got != "[first:sent:mid.A second:sent:mid.B]" {
		t.Errorf("outbound after echoes = %s", got)
	}
	if n := conv(t, s, "u1").MessageCount; n != 3 {
		t.Errorf("message count = %d, want 3", n)
	}

	// Crash: an item claimed but never completed when the process dies.
	cItem, _ := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "in flight"})
	qItem, _ := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "still queued"})
	if got, _ := s.Claim(ctx(), 1); len(got) != 1 || got[0].ID != cItem.ID {
		t.Fatalf("claim = %+v", got)
	}
	s.Close()
	s = reopen(t, path, c)
	if it, _ := s.Item(ctx(), cItem.ID); it.State != store.OutboxUnknown {
		t.Errorf("in-flight item after crash = %s, want unknown", it.State)
	}
	if m, _ := s.Message(ctx(), cItem.MessageID); m.Status != store.StatusUnknown || m.Error == "" {
		t.Errorf("in-flight message after crash = %s %q", m.Status, m.Error)
	}
	if it, _ := s.Item(ctx(), qItem.ID); it.State != store.OutboxQueued {
		t.Errorf("queued item after crash = %s", it.State)
	}
	got, _ := s.Claim(ctx(), 10)
	for _, it := range got {
		if it.ID == cItem.ID {
			t.Error("an unknown item was claimed again")
		}
	}
	if err := s.Complete(ctx(), cItem.ID, store.Result{MID: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("completing an unknown item: %v", err)
	}
}

func TestCampaign(t *testing.T) {
	c := newClock(at(time.Hour))
	s, path := openStore(t, c)
	var rs []store.Recipient
	for i := 0; i < 5; i++ {
		psid := fmt.Sprintf("u%d", i)
		mustIngest(t, s, msg(psid, "m"+psid, "hi", at(0)))
		rs = append(rs, store.Recipient{ConvKey: key(psid)})
	}
	rs[4].SkipReason = "outside the 24 h window"
	rs = append(rs, rs[0]) // listed twice: still one message
	camp, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "Sale", Text: "20% off"}, rs)
	if err != nil {
		t.Fatal(err)
	}
	if camp.Counts != (store.CampaignCounts{Total: 5, Queued: 4, Skipped: 1}) {
		t.Errorf("counts = %+v", camp.Counts)
	}
	items, _ := s.Claim(ctx(), 2)
	s.Complete(ctx(), items[0].ID, store.Result{MID: "c1"})
	s.Complete(ctx(), items[1].ID, store.Result{Failed: true, Reason: "This person isn't available right now", ErrorKind: "unavailable"})
	if _, err := s.Claim(ctx(), 1); err != nil { // in flight at the crash
		t.Fatal(err)
	}
	s.Close()
	s = reopen(t, path, c)
	camp, _ = s.Campaign(ctx(), camp.ID)
	if camp.Status != store.CampaignInterrupted || camp.Counts != (store.CampaignCounts{Total: 5, Queued: 1, Sent: 1, Failed: 1, Skipped: 1, Unknown: 1}) {
		t.Errorf("after crash: %s %+v", camp.Status, camp.Counts)
	}
	if got, _ := s.Claim(ctx(), 10); len(got) != 0 {
		t.Errorf("an interrupted campaign sent %d items before Resume", len(got))
	}
	if _, err := s.SetCampaignStatus(ctx(), camp.ID, store.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Claim(ctx(), 10)
	if len(got) != 1 {
		t.Fatalf("resume claimed %d, want 1", len(got))
	}
	s.Complete(ctx(), got[0].ID, store.Result{MID: "c2"})
	camp, _ = s.Campaign(ctx(), camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts.Sent != 2 {
		t.Errorf("final: %s %+v", camp.Status, camp.Counts)
	}
	all, _ := s.CampaignItems(ctx(), camp.ID)
	if len(all) != 5 {
		t.Errorf("items = %d", len(all))
	}
}

func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	c := newClock(at(0))

	t.Run("held file fails within its timeout", func(t *testing.T) {
		path := filepath.Join(dir, "held.db")
		s, err := store.Open(path, store.Options{Owner: "serve"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		start := time.Now()
		_, err = store.Open(path, store.Options{Timeout: 200 * time.Millisecond})
		if !errors.Is(err, store.ErrLocked) {
			t.Fatalf("second open: %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("second open hung for %v", time.Since(start))
		}
		for _, want := range []string{"in use by another pageinbox", "serve", "daemon"} {
			if !bytes.Contains([]byte(err.Error()), []byte(want)) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	})

	refused := []struct {
		name  string
		write func(path string)
		want  error
	}{
		{"not a bbolt file", func(p string) { os.WriteFile(p, bytes.Repeat([]byte("garbage!"), 4096), 0o600) }, store.ErrForeign},
		{"bbolt file of another program", func(p string) {
			db, _ := bolt.Open(p, 0o600, nil)
			db.Update(func(tx *bolt.Tx) error {
				b, _ := tx.CreateBucket([]byte("other"))
				return b.Put([]byte("k"), []byte("v"))
			})
			db.Close()
		}, store.ErrForeign},
		{"newer schema", func(p string) {
			s, _ := store.Open(p, store.Options{})
			s.Close()
			db, _ := bolt.Open(p, 0o600, nil)
			db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 99}) })
			db.Close()
		}, store.ErrTooNew},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".db")
			tt.write(path)
			before, _ := os.ReadFile(path)
			_, err := store.Open(path, store.Options{Now: c.Now})
			if !errors.Is(err, tt.want) {
				t.Fatalf("open = %v, want %v", err, tt.want)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("refused file was modified")
			}
		})
	}

	t.Run("new file is 0600", func(t *testing.T) {
		path := filepath.Join(dir, "mode.db")
		s, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v", fi.Mode().Perm())
		}
	})
}

func TestMigrateSchema1(t *testing.T) {
	c := newClock(at(time.Hour))
	s, path := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(0)))
	s.Close()
	// Schema 1 had no counts bucket.
	db, _ := bolt.Open(path, 0o600, nil)
	db.Update(func(tx *bolt.Tx) error {
		tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 1})
		return tx.DeleteBucket([]byte("counts"))
	})
	db.Close()
	s = reopen(t, path, c)
	if n, err := s.Count(ctx(), store.FilterAll); err != nil || n != 2 {
		t.Errorf("count after migration = %d %v", n, err)
	}
	if n, _ := s.Count(ctx(), store.FilterUnread); n != 2 {
		t.Errorf("unread after migration = %d", n)
	}
}

func TestJournal(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	if err := s.IngestJournaled(ctx(), []byte(`{"object":"page"}`), []store.Event{msg("u1", "m1", "hi", at(0))}); err != nil {
		t.Fatal(err)
	}
	c.Advance(48 * time.Hour)
	s.IngestJournaled(ctx(), []byte(`{"second":1}`), nil)
	journal := func(limit int) []string {
		var out []string
		var after store.Cursor
		for {
			entries, next, err := s.Journal(ctx(), time.Time{}, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				out = append(out, string(e.Raw))
			}
			if next == "" {
				return out
			}
			after = next
		}
	}
	got := journal(1)
	if len(got) != 2 {
		t.Fatalf("journal = %q", got)
	}
	n, err := s.PruneJournal(ctx(), c.Now().Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("prune = %d %v", n, err)
	}
	// A bad batch is not journaled either.
	s.IngestJournaled(ctx(), []byte(`bad`), []store.Event{{Kind: store.EventMessage, PageID: page}})
	got = journal(10)
	if fmt.Sprint(got) != `[{"second":1}]` {
		t.Errorf("journal after prune = %q", got)
	}
}

// A paused campaign at the head of the queue does not hold up what is
// queued behind it.
func TestClaimSkipsPausedCampaigns(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	var rs []store.Recipient
	for i := 0; i < 20; i++ {
		psid := fmt.Sprintf("u%02d", i)
		mustIngest(t, s, msg(psid, "m"+psid, "hi", at(0)))
		rs = append(rs, store.Recipient{ConvKey: key(psid)})
	}
	camp, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "t", Text: "x"}, rs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCampaignStatus(ctx(), camp.ID, store.CampaignPaused); err != nil {
		t.Fatal(err)
	}
	reply, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u00"), Text: "a reply"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Claim(ctx(), 8)
	if err != nil || len(got) != 1 || got[0].ID != reply.ID {
		t.Fatalf("claim behind a paused campaign = %+v %v, want the reply", got, err)
	}
}
