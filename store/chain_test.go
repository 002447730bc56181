package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Messages arrive in any order (echoes overtaken by replies, history
// synced newest first, redelivered batches); a thread always reads in time
// order, messages of the same time in arrival order, whole and page by
// page, and the chains stay whole (the cleanup's Check walks them).
func TestThreadOrderWhateverTheArrivalOrder(t *testing.T) {
	c := newClock(at(24 * time.Hour))
	s, _ := openStore(t, c)
	rng := rand.New(rand.NewPCG(1, 2))
	type sent struct {
		mid string
		at  time.Time
	}
	var arrived []sent
	for _, minute := range rng.Perm(40) {
		// Pairs share a time: 0,0,1,1,...
		arrived = append(arrived, sent{fmt.Sprintf("m%02d", minute), at(time.Duration(minute/2) * time.Minute)})
	}
	// Newest first (a history sync), then shuffled, some in one batch.
	for i := 39; i >= 30; i-- {
		mustIngest(t, s, msg("u1", arrived[i].mid, "t", arrived[i].at))
	}
	for i := 0; i < 20; i++ {
		mustIngest(t, s, msg("u1", arrived[i].mid, "t", arrived[i].at), msg("u2", "u2"+arrived[i].mid, "t", arrived[i].at))
	}
	var batch []store.Event
	for i := 20; i < 30; i++ {
		batch = append(batch, msg("u1", arrived[i].mid, "t", arrived[i].at))
	}
	mustIngest(t, s, batch...)

	order := append([]sent{}, arrived[30:]...)
	slices.Reverse(order)
	order = append(order, arrived[:30]...) // arrival order
	want := slices.Clone(order)
	slices.SortStableFunc(want, func(a, b sent) int { return a.at.Compare(b.at) })
	var wantMIDs []string
	for _, m := range want {
		wantMIDs = append(wantMIDs, m.mid)
	}

	mids := func(msgs []store.Message) []string {
		var out []string
		for _, m := range msgs {
			out = append(out, m.MID)
		}
		return out
	}
	if got := mids(thread(t, s, "u1")); !slices.Equal(got, wantMIDs) {
		t.Errorf("thread:\n got %v\nwant %v", got, wantMIDs)
	}
	var paged []store.Message
	for before := store.Cursor(""); ; {
		p, err := s.Thread(ctx(), key("u1"), before, 7)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(p.Messages, paged...)
		if before = p.Before; before == "" {
			break
		}
	}
	if got := mids(paged); !slices.Equal(got, wantMIDs) {
		t.Errorf("paged by 7:\n got %v\nwant %v", got, wantMIDs)
	}
	var each []store.Message
	s.EachMessage(ctx(), func(m store.Message) error {
		if m.PSID == "u1" {
			each = append(each, m)
		}
		return nil
	})
	if got := mids(each); !slices.Equal(got, wantMIDs) {
		t.Errorf("EachMessage:\n got %v\nwant %v", got, wantMIDs)
	}
	if n := len(thread(t, s, "u2")); n != 20 {
		t.Errorf("u2 has %d messages, want 20", n)
	}
	// A cursor of one thread is refused in another.
	p, _ := s.Thread(ctx(), key("u1"), "", 3)
	if _, err := s.Thread(ctx(), key("u2"), p.Before, 3); err == nil {
		t.Error("u1's cursor read u2's thread")
	}
}
