package fbgraph_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

const (
	pageB      = "1000000000000002"
	pageBToken = "page-b-token"
	pageC      = "1000000000000003" // in the store, no token anywhere
)

// twoPageWorld: n customers of the default Page (A), n of Page B, both
// known to the emulator, and 2 of Page C, whose token is not connected.
func twoPageWorld(t *testing.T, n int) (*world, []store.OutboxItem) {
	t.Helper()
	w := newWorld(t, n, fbtest.Config{Pages: []fbtest.Page{{ID: pageB, Name: "Harbour Kids", Token: pageBToken}}})
	ctx := context.Background()
	w.st.EnsurePages(ctx, []string{pageB, pageC})
	var evs []store.Event
	at := t0.Add(-time.Hour)
	for i := 0; i < n+2; i++ {
		page, psid := pageB, fmt.Sprintf("%016d", 5000+i)
		if i >= n {
			page = pageC
		} else {
			w.srv.AddPageUser(pageB, psid, "B customer")
			w.srv.Inbound(psid, at)
		}
		evs = append(evs, store.Event{Kind: store.EventMessage, PageID: page, PSID: psid, MID: "in-" + psid, Text: "hi", Time: at})
	}
	if err := w.st.Ingest(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// A mixed queue: A, B (and C) items interleaved.
	var items []store.OutboxItem
	for i, ev := range evs {
		for _, key := range []store.ConvKey{{PageID: w.page, PSID: w.psids[min(i, n-1)]}, {PageID: ev.PageID, PSID: ev.PSID}} {
			if i >= n && key.PageID == w.page {
				continue
			}
			it, err := w.st.Enqueue(ctx, store.Send{ConvKey: key, Text: "hello " + key.String()})
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
	}
	return w, items
}

func (w *world) pages(bToken string) *fbgraph.Pages {
	p := fbgraph.NewPages()
	p.Add(w.page, w.client(fbgraph.Options{}))
	b := w.client(fbgraph.Options{})
	if bToken != "" {
		b = fbgraph.New(fbgraph.Options{BaseURL: w.srv.URL(), PageToken: bToken, MaxAttempts: 1})
	}
	p.Add(pageB, b)
	return p
}

func itemsOf(t *testing.T, st *store.Store, items []store.OutboxItem, page string) []store.OutboxItem {
	t.Helper()
	var out []store.OutboxItem
	for _, it := range items {
		if it.ConvKey.PageID != page {
			continue
		}
		got, err := st.Item(context.Background(), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got)
	}
	return out
}

func countState(items []store.OutboxItem, s store.OutboxState) int {
	n := 0
	for _, it := range items {
		if it.State == s {
			n++
		}
	}
	return n
}

// TestDispatcherRoutesEachPageWithItsToken: a mixed queue goes out with
// each Page's own token (the emulator refuses a token on another Page's
// customers, so a wrong route would fail), and the items of a Page
// without a token wait in the queue, held with a reason, holding up no
// other Page.
func TestDispatcherRoutesEachPageWithItsToken(t *testing.T) {
	const n = 8
	w, items := twoPageWorld(t, n)
	d := fbgraph.NewDispatcher(w.st, w.pages(pageBToken), fbgraph.DispatcherOptions{Concurrency: 3, Now: w.clock.Now})
	run(t, d, func() bool {
		return countState(itemsOf(t, w.st, items, pageB), store.OutboxSent) == n &&
			countState(itemsOf(t, w.st, items, w.page), store.OutboxSent) == n && d.Held()[pageC] != ""
	})
	for _, page := range []string{w.page, pageB} {
		for _, m := range w.srv.SentFrom(page) {
			if !strings.HasPrefix(m.Text, "hello "+page+"/") {
				t.Errorf("Page %s sent %q", page, m.Text)
			}
		}
	}
	if got := len(w.srv.SentFrom(pageB)); got != n {
		t.Errorf("Page B sent %d, want %d", got, n)
	}
	// Every C item waits; the one that was tried says why (the others
	// were never claimed: the hold and its reason are in Blocked).
	reasons := 0
	for _, it := range itemsOf(t, w.st, items, pageC) {
		if it.State != store.OutboxQueued {
			t.Errorf("Page C item: %s %q, want queued", it.State, it.Reason)
		}
		if strings.Contains(it.Reason, "no token for Page "+pageC) {
			reasons++
		}
	}
	if reasons == 0 {
		t.Error("no Page C item says it waits for its token")
	}
	if !strings.Contains(d.Blocked(), pageC) {
		t.Errorf("Blocked() = %q, want Page C named", d.Blocked())
	}
}

// TestDispatcherWrongTokenIsRefused: were Page B's items sent with Page
// A's token, the emulator would refuse them (no matching user): the
// routing is what makes them go.
func TestDispatcherWrongTokenIsRefused(t *testing.T) {
	const n = 3
	w, items := twoPageWorld(t, n)
	d := fbgraph.NewDispatcher(w.st, w.pages(token), fbgraph.DispatcherOptions{Concurrency: 2, Now: w.clock.Now})
	run(t, d, func() bool { return countState(itemsOf(t, w.st, items, pageB), store.OutboxFailed) == n })
	if got := w.srv.SentFrom(pageB); len(got) != 0 {
		t.Errorf("Page B sent %d with A's token", len(got))
	}
	if it := itemsOf(t, w.st, items, pageB)[0]; it.ErrorKind != fbgraph.ClassNoSuchUser.String() {
		t.Errorf("error kind %q, want %s", it.ErrorKind, fbgraph.ClassNoSuchUser)
	}
}

// TestDispatcherRefusedTokenHoldsOnlyItsPage: Page B's token is refused
// (190): B's sends wait, A's all go.
func TestDispatcherRefusedTokenHoldsOnlyItsPage(t *testing.T) {
	const n = 6
	w, items := twoPageWorld(t, n)
	d := fbgraph.NewDispatcher(w.st, w.pages("revoked-token"), fbgraph.DispatcherOptions{Concurrency: 3, Now: w.clock.Now})
	run(t, d, func() bool {
		return countState(itemsOf(t, w.st, items, w.page), store.OutboxSent) == n && d.Held()[pageB] != ""
	})
	if got := countState(itemsOf(t, w.st, items, pageB), store.OutboxQueued); got != n {
		t.Errorf("Page B: %d queued, want all %d", got, n)
	}
	if why := d.Held()[pageB]; !strings.Contains(why, "invalid or expired") {
		t.Errorf("Page B held for %q", why)
	}
	bCalls := 0
	for _, r := range w.srv.Requests() {
		if strings.Contains(r.Header.Get("Authorization"), "revoked-token") {
			bCalls++
		}
	}
	if bCalls > 3 { // at most the sends in flight when the first refusal came
		t.Errorf("%d calls with B's refused token", bCalls)
	}
}

// TestDispatcherHeldPageResumes: a Page held for its refused token
// resumes by itself once ProbePage finds a working token (a reconnected
// Page), and its held items then go out.
func TestDispatcherHeldPageResumes(t *testing.T) {
	const n = 3
	w, items := twoPageWorld(t, n)
	pages := w.pages("revoked-token")
	probe := func(ctx context.Context, pageID string) error {
		c, err := pages.For(pageID)
		if err == nil {
			_, err = c.Me(ctx)
		}
		return err
	}
	d := fbgraph.NewDispatcher(w.st, pages, fbgraph.DispatcherOptions{Concurrency: 2, Now: w.clock.Now,
		ProbePage: probe, ProbeEvery: 10 * time.Millisecond})
	reconnected := false
	run(t, d, func() bool {
		if !reconnected && d.Held()[pageB] != "" {
			pages.Add(pageB, fbgraph.New(fbgraph.Options{BaseURL: w.srv.URL(), PageToken: pageBToken}))
			reconnected = true
		}
		return countState(itemsOf(t, w.st, items, pageB), store.OutboxSent) == n
	})
	if !reconnected || len(w.srv.SentFrom(pageB)) != n || d.Held()[pageB] != "" {
		t.Errorf("reconnected %v, B sent %d, held %q", reconnected, len(w.srv.SentFrom(pageB)), d.Held()[pageB])
	}
}

// TestPagesFor: a Page's own client; a lone token (Page not named) for
// any Page; "" for the only one; else NoPageTokenError.
func TestPagesFor(t *testing.T) {
	a, b := fbgraph.New(fbgraph.Options{}), fbgraph.New(fbgraph.Options{})
	p := fbgraph.NewPages()
	p.Add("1", a)
	if c, err := p.For(""); c != a || err != nil {
		t.Errorf(`For("") with one Page = %v, %v`, c, err)
	}
	p.Add("2", b)
	if c, err := p.For("2"); c != b || err != nil {
		t.Errorf(`For("2") = %v, %v`, c, err)
	}
	_, err := p.For("3")
	var nt *fbgraph.NoPageTokenError
	if !errors.As(err, &nt) || nt.PageID != "3" || !errors.Is(err, fbgraph.ErrNoPageToken) {
		t.Errorf(`For("3") = %v, want NoPageTokenError`, err)
	}
	if _, err := p.For(""); err == nil {
		t.Error(`For("") with two Pages chose one`)
	}
	// A lone token (its Page not named) serves every Page alone, but
	// beside named Pages none but its own.
	lone := fbgraph.New(fbgraph.Options{})
	only := fbgraph.NewPages()
	only.Add("", lone)
	if c, err := only.For("3"); c != lone || err != nil {
		t.Errorf(`For("3") with a lone token only = %v, %v`, c, err)
	}
	p.Add("", lone)
	if _, err := p.For("3"); !errors.Is(err, fbgraph.ErrNoPageToken) {
		t.Errorf(`For("3") beside named Pages = %v, want no token`, err)
	}
}

// TestPagesNameLone: the lone token is filed under the Page /me names.
func TestPagesNameLone(t *testing.T) {
	srv := fbtest.NewServer(fbtest.Config{Pages: []fbtest.Page{{ID: pageB, Token: pageBToken}}})
	t.Cleanup(srv.Close)
	p := fbgraph.NewPages()
	p.Add(srv.PageID(), fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), PageToken: fbtest.DefaultPageToken}))
	lone := fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), PageToken: pageBToken})
	p.Add("", lone)
	if err := p.NameLone(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c, err := p.For(pageB); c != lone || err != nil {
		t.Errorf("For(B) = %v, %v; want the lone token", c, err)
	}
}
