package main

// TestTUIDemoInTmux drives `pageinbox demo` in a real terminal, a tmux
// pane: it waits for a simulated customer to write in, opens the newest
// conversation inside the 24 h window, replies, watches the reply go to
// delivered, quits, and checks the terminal is given back. Skipped with
// -short; fails without tmux, which .ci/run installs.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// tuiSeeded are the conversations the demo writes before the TUI starts.
var tuiSeeded = []string{"Carla Mendes", "Diego Ruiz", "Eva Novak"}

// psidRE is a row still named by its PSID: the name lookup is pending.
var psidRE = regexp.MustCompile(`^\d+$`)

func TestTUIDemoInTmux(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildTUIBinary(t)
	// In parallel: each waits ~8 s for the crowd's first message.
	for _, term := range []string{"xterm-256color", "xterm"} {
		t.Run("TERM="+term, func(t *testing.T) {
			t.Parallel()
			testTUIDemo(t, tmux, bin, term)
		})
	}
}

func testTUIDemo(t *testing.T, tmux, bin, term string) {
	dir := t.TempDir()
	raceLog := filepath.Join(dir, "race")
	inner := shellQuote(bin) + " demo --people 6; echo EXITED:$?; sleep 5"
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(dir) +
		" TERM=" + term + " PAGEINBOX_BELL=0 GORACE=" + shellQuote("log_path="+raceLog+" exitcode=66 atexit_sleep_ms=0") +
		" sh -c " + shellQuote(inner)

	start := time.Now()
	since := func() time.Duration { return time.Since(start).Round(10 * time.Millisecond) }
	p := startTmuxPane(t, tmux, filepath.Join(dir, "sock"), "/dev/null", command)
	t.Cleanup(func() { reportRaces(t, raceLog) }) // before p's: a race fails the test, so its screen is logged

	// 1. The seeded conversations are listed.
	p.waitFor("the three seeded conversations in the list", 15*time.Second, func(s screen) bool {
		names := rowNames(s.listRows())
		for _, n := range tuiSeeded {
			if !slices.Contains(names, n) {
				return false
			}
		}
		return true
	})
	t.Logf("%v: first screen with the seeded conversations", since())

	// 2. A simulated customer writes in: a fourth conversation arrives
	// live, and its name replaces the PSID once the Graph lookup answers.
	var crowd string
	p.waitFor("a simulated customer's conversation (a 4th row) with a name", 20*time.Second, func(s screen) bool {
		for _, r := range s.listRows() {
			if !slices.Contains(tuiSeeded, r.name) && !psidRE.MatchString(r.name) {
				crowd = r.name
				return true
			}
		}
		return false
	})
	t.Logf("%v: %s wrote in", since(), crowd)

	// 3. Select the top conversation inside the 24 h window and open it.
	var target string
	selected := false
	for attempt := 0; attempt < 10 && !selected; attempt++ {
		s := p.waitFor("the list with the thread pane following its cursor", 10*time.Second, func(s screen) bool {
			return s.cursorRow(s.listRows()) >= 0
		})
		rows := s.listRows()
		if target == "" {
			for _, r := range rows {
				if r.windowOpen {
					target = r.name
					break
				}
			}
			if target == "" {
				t.Fatalf("no conversation in the list is inside the 24 h window")
			}
		}
		cur, want := s.cursorRow(rows), slices.Index(rowNames(rows), target)
		if want < 0 { // renamed or gone: choose again
			target = ""
			continue
		}
		k, n := "k", cur-want
		if n < 0 {
			k, n = "j", -n
		}
		for range n {
			p.keys(k)
		}
		_, ok := p.poll(5*time.Second, func(s screen) bool {
			return s.headerName() == target && strings.Contains(s.header(), "left in the 24 h window")
		})
		selected = ok
	}
	if !selected { // the list kept reordering under the cursor
		t.Fatalf("could not put the cursor on %s (the thread header should name it and its open window)", target)
	}
	p.keys("Enter")
	p.waitFor("the compose pane focused on "+target, 10*time.Second, func(s screen) bool {
		return strings.Contains(s.helpLine(), "enter send") && s.headerName() == target
	})
	t.Logf("%v: opened %s, compose focused", since(), target)

	// 4. Reply and watch it go out.
	reply := fmt.Sprintf("Hello from the tmux test, ref %06d", time.Now().UnixNano()%1e6)
	if out, err := p.tmux("send-keys", "-t", "app", "-l", reply); err != nil {
		t.Fatalf("send-keys -l: %v\n%s", err, out)
	}
	// Each word and space is a key message and a frame: slow under -race
	// on a busy machine, slowest with TERM=xterm (colours are converted
	// to 16 on every frame).
	p.waitFor("the reply typed into the compose pane", 15*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), reply) && strings.Contains(s.text(), fmt.Sprintf("%d/2000", len(reply)))
	})
	p.keys("Enter")
	sentAt := time.Now()
	seen := map[string]time.Duration{}
	var order []string
	status := func(s screen) string {
		st := replyStatus(s, reply)
		if _, ok := seen[st]; st != "" && !ok {
			seen[st] = time.Since(sentAt).Round(10 * time.Millisecond)
			order = append(order, st)
		}
		return st
	}
	p.waitFor("the reply in the thread as ✓ sent or ✓✓ delivered", 15*time.Second, func(s screen) bool {
		st := status(s)
		return st == "✓ sent" || st == "✓✓ delivered" || st == "✓✓ read"
	})
	p.waitFor("the reply ✓✓ delivered (the emulator delivers after 1 s)", 15*time.Second, func(s screen) bool {
		st := status(s)
		return st == "✓✓ delivered" || st == "✓✓ read"
	})
	for _, st := range order {
		if strings.HasPrefix(st, "✗") || strings.HasPrefix(st, "?") {
			t.Errorf("the reply went through %q on its way to delivered", st)
		}
	}
	t.Logf("%v: reply statuses after enter: %s", since(), formatSeen(order, seen))
	p.waitFor("the compose pane emptied after sending", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), "0/2000")
	})

	// 5. Back to the list, quit, and the terminal is given back.
	p.keys("Escape")
	p.waitFor("the list focused again", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.helpLine(), "q quit")
	})
	p.keys("q")
	quitAt := time.Now()
	s := p.waitFor("the process to exit (EXITED:)", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), "EXITED:")
	})
	t.Logf("%v: exited %v after q", since(), time.Since(quitAt).Round(10*time.Millisecond))
	if m := regexp.MustCompile(`EXITED:(\d+)`).FindStringSubmatch(s.text()); m == nil || m[1] != "0" {
		t.Errorf("pageinbox demo did not exit 0 after q: %v", m)
	}
	if s.boxDrawing() || strings.Contains(s.text(), "Demo Shop") {
		t.Errorf("the TUI is still on screen after exit")
	}
	// tmux's view of the terminal modes: alternate screen left, mouse
	// reporting off, cursor shown. An empty value: this tmux lacks the format.
	flags, err := p.tmux("display-message", "-p", "-t", "app",
		"alternate_on=#{alternate_on} mouse_any_flag=#{mouse_any_flag} mouse_button_flag=#{mouse_button_flag} mouse_sgr_flag=#{mouse_sgr_flag} cursor_flag=#{cursor_flag}")
	if err != nil {
		t.Fatalf("tmux display-message: %v\n%s", err, flags)
	}
	want := map[string]string{"alternate_on": "0", "mouse_any_flag": "0", "mouse_button_flag": "0", "mouse_sgr_flag": "0", "cursor_flag": "1"}
	for _, f := range strings.Fields(flags) {
		k, v, _ := strings.Cut(f, "=")
		if v != "" && v != want[k] {
			t.Errorf("terminal not restored after exit: %s=%s, want %s (all: %s)", k, v, want[k], strings.TrimSpace(flags))
		}
	}
}

var replyTicks = []string{"◷ queued", "… sending", "✓ sent", "✓✓ delivered", "✓✓ read", "✗ failed", "? unknown"}

// replyStatus is the status under the reply in the thread, "" while it is
// not there. The compose pane's copy has no status line under it.
func replyStatus(s screen, reply string) string {
	x := s.split()
	if x < 0 {
		return ""
	}
	for i := 1; i+1 < len(s.lines); i++ {
		if len(s.lines[i]) < x || !strings.Contains(string(s.lines[i][x:]), reply) || len(s.lines[i+1]) < x {
			continue
		}
		meta := string(s.lines[i+1][x:])
		for _, tk := range replyTicks {
			if strings.Contains(meta, tk) {
				return tk
			}
		}
	}
	return ""
}

func formatSeen(order []string, seen map[string]time.Duration) string {
	var parts []string
	for _, st := range order {
		parts = append(parts, fmt.Sprintf("%s at +%v", st, seen[st]))
	}
	return strings.Join(parts, ", ")
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
