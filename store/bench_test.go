package store_test

// Benchmarks for the store. They only run with -bench; a plain
// `go test ./...` (with or without -race) never builds the big fixture.
//
//	go test ./store -run '^$' -bench . -benchtime 2000x
//
// The 100k-conversation fixture is built once and cached under
// os.TempDir()/pageinbox-bench-<version>/, reused by later runs while its
// version matches; delete the directory or set PAGEINBOX_BENCH_REBUILD=1 to
// rebuild it. Every name here starts with "bench" so that it cannot clash
// with the unit tests' helpers in the same package.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

const (
	benchPage    = "BENCHPAGE"
	benchWriters = 64 // concurrent Ingest callers in BenchmarkIngestConcurrent64
	benchPSIDs   = 1000
	benchBatch   = 5000 // events per Ingest call while building fixtures
	// benchFixtureVersion names the cached fixtures: bump it whenever the
	// generator below changes, so stale files are not reused.
	benchFixtureVersion = "v1"
)

// benchNow is the fixed clock of the fixture stores: the window filter has
// the same work on every run, however old the cached file is.
var benchNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func benchClock() time.Time { return benchNow }

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
	return store.Event{Kind: store.EventMessage, PageID: benchPage, PSID: benchPSID(psid), MID: mid,
		Text: "Hi! Is the blue one still available in size M?", Time: t}
}

func benchPSID(i int) string { return fmt.Sprintf("psid%07d", i) }

