// Package inboxtest is the contract every inbox.Backend keeps where its
// callers can see it: one suite, run against the store-backed Local, the
// daemon's client and the TUI tests' in-memory fake alike, so a fake that
// drifts from the store fails the same test the store passes.
package inboxtest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// Page is the Page of the suite's conversations; Page2 is a second Page
// the store also serves (PageIDNarrows).
const (
	Page  = "100200300"
	Page2 = "100200399"
)

// World is a Backend under test and what stands around it: the customers
// who write (the webhook, in production) and the clock.
type World struct {
	Backend inbox.Backend
	// Now is the Backend's clock: windows are judged at it.
	Now time.Time
	// Receive stores a customer's message as the webhook does, and
	// publishes it; it returns once the changes have reached the Backend
	// (for a remote one, crossed the wire), so a later Subscribe does not
	// hear them.
	Receive func(key store.ConvKey, text string, at time.Time)
	// PutTemplates replaces a Page's templates as `templates sync` does.
	PutTemplates func(pageID string, ts []store.Template)
}

// Run runs the contract, each case on a fresh World from newWorld. The
// Backend may send (queue) replies; nothing needs to deliver them.
func Run(t *testing.T, newWorld func(t *testing.T) World) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, w World)
	}{
		{"ListPagesNewestFirst", listPagesNewestFirst},
		{"FiltersAndCounts", filtersAndCounts},
		{"ThreadPagesBackInTime", threadPagesBackInTime},
		{"SendPublishesInStoreOrder", sendPublishesInStoreOrder},
		{"SendRefusals", sendRefusals},
		{"IncomingMessage", incomingMessage},
		{"ReadStatusAndDrafts", readStatusAndDrafts},
		{"ReplyToAndReact", replyToAndReact},
		{"UploadThenSend", uploadThenSend},
		{"TemplatesOutsideTheWindow", templatesOutsideTheWindow},
		{"PageIDNarrows", pageIDNarrows},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, newWorld(t)) })
	}
}

// OnStore is a fresh data file in t.TempDir() whose clock is now, with
// the suite's Page, and a Receive that ingests into it.
func OnStore(t testing.TB, now time.Time) (*store.Store, func(store.ConvKey, string, time.Time)) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.EnsurePages(context.Background(), []string{Page, Page2}); err != nil {
		t.Fatal(err)
	}
	n := 0
	return st, func(key store.ConvKey, text string, at time.Time) {
		t.Helper()
		n++
		ev := store.Event{Kind: store.EventMessage, PageID: key.PageID, PSID: key.PSID, MID: fmt.Sprintf("m.%d", n), Text: text, Time: at}
		if err := st.Ingest(context.Background(), []store.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
}

func key(psid string) store.ConvKey { return store.ConvKey{PageID: Page, PSID: psid} }

// listAll pages through a filter limit at a time.
func listAll(t *testing.T, b inbox.Backend, filter store.Filter, limit int) []string {
	t.Helper()
	var psids []string
	var after store.Cursor
	for pages := 0; ; pages++ {
		p, err := b.Conversations(context.Background(), store.ListQuery{Filter: filter, After: after, Limit: limit})
		if err != nil {
			t.Fatalf("list %s after %q: %v", filter, after, err)
		}
		if len(p.Conversations) > limit {
			t.Fatalf("a page of %d conversations, limit %d", len(p.Conversations), limit)
		}
		for _, c := range p.Conversations {
			psids = append(psids, c.PSID)
		}
		if p.Next == "" || pages > 100 {
			return psids
		}
		after = p.Next
	}
}

// Lists are newest activity first and paged with an opaque cursor; the
// pages join into the whole list, each conversation once.
func listPagesNewestFirst(t *testing.T, w World) {
	var want []string
	for i := 0; i < 7; i++ {
		psid := fmt.Sprintf("u%d", i)
		w.Receive(key(psid), "hello "+psid, w.Now.Add(-time.Duration(10-i)*time.Minute))
		want = append([]string{psid}, want...) // the latest first
	}
	for _, limit := range []int{1, 3, 7, 50} {
		if got := listAll(t, w.Backend, store.FilterAll, limit); !slices.Equal(got, want) {
			t.Errorf("paged by %d: %v, want %v", limit, got, want)
		}
	}
}

// The window is judged at the Backend's clock: open within 24 h of the
// customer's last message. Counts agree with the lists.
func filtersAndCounts(t *testing.T, w World) {
	ctx := context.Background()
	w.Receive(key("open"), "hi", w.Now.Add(-time.Hour))
	w.Receive(key("agent"), "hi", w.Now.Add(-30*time.Hour)) // HUMAN_AGENT only
	w.Receive(key("closed"), "hi", w.Now.Add(-9*24*time.Hour))
	if err := w.Backend.MarkRead(ctx, key("agent")); err != nil {
		t.Fatal(err)
	}
	if err := w.Backend.SetStatus(ctx, key("closed"), store.ConvDone); err != nil {
		t.Fatal(err)
	}
	n, err := w.Backend.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[store.Filter][]string{}
	for _, f := range []store.Filter{store.FilterAll, store.FilterUnread, store.FilterWindow, store.FilterDone} {
		lists[f] = listAll(t, w.Backend, f, 50)
	}
	want := map[store.Filter][]string{
		store.FilterAll:    {"open", "agent", "closed"},
		store.FilterUnread: {"open", "closed"},
		store.FilterWindow: {"open"},
		store.FilterDone:   {"closed"},
	}
	for f, psids := range want {
		if !slices.Equal(lists[f], psids) {
			t.Errorf("filter %s lists %v, want %v", f, lists[f], psids)
		}
	}
	if n.All != 3 || n.Unread != 2 || n.Window != 1 || n.Done != 1 {
		t.Errorf("counts %+v, want all 3, unread 2, window 1, done 1", n)
	}
}

// A thread comes oldest first and pages back in time with its cursor.
func threadPagesBackInTime(t *testing.T, w World) {
	var want []string
	for i := 0; i < 7; i++ {
		text := fmt.Sprintf("message %d", i)
		w.Receive(key("u1"), text, w.Now.Add(-time.Duration(10-i)*time.Minute))
		want = append(want, text)
	}
	var got []string
	var before store.Cursor
	for pages := 0; pages < 10; pages++ {
		p, err := w.Backend.Thread(context.Background(), key("u1"), before, 3)
		if err != nil {
			t.Fatal(err)
		}
		var page []string
		for _, m := range p.Messages {
			page = append(page, m.Text)
		}
		got = append(page, got...)
		if p.Before == "" {
			break
		}
		before = p.Before
	}
	if !slices.Equal(got, want) {
		t.Errorf("thread paged by 3: %v, want %v", got, want)
	}
	if _, err := w.Backend.Thread(context.Background(), key("nobody"), "", 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("thread of nobody: %v, want ErrNotFound", err)
	}
}

// changesOf reads the feed until n changes of key's conversation, its
// messages or its outbox items have come, in order.
func changesOf(t *testing.T, feed <-chan store.Change, k store.ConvKey, n int) []store.Change {
	t.Helper()
	var got []store.Change
	deadline := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case ch := <-feed:
			if of(ch) == k {
				got = append(got, ch)
			}
		case <-deadline:
			t.Fatalf("%d of %d changes of %v within 10 s: %v", len(got), n, k, kinds(got))
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq {
			t.Errorf("change seqs not increasing: %d after %d", got[i].Seq, got[i-1].Seq)
		}
	}
	return got
}

