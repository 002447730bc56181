package store_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

const page2 = "PAGE2"

// twoPages fills a store with 24 conversations alternating between two
// Pages, read, done, assigned and labelled in patterns that differ, some
// inside the 24 h window; one is forgotten, so its counts must drop.
func twoPages(t *testing.T) (*store.Store, *clock) {
	t.Helper()
	c := newClock(at(100 * time.Hour))
	s, _ := openStore(t, c)
	if err := s.PutPage(ctx(), store.Page{ID: page2, Name: "Second shop"}); err != nil {
		t.Fatal(err)
	}
	for i := range 24 {
		k := store.ConvKey{PageID: []string{page, page2}[i%2], PSID: fmt.Sprintf("u%02d", i)}
		ev := msg(k.PSID, "m"+k.PSID, "hello "+k.PSID, at(time.Duration(i)*4*time.Hour+time.Minute))
		ev.PageID = k.PageID
		mustIngest(t, s, ev)
		steps := []struct {
			on bool
			do func() error
		}{
			{i%3 == 0, func() error { _, err := s.MarkRead(ctx(), k); return err }},
			{i%5 == 0, func() error { _, err := s.SetStatus(ctx(), k, store.ConvDone); return err }},
			{i%4 == 1, func() error { _, err := s.Assign(ctx(), k, "ana"); return err }},
			{i%7 < 3, func() error { _, err := s.SetLabels(ctx(), k, []string{"vip"}); return err }},
		}
		for _, st := range steps {
			if st.on {
				if err := st.do(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := s.Forget(ctx(), page2, "u23", lineScrub{"u23"}); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// PageID narrows every way of reading the list (paged, select-all,
// search, counts) with every filter and team narrowing, and agrees with
// the records checked one at a time.
func TestPageIDNarrowsEveryListing(t *testing.T) {
	s, c := twoPages(t)
	var every []store.Conversation
	if err := s.EachConversation(ctx(), func(cv store.Conversation) error { every = append(every, cv); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(every, func(a, b store.Conversation) int { return b.LastActivity.Compare(a.LastActivity) })
	teams := map[string]store.ListQuery{
		"everyone": {}, "mine": {Assignee: "ana"}, "unassigned": {Unassigned: true}, "label": {Label: "vip"},
	}
	for _, pg := range []string{page, page2} {
		counts, err := s.PageCounts(ctx(), pg)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range store.Filters {
			for name, team := range teams {
				q := team
				q.Filter, q.PageID = f.ID, pg
				var want []string
				for _, cv := range every {
					if cv.PageID == pg && f.Match(&cv, c.Now()) && (q.Assignee == "" || cv.Assignee == q.Assignee) &&
						(!q.Unassigned || cv.Assignee == "") && (q.Label == "" || cv.Labels.Has(q.Label)) {
						want = append(want, cv.PSID)
					}
				}
				if len(want) == 0 && name == "everyone" {
					t.Fatalf("%s %s is empty: the fixture does not test it", pg, f.ID)
				}
				got := map[string][]string{"paged": pagedQuery(t, s, q, 2), "selected": selectedQuery(t, s, q), "searched": searchedQuery(t, s, q)}
				for way, g := range got {
					if fmt.Sprint(g) != fmt.Sprint(want) {
						t.Errorf("%s %s %s %s = %v, want %v", pg, f.ID, name, way, g, want)
					}
				}
				if name == "everyone" && counts.Of(f.ID) != len(want) {
					t.Errorf("PageCounts(%s).Of(%s) = %d, want %d", pg, f.ID, counts.Of(f.ID), len(want))
				}
			}
		}
	}
	all, _ := s.AllCounts(ctx())
	a, _ := s.PageCounts(ctx(), page)
	b, _ := s.PageCounts(ctx(), page2)
	if a.All+b.All != all.All || a.All != 12 || b.All != 11 {
		t.Errorf("page counts %d + %d, all %d; want 12 + 11 = 23", a.All, b.All, all.All)
	}
	if n, _ := s.PageCounts(ctx(), "NOPAGE"); n != (store.Counts{}) {
		t.Errorf("an unknown Page counts %+v", n)
	}
}

// A search narrowed to a Page finds only that Page's matches.
func TestPageIDNarrowsSearchText(t *testing.T) {
	s, _ := twoPages(t)
	q := store.ListQuery{Search: "hello u0", PageID: page2}
	if got := searchedQuery(t, s, q); !slices.Equal(got, []string{"u09", "u07", "u05", "u03", "u01"}) {
		t.Errorf("search in %s = %v", page2, got)
	}
}

func pagedQuery(t *testing.T, s *store.Store, q store.ListQuery, limit int) []string {
	t.Helper()
	var out []string
	q.Limit = limit
	for {
		p, err := s.List(ctx(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Conversations {
			out = append(out, c.PSID)
		}
		if q.After = p.Next; q.After == "" {
			return out
		}
	}
}

func selectedQuery(t *testing.T, s *store.Store, q store.ListQuery) []string {
	t.Helper()
	keys, err := s.ConversationKeys(ctx(), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		out = append(out, k.PSID)
	}
	return out
}

func searchedQuery(t *testing.T, s *store.Store, q store.ListQuery) []string {
	t.Helper()
	convs, err := s.SearchQuery(ctx(), q, math.MaxInt)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range convs {
		out = append(out, c.PSID)
	}
	return out
}

// A file from before per-Page indexes (the schema-4 fixture, migrated
// through schema 5) lists and counts its Page by PageID, and keeps the
// index as conversations change.
func TestMigrateFillsPageIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	unzip(t, "testdata/schema4.db.gz", path)
	s := reopen(t, path, newClock(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)))
	if got := listKeys(t, s, store.ListQuery{PageID: "100"}); !slices.Equal(got, []string{"u3", "u2", "u1"}) {
		t.Errorf("page 100 = %v", got)
	}
	if got := listKeys(t, s, store.ListQuery{PageID: "100", Filter: store.FilterDone}); !slices.Equal(got, []string{"u2"}) {
		t.Errorf("page 100 done = %v", got)
	}
	n, err := s.PageCounts(ctx(), "100")
	if err != nil || n.All != 3 || n.Done != 1 {
		t.Errorf("page 100 counts = %+v %v", n, err)
	}
	if _, err := s.SetStatus(ctx(), store.ConvKey{PageID: "100", PSID: "u1"}, store.ConvDone); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PageCounts(ctx(), "100"); n.Done != 2 {
		t.Errorf("page 100 done after closing u1 = %d", n.Done)
	}
}

// A file written by the schema-5 code with two Pages
// (testdata/schema5-two-pages.db.gz, made by schema5-two-pages.go.txt at
// commit aa7b350) gets its per-Page rows and counts on Open: every filter
// narrowed to a Page lists and counts what the whole list holds of it.
func TestMigrateSchema5TwoPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	unzip(t, "testdata/schema5-two-pages.db.gz", path)
	s := reopen(t, path, newClock(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)))
	filters := []store.Filter{store.FilterAll, store.FilterUnread, store.FilterWindow, store.FilterDone, store.FilterOpen, store.FilterSnoozed}
	for _, pg := range []string{"100", "200"} {
		counts, err := s.PageCounts(ctx(), pg)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range filters {
			var want []string
			p, err := s.List(ctx(), store.ListQuery{Filter: f, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Conversations {
				if c.PageID == pg {
					want = append(want, c.PSID)
				}
			}
			if got := listKeys(t, s, store.ListQuery{Filter: f, PageID: pg}); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("page %s %s = %v, want %v", pg, f, got, want)
			}
			if f != store.FilterOpen && f != store.FilterSnoozed && counts.Of(f) != len(want) {
				t.Errorf("page %s count %s = %d, want %d", pg, f, counts.Of(f), len(want))
			}
		}
	}
	for _, c := range []struct {
		q    store.ListQuery
		want []string
	}{
		{store.ListQuery{PageID: "100"}, []string{"u6", "u4", "u2"}},
		{store.ListQuery{PageID: "200"}, []string{"u5", "u3", "u1"}},
		{store.ListQuery{PageID: "100", Filter: store.FilterSnoozed}, []string{"u2"}},
		{store.ListQuery{PageID: "200", Filter: store.FilterDone}, []string{"u3"}},
		{store.ListQuery{PageID: "100", Assignee: "ana"}, []string{"u4"}},
		{store.ListQuery{PageID: "200", Label: "vip"}, []string{"u5"}},
		{store.ListQuery{PageID: "100", Label: "vip"}, nil},
	} {
		if got := listKeys(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v = %v, want %v", c.q, got, c.want)
		}
	}
}

// A Page id with a NUL byte cannot be a key part: every way of reading
// refuses it as invalid input rather than reading into other keys.
func TestPageIDWithNULIsRefused(t *testing.T) {
	s, _ := twoPages(t)
	bad := page + "\x00"
	q := store.ListQuery{PageID: bad}
	if _, err := s.List(ctx(), q); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("list: %v, want invalid", err)
	}
	if _, err := s.ConversationKeys(ctx(), q); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("select all: %v, want invalid", err)
	}
	q.Search = "hello"
	if _, err := s.List(ctx(), q); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("search: %v, want invalid", err)
	}
	if _, err := s.PageCounts(ctx(), bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("counts: %v, want invalid", err)
	}
}