// benchOpenEmpty opens a new store in b's temp dir with the page registered.
func benchOpenEmpty(b *testing.B, opts store.Options) *store.Store {
	b.Helper()
	s, err := store.Open(filepath.Join(b.TempDir(), "inbox.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.PutPage(context.Background(), store.Page{ID: benchPage, Name: "Bench shop"}); err != nil {
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

// --- fixtures for the read benchmarks ---

// benchSpec describes a generated inbox. Each conversation has perConv
// messages, except longConvs of them (spread over the file) with longLen,
// so that thread paging has somewhere to go.
type benchSpec struct {
	name                        string
	convs, perConv              int
	longConvs, longLen          int
	once                        sync.Once
	path                        string
	err                         error
	messages                    int
	buildTime                   time.Duration
	reused                      bool
	builtBefore                 string
	countAll, countUnr, countWn int
}

var (
	benchSmall = &benchSpec{name: "conv=1k", convs: 1000, perConv: 10, longConvs: 2, longLen: 1000}
	benchLarge = &benchSpec{name: "conv=100k", convs: 100_000, perConv: 10, longConvs: 20, longLen: 1000}
)

func (sp *benchSpec) isLong(i int) bool { return i%(sp.convs/sp.longConvs) == 0 }

func (sp *benchSpec) threadLen(i int) int {
	if sp.isLong(i) {
		return sp.longLen
	}
	return sp.perConv
}

// longIndexes are the conversations with long threads.
func (sp *benchSpec) longIndexes() []int {
	var out []int
	for i := 0; i < sp.convs; i++ {
		if sp.isLong(i) {
			out = append(out, i)
		}
	}
	return out
}

// benchConvPlan is conversation i's generated shape.
type benchConvPlan struct {
	last     time.Time     // time of its last message
	gap      time.Duration // between consecutive messages
	lastEcho bool          // the Page wrote last
	read     bool          // marked read after the build
}

func (sp *benchSpec) plan(i int) benchConvPlan {
	r := rand.New(rand.NewPCG(0x9a9e1b0c, uint64(i)))
	var p benchConvPlan
	// Last activity spread over the 90 days before benchNow.
	p.last = benchNow.Add(-time.Minute - time.Duration(r.Int64N(int64(90*24*time.Hour))))
	// Gaps from a minute to about three days, log-uniform.
	p.gap = time.Duration(float64(time.Minute) * math.Exp2(r.Float64()*12))
	if sp.isLong(i) && p.gap > time.Hour {
		p.gap = time.Hour
	}
	p.lastEcho = r.IntN(2) == 0
	// The agent has read threads the Page answered last, and 60% of the rest.
	p.read = p.lastEcho || r.IntN(10) < 6
	return p
}

// events appends conversation i's messages, oldest first.
func (sp *benchSpec) events(dst []store.Event, i int) []store.Event {
	p := sp.plan(i)
	n := sp.threadLen(i)
	for j := 0; j < n; j++ {
		back := n - 1 - j // messages after this one
		t := p.last.Add(-time.Duration(back) * p.gap)
		echo := (back%2 == 0) == p.lastEcho
		ev := store.Event{PageID: benchPage, PSID: benchPSID(i), MID: fmt.Sprintf("m.%07d.%05d", i, j), Time: t}
		if echo {
			ev.Kind, ev.AppID = store.EventEcho, "263902037430900"
			ev.Text = fmt.Sprintf("Thanks for your message! Order #%d ships tomorrow.", i*10+j)
		} else {
			ev.Kind = store.EventMessage
			ev.Text = fmt.Sprintf("Hello, is item %d still available? I would like two.", j)
		}
		dst = append(dst, ev)
	}
	return dst
}

// benchFixture returns the path of sp's data file, building it (once per
// process, and only if no valid cached copy exists).
func benchFixture(b *testing.B, sp *benchSpec) string {
	b.Helper()
	sp.once.Do(func() { sp.err = sp.prepare() })
	if sp.err != nil {
		b.Fatalf("fixture %s: %v", sp.name, sp.err)
	}
	return sp.path
}

// describe says how the fixture came about, for the benchmark log.
func (sp *benchSpec) describe() string {
	how := fmt.Sprintf("built in %v (%d MB)", sp.buildTime.Round(time.Millisecond), benchFileMB(sp.path))
	if sp.reused {
		how = "reused, " + sp.builtBefore
	}
	return fmt.Sprintf("fixture %s: %s, %s; %d conversations (%d unread, %d inside the 24 h window at %s), %d messages",
		sp.name, sp.path, how, sp.countAll, sp.countUnr, sp.countWn, benchNow.Format(time.RFC3339), sp.messages)
}

func benchFileMB(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size() >> 20
}

func (sp *benchSpec) prepare() error {
	dir := filepath.Join(os.TempDir(),
		fmt.Sprintf("pageinbox-bench-%s-schema%d", benchFixtureVersion, store.SchemaVersion))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	sp.path = filepath.Join(dir, fmt.Sprintf("inbox-%d.db", sp.convs))
	for i := 0; i < sp.convs; i++ {
		sp.messages += sp.threadLen(i)
	}
	info := sp.path + ".built"
	if os.Getenv("PAGEINBOX_BENCH_REBUILD") == "" {
		if err := sp.counts(); err == nil && sp.countAll == sp.convs {
			sp.reused = true
			if raw, err := os.ReadFile(info); err == nil {
				sp.builtBefore = strings.TrimSpace(string(raw))
			} else {
				sp.builtBefore = "built by an earlier run"
			}
			return nil
		}
	}
	start := time.Now()
	tmp := fmt.Sprintf("%s.tmp%d", sp.path, os.Getpid())
	_ = os.Remove(tmp)
	if err := sp.build(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, sp.path); err != nil {
		return err
	}
	sp.buildTime = time.Since(start)
	_ = os.WriteFile(info, []byte(fmt.Sprintf("built in %v on %s",
		sp.buildTime.Round(time.Millisecond), time.Now().Format(time.RFC3339))), 0o600)
	if err := sp.counts(); err != nil {
		return err
	}
	if sp.countAll != sp.convs {
		return fmt.Errorf("built %d conversations, want %d", sp.countAll, sp.convs)
	}
	return nil
}

// counts opens the fixture (failing if it is absent) and reads its counts.
func (sp *benchSpec) counts() error {
	if _, err := os.Stat(sp.path); err != nil {
		return err
	}
	s, err := store.Open(sp.path, store.Options{Now: benchClock})
	if err != nil {
		return err
	}
	defer s.Close()
	bctx := context.Background()
	for _, c := range []struct {
		f   store.Filter
		dst *int
	}{{store.FilterAll, &sp.countAll}, {store.FilterUnread, &sp.countUnr}, {store.FilterWindow, &sp.countWn}} {
		if *c.dst, err = s.Count(bctx, c.f); err != nil {
			return err
		}
	}
	return nil
}

// build writes the fixture without fsync, in big Ingest calls, then marks
// the conversations its plan says the agent has read.
func (sp *benchSpec) build(path string) error {
	bctx := context.Background()
	s, err := store.Open(path, store.Options{NoSync: true, Now: benchClock})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.PutPage(bctx, store.Page{ID: benchPage, Name: "Bench shop"}); err != nil {
		return err
	}
	batch := make([]store.Event, 0, benchBatch+sp.longLen)
	for i := 0; i < sp.convs; i++ {
		batch = sp.events(batch, i)
		if len(batch) >= benchBatch || i == sp.convs-1 {
			if err := s.Ingest(bctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	// Group commit folds these into a few hundred transactions.
	var wg sync.WaitGroup
	var first atomic.Pointer[error]
	for g := 0; g < benchWriters; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < sp.convs; i += benchWriters {
				if !sp.plan(i).read {
					continue
				}
				if _, err := s.MarkRead(bctx, store.ConvKey{PageID: benchPage, PSID: benchPSID(i)}); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if e := first.Load(); e != nil {
		return *e
	}
	if err := s.Check(); err != nil {
		return err
	}
	return s.Close()
}

// benchOpenFixture opens sp's file the normal way (durable, default
// options) with the fixed clock.
func benchOpenFixture(b *testing.B, sp *benchSpec) *store.Store {
	b.Helper()
	s, err := store.Open(benchFixture(b, sp), store.Options{Now: benchClock})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// --- BenchmarkListFirstScreen ---

// BenchmarkListFirstScreen reads the first 50 rows of the inbox under each
// filter, on a 1k- and a 100k-conversation file: the cost must not depend
// on the size of the file. all/page20 starts 1000 rows deep from a cursor.
func BenchmarkListFirstScreen(b *testing.B) {
	for _, sp := range []*benchSpec{benchSmall, benchLarge} {
		b.Run(sp.name, func(b *testing.B) {
			s := benchOpenFixture(b, sp)
			defer s.Close()
			bctx := context.Background()
			for _, f := range []store.Filter{store.FilterAll, store.FilterUnread, store.FilterWindow} {
				b.Run(string(f), func(b *testing.B) {
					if f == store.FilterAll {
						b.Log(sp.describe()) // once per run, from a leaf so it shows without -v
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
		})
	}
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

// --- BenchmarkThreadPage ---

// BenchmarkThreadPage opens threads: the newest 50 messages of random
// conversations (10 messages each), of long ones (1000 messages), and one
// page further back from a random Before cursor of a long thread.
func BenchmarkThreadPage(b *testing.B) {
	for _, sp := range []*benchSpec{benchSmall, benchLarge} {
		b.Run(sp.name, func(b *testing.B) {
			s := benchOpenFixture(b, sp)
			defer s.Close()
			bctx := context.Background()
			r := rand.New(rand.NewPCG(7, 11))
			var short []store.ConvKey
			for len(short) < 1024 {
				if i := r.IntN(sp.convs); !sp.isLong(i) {
					short = append(short, store.ConvKey{PageID: benchPage, PSID: benchPSID(i)})
				}
			}
			var long []store.ConvKey
			for _, i := range sp.longIndexes() {
				long = append(long, store.ConvKey{PageID: benchPage, PSID: benchPSID(i)})
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
				b.Log(sp.describe())
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
