package tui

// Benchmarks for the TUI. They only run with -bench; a plain `go test`
// (with or without -race) never builds the big fixture.
//
//	go test ./tui -run '^$' -bench 'FirstFrame100k' -benchtime 20x
//	go test ./tui -run '^$' -bench 'View200x50'
//
// BenchmarkFirstFrame100k reads a real store file of 100k conversations
// and about 1M messages: storetest.Large, the fixture of the store's
// benchmarks, cached under the same name
// (os.TempDir()/pageinbox-bench-v1-schema<N>/inbox-100000.db), so a file
// built by either package's benchmarks serves the other's.
// PAGEINBOX_BENCH_REBUILD=1 rebuilds it.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/store/storetest"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/list"
)

// loadFrame runs cmd the way the program would, with the commands of a
// batch in parallel and every message through Update on this goroutine,
// until nothing is left. The subscription's pump is not part of a frame:
// its start message is dropped.
func loadFrame(m *Model, cmd tea.Cmd) error {
	msgs := make(chan tea.Msg, 16)
	pending := 0
	start := func(c tea.Cmd) {
		if c != nil {
			pending++
			go func() { msgs <- c() }()
		}
	}
	start(cmd)
	for pending > 0 {
		msg := <-msgs
		pending--
		switch msg := msg.(type) {
		case nil, feedStartMsg:
		case tea.BatchMsg:
			for _, c := range msg {
				start(c)
			}
		case common.ErrMsg:
			return fmt.Errorf("%s: %w", msg.Op, msg.Err)
		case feedEndMsg:
			return fmt.Errorf("subscribe: %v", msg.err)
		default:
			_, c := m.Update(msg)
			start(c)
		}
	}
	if m.statusbar.Err() != "" {
		return errors.New(m.statusbar.Err())
	}
	return nil
}

// firstFrame is what starting the inbox costs: New, the size, Init's
// loads (the list's first page, the counts, the status, and, in the wide
// layout, the newest conversation's thread), and the first View.
func firstFrame(be Backend, w, h int) (*Model, string, error) {
	m := New(Options{Backend: be, Renderer: asciiRenderer(), Now: storetest.Clock, NoTick: true})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	if err := loadFrame(m, m.Init()); err != nil {
		return m, "", err
	}
	return m, m.View(), nil
}

// BenchmarkFirstFrame100k is the first frame over the 100k-conversation,
// 1M-message file. open: the store is open already (its pages warm after
// the first iteration), then the memory of a process showing the frame is
// reported. with-open: store.Open and Close are inside the loop too, as
// when the program starts.
func BenchmarkFirstFrame100k(b *testing.B) {
	path := storetest.Large.Path(b)
	opts := store.Options{Now: storetest.Clock, Timeout: 30 * time.Second, Owner: "tui benchmark"}
	b.Run("open", func(b *testing.B) {
		st, err := store.Open(path, opts)
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		var m *Model
		var view string
		b.ReportAllocs()
		for b.Loop() {
			if m != nil {
				m.cancel() // the previous frame's subscription
			}
			if m, view, err = firstFrame(&inbox.Local{Store: st}, 120, 40); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		checkFirstFrame(b, m, view)
		b.Log(describeFixture())
		reportMemory(b, m)
		m.cancel()
	})
	b.Run("with-open", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			st, err := store.Open(path, opts)
			if err != nil {
				b.Fatal(err)
			}
			m, view, err := firstFrame(&inbox.Local{Store: st}, 120, 40)
			if err != nil {
				b.Fatal(err)
			}
			m.cancel()
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
			if b.N == 1 {
				checkFirstFrame(b, m, view)
			}
		}
	})
}

func checkFirstFrame(b *testing.B, m *Model, view string) {
	b.Helper()
	if len(m.list.Conversations()) != list.PageSize || !m.thread.Loaded() || len(m.thread.Messages()) == 0 || m.list.Counts().All != storetest.Large.Convs {
		b.Fatalf("incomplete first frame: %d rows, thread loaded %v with %d messages, count %d",
			len(m.list.Conversations()), m.thread.Loaded(), len(m.thread.Messages()), m.list.Counts().All)
	}
	if !strings.Contains(view, "All 100000") {
		b.Fatalf("the first frame lacks the count:\n%s", view)
	}
}

