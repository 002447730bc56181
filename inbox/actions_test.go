package inbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// actionRig is a Service on a fresh file sending to the emulator: u1 wrote
// an hour ago (message m-u1), u2 two days ago (outside the window). Its
// typing clock is the test's.
type actionRig struct {
	srv   *fbtest.Server
	st    *store.Store
	svc   *inbox.Service
	mu    sync.Mutex
	clock time.Time
}

func newActionRig(t *testing.T, noTyping bool, meta ...func(*fbtest.Config)) *actionRig {
	t.Helper()
	var cfg fbtest.Config
	for _, f := range meta {
		f(&cfg)
	}
	r := &actionRig{srv: fbtest.NewServer(cfg), clock: time.Now()}
	t.Cleanup(r.srv.Close)
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	ctx, cancel := context.WithCancel(context.Background())
	st.EnsurePages(ctx, []string{r.srv.PageID()})
	for psid, ago := range map[string]time.Duration{"u1": time.Hour, "u2": 48 * time.Hour} {
		at := r.clock.Add(-ago)
		r.srv.AddUser(psid, "Customer "+psid)
		r.srv.InboundMessage(psid, "m-"+psid, "hi", at)
		ev := store.Event{Kind: store.EventMessage, PageID: r.srv.PageID(), PSID: psid, MID: "m-" + psid, Text: "hi", Time: at}
		if err := st.Ingest(ctx, []store.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	gc := fbgraph.New(fbgraph.Options{BaseURL: r.srv.URL(), Version: "v25.0", PageToken: fbtest.DefaultPageToken})
	r.svc = inbox.Start(ctx, st, inbox.Options{Graph: gc, Agent: store.Agent{ID: "a1", Name: "ana"}, NoTyping: noTyping,
		TypingNow: r.now})
	t.Cleanup(func() { cancel(); r.svc.Wait() })
	return r
}

func (r *actionRig) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clock
}

func (r *actionRig) advance(d time.Duration) {
	r.mu.Lock()
	r.clock = r.clock.Add(d)
	r.mu.Unlock()
}

func (r *actionRig) key(psid string) store.ConvKey {
	return store.ConvKey{PageID: r.srv.PageID(), PSID: psid}
}

func (r *actionRig) typingOns() int {
	n := 0
	for _, a := range r.srv.Actions() {
		if a.Action == "typing_on" {
			n++
		}
	}
	return n
}

// React goes to Meta first; only its 200 records the Page's reaction in
// the store, published to every subscriber. A refusal records nothing.
func TestReactRecordedAfterMeta(t *testing.T) {
	r := newActionRig(t, false)
	ctx := context.Background()
	changes, err := r.svc.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.svc.React(ctx, r.key("u1"), "m-u1", "😢")
	if err != nil {
		t.Fatal(err)
	}
	if store.PageReaction(m) != "😢" {
		t.Fatalf("React returned %+v", m.Reactions)
	}
	if acts := r.srv.Actions(); len(acts) != 1 || acts[0].Action != "react" || acts[0].MID != "m-u1" || acts[0].Reaction != "😢" {
		t.Fatalf("Meta got %+v", acts)
	}
	waitReaction(t, changes, "m-u1", "😢")
	if _, err := r.svc.React(ctx, r.key("u1"), "m-u1", ""); err != nil {
		t.Fatal(err)
	}
	waitReaction(t, changes, "m-u1", "")

	// Meta does not know m-local: refused, and the store is unchanged.
	local := store.Event{Kind: store.EventMessage, PageID: r.srv.PageID(), PSID: "u1", MID: "m-local", Text: "x", Time: time.Now()}
	if err := r.st.Ingest(ctx, []store.Event{local}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.React(ctx, r.key("u1"), "m-local", "👍"); err == nil {
		t.Fatal("a reaction Meta refused was reported done")
	}
	page, err := r.st.Thread(ctx, r.key("u1"), "", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range page.Messages {
		if len(msg.Reactions) != 0 {
			t.Errorf("message %s has reactions %+v after unreact and a refusal", msg.MID, msg.Reactions)
		}
	}
}

func waitReaction(t *testing.T, changes <-chan store.Change, mid, emoji string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c := <-changes:
			if c.Kind == store.MessageChanged && c.Message != nil && c.Message.MID == mid && store.PageReaction(*c.Message) == emoji {
				return
			}
		case <-deadline:
			t.Fatalf("no change published for %s with reaction %q", mid, emoji)
		}
	}
}

// A reply names a message of the thread and goes out with reply_to; a mid
// of another thread is refused before anything is queued.
func TestSendReplyTo(t *testing.T) {
	r := newActionRig(t, false)
	ctx := context.Background()
	if _, err := r.svc.Send(ctx, store.Send{ConvKey: r.key("u1"), Text: "wrong", ReplyTo: "m-u2"}); !errors.Is(err, store.ErrUnknownMessage) {
		t.Fatalf("reply to another thread's message: %v", err)
	}
	it, err := r.svc.Send(ctx, store.Send{ConvKey: r.key("u1"), Text: "this one", ReplyTo: "m-u1"})
	if err != nil || it.ReplyTo != "m-u1" {
		t.Fatalf("Send = %+v, %v", it, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(r.srv.SentTo("u1")) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	sent := r.srv.SentTo("u1")
	if len(sent) != 1 || sent[0].ReplyTo != "m-u1" || sent[0].Text != "this one" {
		t.Fatalf("Meta got %+v", sent)
	}
}

// Typing: many keystrokes within 10 s are one typing_on; after 10 s one
// more; outside the window none.
func TestTypingThrottled(t *testing.T) {
	r := newActionRig(t, false)
	ctx := context.Background()
	for range 5 {
		if err := r.svc.Typing(ctx, r.key("u1")); err != nil {
			t.Fatal(err)
		}
		r.advance(time.Second)
	}
	if n := r.typingOns(); n != 1 {
		t.Fatalf("5 keystrokes in 5 s sent %d typing_on, want 1", n)
	}
	r.advance(inbox.TypingEvery)
	r.svc.Typing(ctx, r.key("u1"))
	if n := r.typingOns(); n != 2 {
		t.Fatalf("after 10 s: %d typing_on, want 2", n)
	}
	r.svc.Typing(ctx, r.key("u2"))
	if n := r.typingOns(); n != 2 {
		t.Fatalf("typing outside the window sent typing_on (%d in all)", n)
	}
	// Another agent's session shares the throttle.
	r.svc.As(store.Agent{ID: "a2", Name: "bo"}).Typing(ctx, r.key("u1"))
	if n := r.typingOns(); n != 2 {
		t.Fatalf("a second session within 10 s sent typing_on again (%d in all)", n)
	}
}

// NoTyping (PAGEINBOX_TYPING=0) sends no typing_on at all.
func TestTypingOff(t *testing.T) {
	r := newActionRig(t, true)
	for range 3 {
		if err := r.svc.Typing(context.Background(), r.key("u1")); err != nil {
			t.Fatal(err)
		}
		r.advance(inbox.TypingEvery)
	}
	if n := len(r.srv.Actions()); n != 0 {
		t.Fatalf("typing off sent %+v", r.srv.Actions())
	}
}

// A reaction Meta refuses for its U+FE0F goes once more bare, and the
// store records what Meta took.
func TestReactRetriesWithoutVariationSelector(t *testing.T) {
	r := newActionRig(t, false, func(c *fbtest.Config) { c.RefuseVariationSelector = true })
	m, err := r.svc.React(context.Background(), r.key("u1"), "m-u1", "\u2764\uFE0F")
	if err != nil {
		t.Fatal(err)
	}
	if got := store.PageReaction(m); got != "\u2764" {
		t.Fatalf("recorded %q, want the bare heart Meta took", got)
	}
	if acts := r.srv.Actions(); len(acts) != 1 || acts[0].Reaction != "\u2764" {
		t.Fatalf("Meta recorded %+v", acts)
	}
	if _, err := r.svc.React(context.Background(), r.key("u1"), "m-u1", ""); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range r.srv.Requests() {
		if strings.HasSuffix(q.Path, "/messages") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d sends, want the refused react, the bare one and the unreact", n)
	}
}