func of(ch store.Change) store.ConvKey {
	switch {
	case ch.Kind == store.MessageAdded && ch.Message != nil:
		return ch.Message.ConvKey
	case ch.Kind == store.ConversationUpdated && ch.Conversation != nil:
		return ch.Conversation.ConvKey
	case ch.Kind == store.OutboxChanged && ch.Outbox != nil:
		return ch.Outbox.ConvKey
	}
	return store.ConvKey{}
}

func kinds(chs []store.Change) []store.ChangeKind {
	var out []store.ChangeKind
	for _, ch := range chs {
		out = append(out, ch.Kind)
	}
	return out
}

func subscribe(t *testing.T, b inbox.Backend) <-chan store.Change {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	feed, err := b.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return feed
}

// With two Pages, ListQuery.PageID narrows the list, a search, select-all
// and the counts to one of them; "" is both.
func pageIDNarrows(t *testing.T, w World) {
	ctx := context.Background()
	other := func(psid string) store.ConvKey { return store.ConvKey{PageID: Page2, PSID: psid} }
	w.Receive(key("a1"), "hello one", w.Now.Add(-3*time.Hour))
	w.Receive(other("b1"), "hello two", w.Now.Add(-2*time.Hour))
	w.Receive(key("a2"), "hello three", w.Now.Add(-time.Hour))
	list := func(q store.ListQuery) []string {
		t.Helper()
		p, err := w.Backend.Conversations(ctx, q)
		if err != nil {
			t.Fatalf("list %+v: %v", q, err)
		}
		var out []string
		for _, c := range p.Conversations {
			out = append(out, c.PSID)
		}
		return out
	}
	for _, c := range []struct {
		q    store.ListQuery
		want []string
	}{
		{store.ListQuery{Filter: store.FilterAll}, []string{"a2", "b1", "a1"}},
		{store.ListQuery{Filter: store.FilterAll, PageID: Page}, []string{"a2", "a1"}},
		{store.ListQuery{Filter: store.FilterUnread, PageID: Page2}, []string{"b1"}},
		{store.ListQuery{Filter: store.FilterAll, PageID: Page, Limit: 1}, []string{"a2"}},
		{store.ListQuery{Filter: store.FilterAll, PageID: Page2, Search: "hello"}, []string{"b1"}},
		{store.ListQuery{Filter: store.FilterAll, PageID: Page, Unassigned: true}, []string{"a2", "a1"}},
	} {
		if got := list(c.q); !slices.Equal(got, c.want) {
			t.Errorf("list %+v = %v, want %v", c.q, got, c.want)
		}
	}
	keys, err := w.Backend.SelectAll(ctx, store.ListQuery{Filter: store.FilterAll, PageID: Page2})
	if err != nil || !slices.Equal(keys, []store.ConvKey{other("b1")}) {
		t.Errorf("select all of %s = %v %v", Page2, keys, err)
	}
	for page, want := range map[string]int{Page: 2, Page2: 1, "": 3} {
		if n, err := w.Backend.PageCounts(ctx, page); err != nil || n.All != want || n.Unread != want {
			t.Errorf("counts of %q = %+v %v, want %d", page, n, err, want)
		}
	}
}
