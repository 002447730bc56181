package store

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Filter names a conversation filter: on the wire, on the command line and
// in the counts bucket.
type Filter string

const (
	FilterAll    Filter = "all"
	FilterUnread Filter = "unread"
	FilterWindow Filter = "window" // inside the 24 h window
	FilterDone   Filter = "done"
)

// FilterDef is one conversation filter: its name, how the TUI shows it,
// which conversations it holds, and where the store finds them.
type FilterDef struct {
	ID    Filter
	Label string // the TUI's tab, and (in lower case) its key's help
	Short string // the tab when the line is narrow

	// Match reports whether a listed conversation belongs in the filter at
	// now. For an indexed filter it must not depend on now: its index is
	// kept when a conversation is written, not when it is read.
	Match func(c *Conversation, now time.Time) bool

	// KeepsSelected keeps the conversation under the TUI's cursor in the
	// list after it stops matching: opening an unread conversation reads
	// it, and it must not vanish from under the cursor.
	KeepsSelected bool

	// index is the act_* bucket the listing walks (keys.go). When indexed,
	// it holds exactly the listed conversations that Match, its count is in
	// the counts bucket, and reading it decodes no record. Otherwise it
	// holds more, and each row is read and matched.
	index   []byte
	indexed bool
	// since, if set, bounds the filter: nothing last active before
	// since(now) matches, so a walk stops there.
	since func(now time.Time) time.Time
	// count is the filter's field in Counts.
	count func(*Counts) *int
}

// Filters is every conversation filter, in the order of the TUI's tabs.
// The list, select-all, search and counts, the TUI's tabs and keys, and
// the command line all read it; nothing changes it (the writer's indexes
// are derived from it once, at start). A new filter is an entry here and a field
// in Counts; if its Match does not depend on the time, also an act_*
// bucket (keys.go, allBuckets) and a migration that fills it and counts it
// (see rebuildCounts).
var Filters = []FilterDef{
	{ID: FilterAll, Label: "All", Short: "All", index: bActAll, indexed: true,
		Match: func(*Conversation, time.Time) bool { return true },
		count: func(c *Counts) *int { return &c.All }},
	{ID: FilterUnread, Label: "Unread", Short: "Unread", index: bActUnread, indexed: true, KeepsSelected: true,
		Match: func(c *Conversation, _ time.Time) bool { return c.Unread > 0 },
		count: func(c *Counts) *int { return &c.Unread }},
	// The activity of a conversation is never older than its last inbound
	// message, so the window filter reads act_all down to 24 h ago.
	{ID: FilterWindow, Label: "Window open", Short: "Open", index: bActAll,
		Match: func(c *Conversation, now time.Time) bool {
			return WindowAt(c.LastInboundTime, now).State == WindowOpen
		},
		since: func(now time.Time) time.Time { return now.Add(-ResponseWindow) },
		count: func(c *Counts) *int { return &c.Window }},
	{ID: FilterDone, Label: "Done", Short: "Done", index: bActDone, indexed: true,
		Match: func(c *Conversation, _ time.Time) bool { return c.Status == ConvDone },
		count: func(c *Counts) *int { return &c.Done }},
}

// The states open and snoozed are indexed filters too, but not tabs of
// the TUI (done is): conversations --state reads them.
const (
	FilterOpen    Filter = "open"
	FilterSnoozed Filter = "snoozed"
)

var stateFilters = []FilterDef{
	{ID: FilterOpen, Label: "Open", Short: "Open", index: bActOpen, indexed: true,
		Match: func(c *Conversation, _ time.Time) bool { return c.Status == ConvOpen }},
	{ID: FilterSnoozed, Label: "Snoozed", Short: "Snoozed", index: bActSnoozed, indexed: true,
		Match: func(c *Conversation, _ time.Time) bool { return c.Status == ConvSnoozed }},
}

// LookupFilter finds a filter by its name; "" is FilterAll.
func LookupFilter(f Filter) (*FilterDef, error) {
	if f == "" {
		f = FilterAll
	}
	for _, table := range [][]FilterDef{Filters, stateFilters} {
		for i := range table {
			if table[i].ID == f {
				return &table[i], nil
			}
		}
	}
	return nil, invalidf("filter %q (one of %s)", f, strings.Join(FilterNames(), ", "))
}

// FilterNames lists the filters' names in table order.
func FilterNames() []string {
	names := make([]string, len(Filters))
	for i, f := range Filters {
		names[i] = string(f.ID)
	}
	return names
}

// Of is the count of filter f (0 for a filter it does not know).
func (c Counts) Of(f Filter) int {
	def, err := LookupFilter(f)
	if err != nil {
		return 0
	}
	if def.count == nil {
		return 0
	}
	return *def.count(&c)
}

// walk calls fn with f's conversations at now, newest activity first,
// starting just before the act_* key start (nil: the newest): each row's
// act_* key, the conversation's convs key, and its record when walk read it
// to match it (else nil). fn returns false to stop.
func (f *FilterDef) walk(ctx context.Context, tx *bolt.Tx, start []byte, now time.Time,
	fn func(k, convKey []byte, rec *convRecord) (bool, error)) error {
	convs := tx.Bucket(bConvs)
	return walkRows(ctx, tx, f.index, nil, start, f.floor(now), func(k, ck []byte) (bool, error) {
		if f.indexed {
			return fn(k, ck, nil)
		}
		rec := &convRecord{}
		if _, err := getConv(convs, ck, rec); err != nil {
			return false, err
		}
		if !f.Match(&rec.Conversation, now) {
			return true, nil
		}
		return fn(k, ck, rec)
	})
}

// floor is the act_* key below which nothing matches f at now (nil: no bound).
func (f *FilterDef) floor(now time.Time) []byte {
	if f.since == nil {
		return nil
	}
	return actKey(f.since(now), 0)
}

// walkRows calls fn with the rows of an act_* bucket under prefix, newest
// first, from just before the key start (nil: the newest under prefix)
// down to the activity floor (nil: to the end): each row's act_* key
// without the prefix, and its conversation's convs key. Rows whose
// conversation is gone are skipped. fn returns false to stop.
func walkRows(ctx context.Context, tx *bolt.Tx, bucket, prefix, start, floor []byte,
	fn func(k, convKey []byte) (bool, error)) error {
	c := tx.Bucket(bucket).Cursor()
	ids := tx.Bucket(bConvIDs)
	i := 0
	for k := seekBefore(c, prefix, start); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if i++; i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		k = k[len(prefix):]
		if floor != nil && bytes.Compare(k, floor) < 0 {
			return nil
		}
		ck := ids.Get(actKeyCID(k))
		if ck == nil {
			continue
		}
		if more, err := fn(k, ck); err != nil || !more {
			return err
		}
	}
	return nil
}

// index is an indexed filter as the writer keeps it (reindex).
type index struct {
	bucket []byte
	count  []byte
	in     func(*convRecord) bool
}

var indexes = indexesOf(slices.Concat(Filters, stateFilters))

func indexesOf(filters []FilterDef) []index {
	var out []index
	for _, f := range filters {
		if !f.indexed {
			continue
		}
		match := f.Match
		out = append(out, index{bucket: f.index, count: countKey(f.ID),
			in: func(r *convRecord) bool { return r.listed() && match(&r.Conversation, time.Time{}) }})
	}
	return out
}
