package store_test

// Benchmarks for the store. They only run with -bench; a plain
// `go test ./...` (with or without -race) never builds the big fixture.
//
//	go test ./store -run '^$' -bench . -benchtime 2000x
//
// The 1k- and 100k-conversation fixtures come from package storetest: built
// once and cached under os.TempDir()/pageinbox-bench-<version>-schema<N>/,
// reused by later runs (and by the tui's benchmarks) while the version
// matches; delete the directory or set PAGEINBOX_BENCH_REBUILD=1 to rebuild
// them. Every name here starts with "bench" so that it cannot clash with the
// unit tests' helpers in the same package.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/store/storetest"
)

const (
	benchWriters = 64 // concurrent Ingest callers in BenchmarkIngestConcurrent64
	benchPSIDs   = 1000
)

// --- BenchmarkIngestConcurrent64 ---

// BenchmarkIngestConcurrent64 has exactly 64 goroutines (whatever -cpu is)
// share b.N single-event Ingest calls on a durable (fsync) store, and
// compares group commit with one transaction per call.
func BenchmarkIngestConcurrent64(b *testing.B) {
	modes := []struct {
		name string
		mode store.CommitMode
	}{{"group", store.GroupCommit}, {"each", store.CommitEach}}
	// -cpu and -count repeat each leaf in place (all group runs come before
	// all each runs), so the ratio pairs every each run with the median
	// group run at the same GOMAXPROCS.
	group := map[int][]float64{}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			rate := benchIngestConcurrent(b, store.Options{CommitMode: m.mode}, benchWriters)
			if b.N == 1 {
				return // the framework's probe run
			}
			procs := runtime.GOMAXPROCS(0)
			if m.name == "group" {
				group[procs] = append(group[procs], rate)
				return
			}
			// Logged from a leaf: a parent benchmark's log only shows with -v.
			if g := benchMedian(group[procs]); g > 0 {
				b.Logf("%d writers, durable, GOMAXPROCS=%d: group %.0f events/s (median of %d runs), each %.0f events/s: group/each = %.1fx",
					benchWriters, procs, g, len(group[procs]), rate, g/rate)
			}
		})
	}
}

