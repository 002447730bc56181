package main

// TestCampaignTUIDemoInTmux runs a campaign from the TUI of `pageinbox demo`
// in a real terminal (a tmux pane, with the helpers of tui_e2e_test.go):
// it waits for a simulated customer, selects one conversation with space
// and then the whole list with V, opens the bulk form with B, types the
// message, confirms with ctrl+s and y, waits for the progress view to say
// DONE with as many sent as the ledger's "Will send", and opens a
// recipient whose window was open to find the message in their thread.
// Skipped with -short; fails without tmux.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	selectedRE = regexp.MustCompile(`(\d+) selected`)
	willSendRE = regexp.MustCompile(`Will send: (\d+) `)
	countsRE   = regexp.MustCompile(`sent (\d+) · failed (\d+) · skipped (\d+) · unknown (\d+) · left (\d+) of (\d+)`)
)

func TestCampaignTUIDemoInTmux(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildTUIBinary(t)

	dir := t.TempDir()
	raceLog := filepath.Join(dir, "race")
	inner := shellQuote(bin) + " demo --people 6; echo EXITED:$?; sleep 5"
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(dir) +
		" TERM=xterm-256color PAGEINBOX_BELL=0 GORACE=" + shellQuote("log_path="+raceLog+" exitcode=66 atexit_sleep_ms=0") +
		" sh -c " + shellQuote(inner)
	start := time.Now()
	since := func() time.Duration { return time.Since(start).Round(10 * time.Millisecond) }
	p := startTmuxPane(t, tmux, filepath.Join(dir, "sock"), "/dev/null", command)
	t.Cleanup(func() { reportRaces(t, raceLog) }) // before p's: a race fails the test, so its screen is logged

	// 1. The seeded conversations, then a simulated customer's.
	p.waitFor("the three seeded conversations and a simulated customer's, named", 25*time.Second, func(s screen) bool {
		names := rowNames(s.listRows())
		for _, n := range tuiSeeded {
			if !slices.Contains(names, n) {
				return false
			}
		}
		return slices.ContainsFunc(names, func(n string) bool { return !slices.Contains(tuiSeeded, n) && !psidRE.MatchString(n) })
	})
	t.Logf("%v: a simulated customer wrote in", since())

	// 2. Space marks the conversation under the cursor, V the whole list.
	p.keys("Space")
	p.waitFor(`"1 selected" in the status bar after space`, 10*time.Second, func(s screen) bool {
		return strings.Contains(s.statusBar(), "1 selected")
	})
	p.keys("V")
	var selected int
	s := p.waitFor(`"N selected" (N >= 4) in the status bar after V`, 10*time.Second, func(s screen) bool {
		m := selectedRE.FindStringSubmatch(s.statusBar())
		if m == nil {
			return false
		}
		selected, _ = strconv.Atoi(m[1])
		return selected >= 4
	})
	t.Logf("%v: V selected %d (status bar %q)", since(), selected, strings.TrimSpace(s.statusBar()))

	// 3. B: the form and its ledger.
	p.keys("B")
	var willSend int
	s = p.waitFor("the bulk form for the selection with its ledger", 10*time.Second, func(s screen) bool {
		m := willSendRE.FindStringSubmatch(s.text())
		if m == nil || !strings.Contains(s.text(), fmt.Sprintf("New campaign to %d selected", selected)) {
			return false
		}
		willSend, _ = strconv.Atoi(m[1])
		return true
	})
	if willSend < 1 {
		t.Fatalf("the ledger sends to nobody:\n%s", s.text())
	}
	// Carla (her window closed 6 h ago) and Diego (9 days) are always skipped.
	if !strings.Contains(s.text(), "Skipped: ") || !strings.Contains(s.text(), "HUMAN_AGENT is never used for a campaign") {
		t.Errorf("the ledger lacks the skipped count and the HUMAN_AGENT note:\n%s", s.text())
	}
	t.Logf("%v: ledger: will send %d of %d", since(), willSend, selected)

	text := fmt.Sprintf("Campaign from tmux ref %06d", time.Now().UnixNano()%1e6)
	p.typeText(text)
	p.waitFor("the message typed into the form", 15*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), fmt.Sprintf("%d/2000", len(text)))
	})

	// 4. ctrl+s asks with the exact count; y sends.
	p.keys("C-s")
	p.waitFor("the confirmation with the ledger's count", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), fmt.Sprintf("Send this message to %d recipients now?", willSend))
	})
	p.keys("y")
	sentAt := time.Now()
	var counts []int
	s = p.waitFor("the progress view saying DONE", 20*time.Second, func(s screen) bool {
		m := countsRE.FindStringSubmatch(s.text())
		if m == nil || len(s.lines) < 2 || !strings.Contains(string(s.lines[1]), "DONE") {
			return false
		}
		counts = counts[:0]
		for _, v := range m[1:] {
			n, _ := strconv.Atoi(v)
			counts = append(counts, n)
		}
		return true
	})
	t.Logf("%v: DONE %v after y: %s", since(), time.Since(sentAt).Round(10*time.Millisecond), countsRE.FindString(s.text()))
	sent, failed, skipped, unknown, left, total := counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]
	if sent != willSend || failed != 0 || unknown != 0 || left != 0 {
		t.Errorf("sent %d, failed %d, unknown %d, left %d; want sent = the ledger's %d, and nothing failed, unknown or left", sent, failed, unknown, left, willSend)
	}
	if total != selected || sent+skipped != total {
		t.Errorf("%d recipients (%d sent + %d skipped), want the %d selected", total, sent, skipped, selected)
	}

	// 5. Back to the inbox: the selection is gone. Eva Novak wrote 2 h
	// before the demo started, inside the window: her thread has it.
	p.keys("Escape")
	p.waitFor("the inbox again, nothing selected", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.helpLine(), "q quit") && !strings.Contains(s.statusBar(), "selected")
	})
	p.cursorTo("Eva Novak")
	p.keys("Enter")
	p.waitFor("Eva Novak's thread with the campaign message, sent", 15*time.Second, func(s screen) bool {
		st := replyStatus(s, text)
		return s.headerName() == "Eva Novak" && strings.Contains(s.helpLine(), "enter send") &&
			(st == "✓ sent" || st == "✓✓ delivered" || st == "✓✓ read")
	})
	t.Logf("%v: the message is in Eva Novak's thread", since())

	// 6. Quit cleanly.
	p.keys("Escape")
	p.waitFor("the list focused again", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.helpLine(), "q quit")
	})
	p.keys("q")
	s = p.waitFor("the process to exit (EXITED:)", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), "EXITED:")
	})
	if m := regexp.MustCompile(`EXITED:(\d+)`).FindStringSubmatch(s.text()); m == nil || m[1] != "0" {
		t.Errorf("pageinbox demo did not exit 0 after q: %v", m)
	}
	t.Logf("%v: exited", since())
}

