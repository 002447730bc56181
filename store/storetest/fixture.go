// Package storetest builds the benchmark fixtures of the store and tui
// benchmarks: generated inboxes written to real store files, cached under
// os.TempDir()/pageinbox-bench-<version>-schema<N>/ and reused by later runs
// (of either package) while the version and schema match. Delete the
// directory or set PAGEINBOX_BENCH_REBUILD=1 to rebuild them.
//
// It is a test helper: it must never be used by production code.
package storetest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

const (
	// PageID is the one Page of every fixture, and the first of one with
	// two (Fixture.Pages).
	PageID = "BENCHPAGE"
	// PageID2 holds the odd conversations of a fixture with two Pages.
	PageID2 = "BENCHPAGE2"
	// Version names the cached fixtures: bump it whenever the generator
	// changes, so stale files are not reused.
	Version = "v3" // v2: assignees and labels (BenchAgent, BenchLabel); v3: act_page by filter

	buildWriters = 64   // concurrent MarkRead callers while building
	buildBatch   = 5000 // events per Ingest call while building
)

// Now is the fixed clock of the fixture stores: the window filter has the
// same work on every run, however old the cached file is.
var Now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// Clock returns Now, for store.Options.Now and the like.
func Clock() time.Time { return Now }

// PSID is the id of conversation i's user.
func PSID(i int) string { return fmt.Sprintf("psid%07d", i) }

// Fixture describes a generated inbox. Each conversation has PerConv
// messages, except LongConvs of them (spread over the file) with LongLen,
// so that thread paging has somewhere to go.
type Fixture struct {
	Name               string
	Convs, PerConv     int
	LongConvs, LongLen int
	Pages              int // 2: the odd conversations are PageID2's (PageOf); else one Page

	once  sync.Once
	err   error
	facts Facts
}

// Facts are what Path found or built, for the benchmarks' logs.
type Facts struct {
	Path        string
	Messages    int
	BuildTime   time.Duration // zero when reused
	Reused      bool          // a cached copy served
	BuiltBefore string        // when reused: how and when it was built
	// The conversations under each filter, at Now.
	All, Unread, Window int
}

var (
	// Small has 1k conversations (about 12k messages).
	Small = &Fixture{Name: "conv=1k", Convs: 1000, PerConv: 10, LongConvs: 2, LongLen: 1000}
	// Large has 100k conversations (about 1M messages).
	Large = &Fixture{Name: "conv=100k", Convs: 100_000, PerConv: 10, LongConvs: 20, LongLen: 1000}
	// LargePages is Large split between two Pages.
	LargePages = &Fixture{Name: "conv=100k,pages=2", Convs: 100_000, PerConv: 10, LongConvs: 20, LongLen: 1000, Pages: 2}
)

// PageOf is the Page of conversation i.
func (f *Fixture) PageOf(i int) string {
	if f.Pages > 1 && i%2 == 1 {
		return PageID2
	}
	return PageID
}

// IsLong reports whether conversation i has a long thread.
func (f *Fixture) IsLong(i int) bool { return i%(f.Convs/f.LongConvs) == 0 }

func (f *Fixture) threadLen(i int) int {
	if f.IsLong(i) {
		return f.LongLen
	}
	return f.PerConv
}

// LongIndexes are the conversations with long threads.
func (f *Fixture) LongIndexes() []int {
	var out []int
	for i := 0; i < f.Convs; i++ {
		if f.IsLong(i) {
			out = append(out, i)
		}
	}
	return out
}

// Path returns the path of f's data file, building it (once per process,
// and only if no valid cached copy exists).
func (f *Fixture) Path(tb testing.TB) string {
	tb.Helper()
	f.once.Do(func() { f.err = f.prepare() })
	if f.err != nil {
		tb.Fatalf("fixture %s: %v", f.Name, f.err)
	}
	return f.facts.Path
}

// Facts returns what Path found or built; call it after Path.
func (f *Fixture) Facts() Facts { return f.facts }

// FileMB is the size of the data file now, in MB, or -1.
func (fa Facts) FileMB() int64 {
	fi, err := os.Stat(fa.Path)
	if err != nil {
		return -1
	}
	return fi.Size() >> 20
}

// Summary describes the contents: the conversations under each filter at
// Now, and the messages.
func (fa Facts) Summary() string {
	return fmt.Sprintf("%d conversations (%d unread, %d inside the 24 h window at %s), %d messages",
		fa.All, fa.Unread, fa.Window, Now.Format(time.RFC3339), fa.Messages)
}

// convPlan is conversation i's generated shape.
type convPlan struct {
	last     time.Time     // time of its last message
	gap      time.Duration // between consecutive messages
	lastEcho bool          // the Page wrote last
	read     bool          // marked read after the build
	assignee string        // "" for nobody
	labels   []string
}

// The team's triage in the fixtures: 30% of conversations are assigned,
// a tenth each to ana (BenchAgent), ben and cy; 10% carry BenchLabel and
// 5% "vip".
const (
	BenchAgent = "ana"
	BenchLabel = "wholesale"
)

var benchAgents = []string{BenchAgent, "ben", "cy"}

