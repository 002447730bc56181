package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// A search and "select all" keep to the assignee, the unassigned or the
// label the list is narrowed to.
func TestSearchAndSelectAllHonourTeamNarrowing(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	for i, p := range []string{"u1", "u2", "u3"} {
		mustIngest(t, s, msg(p, "m"+p, "where is my order", at(time.Duration(i)*time.Minute)))
	}
	if _, err := s.Assign(ctx(), key("u1"), "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetLabels(ctx(), key("u3"), []string{"wholesale"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    store.ListQuery
		want []string
	}{
		{store.ListQuery{Search: "order"}, []string{"u3", "u2", "u1"}},
		{store.ListQuery{Search: "order", Assignee: "ana"}, []string{"u1"}},
		{store.ListQuery{Search: "order", Unassigned: true}, []string{"u3", "u2"}},
		{store.ListQuery{Search: "order", Label: "wholesale"}, []string{"u3"}},
	} {
		if got := listKeys(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("search %+v = %v, want %v", c.q, got, c.want)
		}
		for _, q := range []store.ListQuery{c.q, {Assignee: c.q.Assignee, Unassigned: c.q.Unassigned, Label: c.q.Label}} {
			keys, err := s.ConversationKeys(ctx(), q)
			var got []string
			for _, k := range keys {
				got = append(got, k.PSID)
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("select all %+v = %v %v, want %v", q, got, err, c.want)
			}
		}
	}
}