// statusBar is the line above the help line.
func (s screen) statusBar() string {
	for i := len(s.lines) - 1; i > 0; i-- {
		if strings.TrimSpace(string(s.lines[i])) != "" {
			return string(s.lines[i-1])
		}
	}
	return ""
}

// cursorTo moves the list's cursor onto the conversation named name, which
// the thread pane beside then shows; the list may reorder meanwhile.
func (p *tmuxPane) cursorTo(name string) {
	p.t.Helper()
	for attempt := 0; attempt < 10; attempt++ {
		s := p.waitFor("the list with the thread pane following its cursor", 10*time.Second, func(s screen) bool {
			return s.cursorRow(s.listRows()) >= 0
		})
		rows := s.listRows()
		cur, want := s.cursorRow(rows), slices.Index(rowNames(rows), name)
		if want < 0 {
			p.t.Fatalf("%s is not in the list", name)
		}
		k, n := "k", cur-want
		if n < 0 {
			k, n = "j", -n
		}
		for range n {
			p.keys(k)
		}
		// The thread pane and the list's cursor marker agree.
		if _, ok := p.poll(5*time.Second, func(s screen) bool { return s.headerName() == name && s.markedRow(name) }); ok {
			return
		}
	}
	p.t.Fatalf("could not put the cursor on %s", name)
}

// markedRow reports whether the list's cursor marker (▌) is on the row
// named name.
func (s screen) markedRow(name string) bool {
	x := s.split()
	if x < 0 {
		return false
	}
	for _, l := range s.lines {
		if len(l) > x && strings.Contains(string(l[:x]), name) {
			return strings.ContainsRune(string(l[:x]), '▌')
		}
	}
	return false
}