func benchMedian(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// benchIngestConcurrent runs b.N one-event Ingest calls from writers
// goroutines and returns the events per second it measured.
func benchIngestConcurrent(b *testing.B, opts store.Options, writers int) float64 {
	bctx := context.Background()
	s := benchOpenEmpty(b, opts)
	defer s.Close()
	// Create the conversations first: the timed part appends to threads
	// that exist, the steady state of a live inbox.
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	seed := make([]store.Event, benchPSIDs)
	for i := range seed {
		seed[i] = benchInbound(i, fmt.Sprintf("seed.%d", i), base)
	}
	if err := s.Ingest(bctx, seed); err != nil {
		b.Fatal(err)
	}

	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := make([]store.Event, 1)
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				ev[0] = benchInbound(i%benchPSIDs, "bench."+strconv.Itoa(i), base.Add(time.Duration(i)*time.Microsecond))
				if err := s.Ingest(bctx, ev); err != nil {
					failed.Store(true)
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "events/s")
	return rate
}

func benchInbound(psid int, mid string, t time.Time) store.Event {
	return store.Event{Kind: store.EventMessage, PageID: storetest.PageID, PSID: storetest.PSID(psid), MID: mid,
		Text: "Hi! Is the blue one still available in size M?", Time: t}
}

// benchOpenEmpty opens a new store in b's temp dir with the page registered.
func benchOpenEmpty(b *testing.B, opts store.Options) *store.Store {
	b.Helper()
	s, err := store.Open(filepath.Join(b.TempDir(), "inbox.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.PutPage(context.Background(), store.Page{ID: storetest.PageID, Name: "Bench shop"}); err != nil {
		s.Close()
		b.Fatal(err)
	}
	return s
}

// --- BenchmarkFeedPublish ---

// BenchmarkFeedPublish ingests one event per call (NoSync, so the cost of
// the feed is not hidden under fsync) with 0, 1 and 8 subscribers reading
// the feed, and with one subscriber that never reads.
func BenchmarkFeedPublish(b *testing.B) {
	cases := []struct {
		name           string
		readers, stuck int
	}{{"subs=0", 0, 0}, {"subs=1", 1, 0}, {"subs=8", 8, 0}, {"stalled=1", 0, 1}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			bctx := context.Background()
			s := benchOpenEmpty(b, store.Options{NoSync: true})
			defer s.Close()
			var wg sync.WaitGroup
			var got atomic.Int64
			var subs []*store.Subscription
			for i := 0; i < c.readers+c.stuck; i++ {
				sub := s.Subscribe(256)
				subs = append(subs, sub)
				if i >= c.readers {
					continue // never read: the publisher must not wait for it
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range sub.C {
						got.Add(1)
					}
				}()
			}
			base := time.Now().Add(-time.Hour)
			ev := make([]store.Event, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ev[0] = benchInbound(i%benchPSIDs, "feed."+strconv.Itoa(i), base.Add(time.Duration(i)*time.Microsecond))
				if err := s.Ingest(bctx, ev); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			for _, sub := range subs {
				sub.Close()
			}
			wg.Wait()
			if c.readers > 0 && got.Load() == 0 {
				b.Fatal("subscribers received nothing")
			}
		})
	}
}

// --- fixtures for the read benchmarks (built by storetest) ---

// benchOpenFixture opens f's file the normal way (durable, default
// options) with the fixed clock.
func benchOpenFixture(b *testing.B, f *storetest.Fixture) *store.Store {
	b.Helper()
	s, err := store.Open(f.Path(b), store.Options{Now: storetest.Clock})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchDescribe says how the fixture came about, for the benchmark log.
func benchDescribe(f *storetest.Fixture) string {
	fa := f.Facts()
	how := fmt.Sprintf("built in %v (%d MB)", fa.BuildTime.Round(time.Millisecond), fa.FileMB())
	if fa.Reused {
		how = "reused, " + fa.BuiltBefore
	}
	return fmt.Sprintf("fixture %s: %s, %s; %s", f.Name, fa.Path, how, fa.Summary())
}

// --- BenchmarkListFirstScreen ---

// BenchmarkListFirstScreen reads the first 50 rows of the inbox under each
// filter, on a 1k- and a 100k-conversation file: the cost must not depend
// on the size of the file. all/page20 starts 1000 rows deep from a cursor.
func BenchmarkListFirstScreen(b *testing.B) {
	for _, sp := range []*storetest.Fixture{storetest.Small, storetest.Large} {
		b.Run(sp.Name, func(b *testing.B) {
			s := benchOpenFixture(b, sp)
			defer s.Close()
			bctx := context.Background()
			for _, f := range []store.Filter{store.FilterAll, store.FilterUnread, store.FilterWindow} {
				b.Run(string(f), func(b *testing.B) {
					if f == store.FilterAll {
						b.Log(benchDescribe(sp)) // once per run, from a leaf so it shows without -v
					}
					benchList(b, s, f, "")
				})
			}
			var cur store.Cursor
			for i := 0; i < 20; i++ {
				p, err := s.Conversations(bctx, store.FilterAll, cur, 50)
				if err != nil {
					b.Fatal(err)
				}
				if p.Next == "" {
					break
				}
				cur = p.Next
			}
			if cur != "" {
				b.Run("all/page20", func(b *testing.B) {
					benchList(b, s, store.FilterAll, cur)
				})
			}
			for _, tq := range benchTeamQueries {
				b.Run(tq.name, func(b *testing.B) { benchQuery(b, s, tq.q) })
			}
		})
	}
	benchListPages(b)
}

// benchListPages reads the first screen of one Page of a file that two
// Pages share (each 50k conversations): a Seek into act_page, as All is
// a Seek into act_all, whatever the other Page holds.
func benchListPages(b *testing.B) {
	sp := storetest.LargePages
	b.Run(sp.Name, func(b *testing.B) {
		s := benchOpenFixture(b, sp)
		defer s.Close()
		b.Run("all", func(b *testing.B) {
			b.Log(benchDescribe(sp))
			benchList(b, s, store.FilterAll, "")
		})
		for _, f := range []store.Filter{store.FilterAll, store.FilterUnread} {
			b.Run("page/"+string(f), func(b *testing.B) {
				benchQuery(b, s, store.ListQuery{Filter: f, PageID: storetest.PageID2})
			})
		}
		b.Run("page/mine", func(b *testing.B) {
			benchQuery(b, s, store.ListQuery{PageID: storetest.PageID2, Assignee: storetest.BenchAgent})
		})
	})
}

func benchList(b *testing.B, s *store.Store, f store.Filter, after store.Cursor) {
	bctx := context.Background()
	rows := 0
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.Conversations(bctx, f, after, 50)
		if err != nil {
			b.Fatal(err)
		}
		rows = len(p.Conversations)
	}
	if rows == 0 {
		b.Fatalf("filter %s: empty first screen", f)
	}
	b.ReportMetric(float64(rows), "rows")
}

// benchTeamQueries are the team's filters on All: Mine, Unassigned and a
// label (the fixture assigns and labels a fraction of conversations).
var benchTeamQueries = []struct {
	name string
	q    store.ListQuery
}{
	{"mine", store.ListQuery{Filter: store.FilterAll, Assignee: storetest.BenchAgent}},
	{"unassigned", store.ListQuery{Filter: store.FilterAll, Unassigned: true}},
	{"label", store.ListQuery{Filter: store.FilterAll, Label: storetest.BenchLabel}},
}

// benchQuery is benchList for a ListQuery: its first screen of 50 rows.
func benchQuery(b *testing.B, s *store.Store, q store.ListQuery) {
	bctx := context.Background()
	q.Limit = 50
	rows := 0
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.List(bctx, q)
		if err != nil {
			b.Fatal(err)
		}
		rows = len(p.Conversations)
	}
	if rows != 50 {
		b.Fatalf("%+v: first screen has %d rows, want 50", q, rows)
	}
	b.ReportMetric(float64(rows), "rows")
}