// reportMemory reports the Go heap in use and the process's resident set
// with the model still alive. The RSS splits into anonymous memory (heap,
// stacks, the binary's data) and file pages, mostly the store's mmap: the
// pages the reads touched, shared with the page cache and reclaimable.
func reportMemory(b *testing.B, keep *Model) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	st, err := procStatus()
	if err != nil {
		b.Logf("no /proc/self/status: %v", err)
	} else {
		b.ReportMetric(st["VmRSS"], "rss-MB")
		b.ReportMetric(st["RssAnon"], "rss-anon-MB")
		b.ReportMetric(st["RssFile"], "rss-file-MB")
	}
	runtime.KeepAlive(keep)
}

// procStatus reads the memory lines of /proc/self/status, in MB.
func procStatus() (map[string]float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(rest)
		if !ok || len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		if kb, err := strconv.ParseFloat(fields[0], 64); err == nil {
			out[name] = kb / 1024
		}
	}
	if _, ok := out["VmRSS"]; !ok {
		return nil, errors.New("no VmRSS line")
	}
	return out, sc.Err()
}

// BenchmarkView200x50 draws the main screen, a list beside an open thread
// with every kind of message, at 200x50 over the fake backend: what every
// message costs the program, since Bubble Tea v1 calls View after each.
// steady is the usual case (the thread's lines cached); cold-thread
// empties the per-message cache every time (a resize, a new thread);
// key-k-thread scrolls the focused thread, key-j moves in the list.
// Each runs once per colour profile of the session's renderer: TrueColor,
// ANSI256, ANSI (what TERM=xterm gets) and Ascii (NO_COLOR, the goldens').
//
//	go test ./tui -run '^$' -bench 'View200x50/steady/ANSI'
func BenchmarkView200x50(b *testing.B) {
	drivers := make([]*driver, len(benchProfiles))
	for i, p := range benchProfiles {
		drivers[i] = newDriverWith(b, busyBackend(), profileRenderer(p.profile), 200, 50)
		drivers[i].key(tea.KeyTab) // the thread pane: list and thread both on screen
		if v := ansi.Strip(drivers[i].view()); !strings.Contains(v, "Returns are free within 30 days.") {
			b.Fatalf("%s: the thread is not on screen:\n%s", p.name, v)
		}
	}
	perProfile := func(name string, run func(b *testing.B, d *driver)) {
		b.Run(name, func(b *testing.B) {
			for i, p := range benchProfiles {
				b.Run(p.name, func(b *testing.B) { run(b, drivers[i]) })
			}
		})
	}
	perProfile("steady", func(b *testing.B, d *driver) {
		b.ReportAllocs()
		for b.Loop() {
			_ = d.m.View()
		}
	})
	perProfile("cold-thread", func(b *testing.B, d *driver) {
		b.ReportAllocs()
		for b.Loop() {
			d.m.thread.Invalidate()
			_ = d.m.View()
		}
	})
	// A scroll in the focused thread: Update and View.
	perProfile("key-k-thread", func(b *testing.B, d *driver) { benchKeys(b, d, 'k', 'j') })
	// A cursor move in the list: Update (the thread beside switches, its
	// load not run) and View.
	perProfile("key-j", func(b *testing.B, d *driver) {
		d.key(tea.KeyTab)
		d.key(tea.KeyTab) // back to the list
		benchKeys(b, d, 'j', 'k')
	})
}

// benchKeys sends there and back alternately, each through Update and View.
func benchKeys(b *testing.B, d *driver, there, back rune) {
	msgs := [2]tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune{there}}, {Type: tea.KeyRunes, Runes: []rune{back}}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.m.Update(msgs[i%2])
		i++
		_ = d.m.View()
	}
}

// benchProfiles are the colour profiles a session's renderer can have.
var benchProfiles = []struct {
	name    string
	profile termenv.Profile
}{{"TrueColor", termenv.TrueColor}, {"ANSI256", termenv.ANSI256}, {"ANSI", termenv.ANSI}, {"Ascii", termenv.Ascii}}

// profileRenderer is a session renderer with profile p and a dark
// background, as an SSH session's renderer with that profile is.
func profileRenderer(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(true)
	return r
}

// describeFixture says how the 100k fixture came about, for the log: a
// fixture built by this process inflates its RSS.
func describeFixture() string {
	f := storetest.Large
	fa := f.Facts()
	how := fmt.Sprintf("built in %v (%d MB) by this process: its RSS includes the build", fa.BuildTime.Round(time.Millisecond), fa.FileMB())
	if fa.Reused {
		how = fmt.Sprintf("reused (%d MB), %s", fa.FileMB(), fa.BuiltBefore)
	}
	return fmt.Sprintf("fixture %s: %s, %s; %s", f.Name, fa.Path, how, fa.Summary())
}
