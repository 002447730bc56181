package store_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Every filter of the table holds the same conversations whichever way it
// is read: paged, selected whole, searched, counted one by one and all
// together, and checked against its Match one record at a time.
func TestFiltersAgreeEverywhere(t *testing.T) {
	c := newClock(at(100 * time.Hour))
	s, _ := openStore(t, c)
	// u00..u19 last wrote at 0h, 5h, ... 95h: the last five are inside the
	// window at 100h. Every third is read, every fourth done.
	for i := 0; i < 20; i++ {
		psid := fmt.Sprintf("u%02d", i)
		mustIngest(t, s, msg(psid, "m"+psid, "hi", at(time.Duration(i)*5*time.Hour)))
		if i%3 == 0 {
			if _, err := s.MarkRead(ctx(), key(psid)); err != nil {
				t.Fatal(err)
			}
		}
		if i%4 == 0 {
			if _, err := s.SetStatus(ctx(), key(psid), store.ConvDone); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Active lately, but only the Page wrote: its window is closed.
	mustIngest(t, s, echo("u02", "e02", "still there?", at(98*time.Hour)))
	// Seen only through a read receipt: not listed anywhere.
	mustIngest(t, s, store.Event{Kind: store.EventRead, PageID: page, PSID: "ghost", Watermark: at(99 * time.Hour)})

	var every []store.Conversation
	if err := s.EachConversation(ctx(), func(c store.Conversation) error { every = append(every, c); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(every, func(a, b store.Conversation) int { return b.LastActivity.Compare(a.LastActivity) })
	counts, err := s.AllCounts(ctx())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range store.Filters {
		var want []string
		for _, cv := range every {
			if f.Match(&cv, c.Now()) {
				want = append(want, cv.PSID)
			}
		}
		if len(want) == 0 || len(want) == len(every) && f.ID != store.FilterAll || seen[fmt.Sprint(want)] {
			t.Fatalf("filter %s holds %v: the fixture does not tell it apart", f.ID, want)
		}
		seen[fmt.Sprint(want)] = true
		ways := map[string][]string{
			"paged":    pagedPSIDs(t, s, f.ID, 2),
			"selected": selectedPSIDs(t, s, f.ID),
			"searched": searchedPSIDs(t, s, f.ID),
		}
		for way, got := range ways {
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s %s = %v, want %v", f.ID, way, got, want)
			}
		}
		if n, err := s.Count(ctx(), f.ID); err != nil || n != len(want) {
			t.Errorf("count %s = %d %v, want %d", f.ID, n, err, len(want))
		}
		if n := counts.Of(f.ID); n != len(want) {
			t.Errorf("AllCounts.Of(%s) = %d, want %d", f.ID, n, len(want))
		}
	}
	if f, err := store.LookupFilter(""); err != nil || f.ID != store.FilterAll {
		t.Errorf(`filter "" = %v %v, want all`, f, err)
	}
	for what, err := range map[string]error{
		"lookup": func() error { _, err := store.LookupFilter("bogus"); return err }(),
		"list":   func() error { _, err := s.Conversations(ctx(), "bogus", "", 5); return err }(),
		"count":  func() error { _, err := s.Count(ctx(), "bogus"); return err }(),
		"search": func() error { _, err := s.Search(ctx(), "bogus", "u", 5); return err }(),
	} {
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s with an unknown filter: %v, want ErrInvalid", what, err)
		}
	}
}

func pagedPSIDs(t *testing.T, s *store.Store, f store.Filter, limit int) []string {
	t.Helper()
	var out []string
	var after store.Cursor
	for {
		p, err := s.Conversations(ctx(), f, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Conversations {
			out = append(out, c.PSID)
		}
		if after = p.Next; after == "" {
			return out
		}
	}
}

func selectedPSIDs(t *testing.T, s *store.Store, f store.Filter) []string {
	t.Helper()
	return selectedQuery(t, s, store.ListQuery{Filter: f})
}

func searchedPSIDs(t *testing.T, s *store.Store, f store.Filter) []string {
	t.Helper()
	convs, err := s.Search(ctx(), f, "", math.MaxInt)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range convs {
		out = append(out, c.PSID)
	}
	return out
}
