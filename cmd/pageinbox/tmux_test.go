package main

// One set of helpers for the tests that drive the real binary in a real
// terminal: an isolated tmux server per test, keys sent as a person
// types them, and captures of the pane read as a screen.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// requireTmux skips under -short and fails without tmux: these tests
// drive the real binary in a real terminal and must run in CI (.ci/run
// installs tmux).
func requireTmux(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the real binary in tmux; skipped with -short")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatalf("tmux not found in PATH (%v): this test drives the TUI in a real terminal and must run in CI; .ci/run must install tmux", err)
	}
	return tmux
}

// buildTUIBinary builds pageinbox once; with -race when the test binary
// has it, so the TUI's goroutines are checked too.
func buildTUIBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not in PATH: cannot build the binary: %v", err)
	}
	args := []string{"build", "-o", filepath.Join(t.TempDir(), "pageinbox")}
	if raceEnabled() {
		args = append(args, "-race")
	}
	start := time.Now()
	out, err := exec.Command(goBin, append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return args[2]
}

func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "-race" && s.Value == "true" })
}

// tmuxPane is one isolated tmux server with one session, "app".
type tmuxPane struct {
	t         *testing.T
	bin, sock string
	env       []string
	last      screen
}

// startTmuxPane runs command in session "app" (120x36) of a tmux server of
// its own on sock, configured by conf ("/dev/null" for none). tmux gets the
// test's environment without TMUX*, PAGEINBOX_* or any of the drop prefixes,
// so it neither nests nor carries inbox settings. The server is killed when
// the test ends, and a failed test logs the pane's last screen.
func startTmuxPane(t *testing.T, tmux, sock, conf, command string, drop ...string) *tmuxPane {
	t.Helper()
	p := &tmuxPane{t: t, bin: tmux, sock: sock}
	drop = append(drop, "TMUX", "PAGEINBOX_")
	for _, kv := range os.Environ() {
		if !slices.ContainsFunc(drop, func(prefix string) bool { return strings.HasPrefix(kv, prefix) }) {
			p.env = append(p.env, kv)
		}
	}
	if out, err := p.tmux("-f", conf, "new-session", "-d", "-s", "app", "-x", "120", "-y", "36", command); err != nil {
		t.Fatalf("tmux new-session (%s): %v\n%s", filepath.Base(sock), err, out)
	}
	t.Cleanup(func() { p.tmux("kill-server") })
	t.Cleanup(func() { // runs first: the screen as it was when the test failed
		if t.Failed() {
			if s, err := p.capture(); err == nil {
				p.last = s
			}
			t.Logf("last capture of the pane (%s):\n%s", filepath.Base(sock), p.last.text())
		}
	})
	return p
}

// reportRaces fails the test with each race report the race detector
// wrote under GORACE=log_path=raceLog in the binaries the test ran.
func reportRaces(t *testing.T, raceLog string) {
	races, _ := filepath.Glob(raceLog + ".*")
	for _, f := range races {
		b, _ := os.ReadFile(f)
		t.Errorf("data race in pageinbox (%s):\n%s", f, b)
	}
}