func (f *Fixture) plan(i int) convPlan {
	r := rand.New(rand.NewPCG(0x9a9e1b0c, uint64(i)))
	var p convPlan
	// Last activity spread over the 90 days before Now.
	p.last = Now.Add(-time.Minute - time.Duration(r.Int64N(int64(90*24*time.Hour))))
	// Gaps from a minute to about three days, log-uniform.
	p.gap = time.Duration(float64(time.Minute) * math.Exp2(r.Float64()*12))
	if f.IsLong(i) && p.gap > time.Hour {
		p.gap = time.Hour
	}
	p.lastEcho = r.IntN(2) == 0
	// The agent has read threads the Page answered last, and 60% of the rest.
	p.read = p.lastEcho || r.IntN(10) < 6
	// Drawn after the rest, so the v1 shape of each conversation stays.
	if a := r.IntN(10); a < len(benchAgents) {
		p.assignee = benchAgents[a]
	}
	if l := r.IntN(20); l < 2 {
		p.labels = []string{BenchLabel}
	} else if l == 2 {
		p.labels = []string{"vip"}
	}
	return p
}

// events appends conversation i's messages, oldest first.
func (f *Fixture) events(dst []store.Event, i int) []store.Event {
	p := f.plan(i)
	n := f.threadLen(i)
	for j := 0; j < n; j++ {
		back := n - 1 - j // messages after this one
		t := p.last.Add(-time.Duration(back) * p.gap)
		echo := (back%2 == 0) == p.lastEcho
		ev := store.Event{PageID: f.PageOf(i), PSID: PSID(i), MID: fmt.Sprintf("m.%07d.%05d", i, j), Time: t}
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

func (f *Fixture) prepare() error {
	dir := filepath.Join(os.TempDir(),
		fmt.Sprintf("pageinbox-bench-%s-schema%d", Version, store.SchemaVersion))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fa := &f.facts
	name := fmt.Sprintf("inbox-%d.db", f.Convs)
	if f.Pages > 1 {
		name = fmt.Sprintf("inbox-%d-pages%d.db", f.Convs, f.Pages)
	}
	fa.Path = filepath.Join(dir, name)
	for i := 0; i < f.Convs; i++ {
		fa.Messages += f.threadLen(i)
	}
	info := fa.Path + ".built"
	if os.Getenv("PAGEINBOX_BENCH_REBUILD") == "" {
		if err := f.counts(); err == nil && fa.All == f.Convs {
			fa.Reused = true
			if raw, err := os.ReadFile(info); err == nil {
				fa.BuiltBefore = strings.TrimSpace(string(raw))
			} else {
				fa.BuiltBefore = "built by an earlier run"
			}
			return nil
		}
	}
	start := time.Now()
	tmp := fmt.Sprintf("%s.tmp%d", fa.Path, os.Getpid())
	_ = os.Remove(tmp)
	if err := f.build(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, fa.Path); err != nil {
		return err
	}
	fa.BuildTime = time.Since(start)
	_ = os.WriteFile(info, []byte(fmt.Sprintf("built in %v on %s",
		fa.BuildTime.Round(time.Millisecond), time.Now().Format(time.RFC3339))), 0o600)
	if err := f.counts(); err != nil {
		return err
	}
	if fa.All != f.Convs {
		return fmt.Errorf("built %d conversations, want %d", fa.All, f.Convs)
	}
	return nil
}

// counts opens the fixture (failing if it is absent) and reads its counts.
// The long timeout lets the store's and the tui's benchmarks, run at once
// by `go test ./...`, wait for each other.
func (f *Fixture) counts() error {
	fa := &f.facts
	if _, err := os.Stat(fa.Path); err != nil {
		return err
	}
	s, err := store.Open(fa.Path, store.Options{Now: Clock, Timeout: 30 * time.Second})
	if err != nil {
		return err
	}
	defer s.Close()
	bctx := context.Background()
	for _, c := range []struct {
		f   store.Filter
		dst *int
	}{{store.FilterAll, &fa.All}, {store.FilterUnread, &fa.Unread}, {store.FilterWindow, &fa.Window}} {
		if *c.dst, err = s.Count(bctx, c.f); err != nil {
			return err
		}
	}
	return nil
}

// build writes the fixture without fsync, in big Ingest calls, then marks
// the conversations its plan says the agent has read.
func (f *Fixture) build(path string) error {
	bctx := context.Background()
	s, err := store.Open(path, store.Options{NoSync: true, Now: Clock})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.PutPage(bctx, store.Page{ID: PageID, Name: "Bench shop"}); err != nil {
		return err
	}
	if f.Pages > 1 {
		if err := s.PutPage(bctx, store.Page{ID: PageID2, Name: "Bench shop two"}); err != nil {
			return err
		}
	}
	batch := make([]store.Event, 0, buildBatch+f.LongLen)
	for i := 0; i < f.Convs; i++ {
		batch = f.events(batch, i)
		if len(batch) >= buildBatch || i == f.Convs-1 {
			if err := s.Ingest(bctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	// Group commit folds these into a few hundred transactions.
	var wg sync.WaitGroup
	var first atomic.Pointer[error]
	for g := 0; g < buildWriters; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < f.Convs; i += buildWriters {
				if err := f.triage(bctx, s, i); err != nil {
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

// triage marks conversation i read, assigns it and labels it as its plan
// says.
func (f *Fixture) triage(ctx context.Context, s *store.Store, i int) error {
	p, key := f.plan(i), store.ConvKey{PageID: f.PageOf(i), PSID: PSID(i)}
	if p.read {
		if _, err := s.MarkRead(ctx, key); err != nil {
			return err
		}
	}
	if p.assignee != "" {
		if _, err := s.Assign(ctx, key, p.assignee); err != nil {
			return err
		}
	}
	if len(p.labels) > 0 {
		if _, err := s.SetLabels(ctx, key, p.labels); err != nil {
			return err
		}
	}
	return nil
}