// --- BenchmarkThreadPage ---

// BenchmarkThreadPage opens threads: the newest 50 messages of random
// conversations (10 messages each), of long ones (1000 messages), and one
// page further back from a random Before cursor of a long thread.
func BenchmarkThreadPage(b *testing.B) {
	for _, sp := range []*storetest.Fixture{storetest.Small, storetest.Large} {
		b.Run(sp.Name, func(b *testing.B) {
			s := benchOpenFixture(b, sp)
			defer s.Close()
			bctx := context.Background()
			r := rand.New(rand.NewPCG(7, 11))
			var short []store.ConvKey
			for len(short) < 1024 {
				if i := r.IntN(sp.Convs); !sp.IsLong(i) {
					short = append(short, store.ConvKey{PageID: storetest.PageID, PSID: storetest.PSID(i)})
				}
			}
			var long []store.ConvKey
			for _, i := range sp.LongIndexes() {
				long = append(long, store.ConvKey{PageID: storetest.PageID, PSID: storetest.PSID(i)})
			}
			// Every Before cursor of every long thread, shuffled.
			type back struct {
				key    store.ConvKey
				before store.Cursor
			}
			var backs []back
			for _, k := range long {
				var cur store.Cursor
				for {
					p, err := s.Thread(bctx, k, cur, 50)
					if err != nil {
						b.Fatal(err)
					}
					if p.Before == "" {
						break
					}
					cur = p.Before
					backs = append(backs, back{k, cur})
				}
			}
			if len(backs) == 0 {
				b.Fatal("long threads returned no Before cursor")
			}
			r.Shuffle(len(backs), func(i, j int) { backs[i], backs[j] = backs[j], backs[i] })

			benchThread := func(b *testing.B, next func(i int) (store.ConvKey, store.Cursor)) {
				n, msgs := 0, 0
				b.ReportAllocs()
				for b.Loop() {
					k, before := next(n)
					n++
					p, err := s.Thread(bctx, k, before, 50)
					if err != nil {
						b.Fatal(err)
					}
					msgs += len(p.Messages)
				}
				if msgs == 0 {
					b.Fatal("no messages read")
				}
				b.ReportMetric(float64(msgs)/float64(n), "msgs/op")
			}
			b.Run("newest", func(b *testing.B) {
				b.Log(benchDescribe(sp))
				benchThread(b, func(i int) (store.ConvKey, store.Cursor) { return short[i%len(short)], "" })
			})
			b.Run("newest-long", func(b *testing.B) {
				benchThread(b, func(i int) (store.ConvKey, store.Cursor) { return long[i%len(long)], "" })
			})
			b.Run("older", func(b *testing.B) {
				benchThread(b, func(i int) (store.ConvKey, store.Cursor) {
					bk := backs[i%len(backs)]
					return bk.key, bk.before
				})
			})
		})
	}
}

// --- BenchmarkSelectAll ---

// BenchmarkSelectAll lists every conversation key of a filter ("select all
// in this filter", before a campaign) on the 100k-conversation file.
func BenchmarkSelectAll(b *testing.B) {
	s := benchOpenFixture(b, storetest.Large)
	defer s.Close()
	bctx := context.Background()
	for _, f := range []store.Filter{store.FilterAll, store.FilterUnread, store.FilterWindow} {
		b.Run(string(f), func(b *testing.B) {
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				keys, err := s.ConversationKeys(bctx, store.ListQuery{Filter: f})
				if err != nil {
					b.Fatal(err)
				}
				n = len(keys)
			}
			if n == 0 {
				b.Fatalf("filter %s: nothing selected", f)
			}
			b.ReportMetric(float64(n), "keys")
		})
	}
}