func (p *tmuxPane) tmux(args ...string) (string, error) {
	cmd := exec.Command(p.bin, append([]string{"-S", p.sock}, args...)...)
	cmd.Env = p.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// keys sends each key on its own with a gap, so Bubble Tea reads them as
// separate key messages (typed together, a burst can arrive as one).
func (p *tmuxPane) keys(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		if out, err := p.tmux("send-keys", "-t", "app", k); err != nil {
			p.t.Fatalf("send-keys %s: %v\n%s", k, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *tmuxPane) capture() (screen, error) {
	out, err := p.tmux("capture-pane", "-p", "-t", "app")
	if err != nil {
		return screen{}, fmt.Errorf("capture-pane: %v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	s := screen{lines: make([][]rune, len(lines))}
	for i, l := range lines {
		s.lines[i] = []rune(l)
	}
	return s, nil
}

// poll captures the pane every 50 ms until ok holds or d passes.
func (p *tmuxPane) poll(d time.Duration, ok func(screen) bool) (screen, bool) {
	deadline := time.Now().Add(d)
	for {
		s, err := p.capture()
		if err == nil {
			p.last = s
			if ok(s) {
				return s, true
			}
		}
		if time.Now().After(deadline) {
			return p.last, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *tmuxPane) waitFor(what string, d time.Duration, ok func(screen) bool) screen {
	p.t.Helper()
	s, found := p.poll(d, ok)
	if !found {
		p.t.Fatalf("timed out after %v waiting for %s", d, what)
	}
	return s
}

// screen is a capture, one rune slice a line.
type screen struct{ lines [][]rune }

func (s screen) text() string {
	var b strings.Builder
	for _, l := range s.lines {
		b.WriteString(string(l))
		b.WriteByte('\n')
	}
	return b.String()
}

// Box drawing, whatever border style a pane has.
const (
	topRight = "╮┐┓╗"
	topLeft  = "╭┌┏╔"
	vertical = "│┃║"
)

// split is the column where the list's box ends, -1 when the screen is
// not the two-pane layout.
func (s screen) split() int {
	if len(s.lines) == 0 {
		return -1
	}
	l := s.lines[0]
	for i := 0; i+1 < len(l); i++ {
		if strings.ContainsRune(topRight, l[i]) && strings.ContainsRune(topLeft, l[i+1]) {
			return i + 1
		}
	}
	return -1
}

// header is the first line inside the thread pane: name and window.
func (s screen) header() string {
	x := s.split()
	if x < 0 || len(s.lines) < 2 || len(s.lines[1]) < x {
		return ""
	}
	return string(s.lines[1][x:])
}

// headerName is the conversation the thread pane shows; in the wide
// layout it follows the list's cursor.
func (s screen) headerName() string {
	h := strings.TrimFunc(s.header(), func(r rune) bool { return r == ' ' || strings.ContainsRune(vertical, r) })
	name, _, _ := strings.Cut(h, "  ")
	return name
}

// helpLine is the last line that is not blank.
func (s screen) helpLine() string {
	for i := len(s.lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(string(s.lines[i])); l != "" {
			return l
		}
	}
	return ""
}

type listRow struct {
	name       string
	windowOpen bool // neither "HA …" nor "closed"
}

// listRows reads the conversation rows: two lines each (name, then
// preview and window), from the first line with text below the tabs.
func (s screen) listRows() []listRow {
	x := s.split()
	if x < 0 {
		return nil
	}
	inner := func(i int) string {
		l := s.lines[i]
		if len(l) < x || !strings.ContainsRune(vertical, l[0]) {
			return ""
		}
		return strings.TrimRightFunc(string(l[1:x]), func(r rune) bool { return strings.ContainsRune(vertical, r) })
	}
	i := 2
	for i < len(s.lines) && strings.TrimSpace(inner(i)) == "" {
		i++
	}
	var rows []listRow
	for ; i+1 < len(s.lines); i += 2 {
		l1, l2 := inner(i), inner(i+1)
		if strings.TrimSpace(l1) == "" {
			break
		}
		// Past the cursor marker, up to the gap before the time.
		l1 = strings.TrimLeftFunc(l1, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		name, _, _ := strings.Cut(l1, "  ")
		f := strings.Fields(l2)
		rows = append(rows, listRow{
			name:       strings.TrimSpace(name),
			windowOpen: len(f) > 1 && f[len(f)-1] != "closed" && f[len(f)-2] != "HA",
		})
	}
	return rows
}

func rowNames(rows []listRow) []string {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.name
	}
	return names
}

// cursorRow is the row the thread pane shows, -1 if none.
func (s screen) cursorRow(rows []listRow) int {
	return slices.Index(rowNames(rows), s.headerName())
}

// boxDrawing reports whether any pane border is on screen.
func (s screen) boxDrawing() bool {
	return strings.ContainsFunc(s.text(), func(r rune) bool { return r >= 0x2500 && r <= 0x257f })
}

// typeText types s one character per send-keys, as a person would.
func (p *tmuxPane) typeText(s string) {
	p.t.Helper()
	for _, r := range s {
		if out, err := p.tmux("send-keys", "-t", "app", "-l", string(r)); err != nil {
			p.t.Fatalf("send-keys -l %q: %v\n%s", r, err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func paneTitle(t *testing.T, p *tmuxPane) string {
	t.Helper()
	out, err := p.tmux("display-message", "-p", "-t", "app", "#{pane_title}")
	if err != nil {
		t.Fatalf("tmux display-message pane_title: %v\n%s", err, out)
	}
	return strings.TrimSuffix(out, "\n")
}

// pasteBuffers lists tmux's paste buffers, "" when there are none.
func pasteBuffers(t *testing.T, p *tmuxPane) string {
	t.Helper()
	out, err := p.tmux("list-buffers")
	if err != nil {
		t.Fatalf("tmux list-buffers: %v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}
