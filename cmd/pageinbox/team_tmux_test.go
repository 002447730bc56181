package main

// TestTeamTriageInTmux is issue 12's run of a team: the real binary as
// `pageinbox serve` talking to the Meta emulator, two named agents made
// with `agents add` (ana and ben), each in a tmux pane attached with the
// token it was given. Customers write in through signed webhooks; then,
// with the real keys: Ana assigns a conversation to Ben and it appears
// live in Ben's Mine; Ana's private note is stored and never reaches the
// emulator; a snoozed conversation opens again when the customer writes,
// and another when its time passes; `.` puts Ana's last label on the next
// conversation. What the store holds is read through the daemon's /ws API
// as the owner. Skipped with -short; fails without tmux.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// teamRun is the daemon, the emulator and what the test reads them with.
type teamRun struct {
	t        *testing.T
	bin      string
	dataDir  string
	wsURL    string
	baseEnv  []string // PATH, HOME, GORACE: for CLI runs
	emu      *fbtest.Server
	driver   *fbtest.Driver
	owner    *daemon.Client // the owner, reading the store through /ws
	srv      *e2eServer
	raceLog  string
	customer map[string]string // name -> PSID
	start    time.Time
}

func (r *teamRun) since() time.Duration { return time.Since(r.start).Round(10 * time.Millisecond) }

func TestTeamTriageInTmux(t *testing.T) {
	tmux := requireTmux(t)
	r := startTeamDaemon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// Customers write in first, so both lists open full. The last to write
	// is the top row.
	for _, c := range []struct{ name, psid, text string }{
		{"Gus Olsen", "2490000000012007", "Any news on the restock?"},
		{"Farid Haddad", "2490000000012006", "Do you sell gift cards?"},
		{"Elena Rossi", "2490000000012005", "Can I change the colour?"},
		{"Diego Ruiz", "2490000000012004", "Waiting for my parcel"},
		{"Bruno Costa", "2490000000012003", "Is the shop open Sunday?"},
		{"Carla Mendes", "2490000000012002", "I want 40 of these"},
	} {
		r.customerWrites(ctx, c.name, c.psid, c.text)
	}

	ana := r.attachAgent(tmux, "ana")
	ben := r.attachAgent(tmux, "ben")
	t.Cleanup(r.dumpOnFailure) // before the panes' own, which log what each agent saw
	for _, p := range []*tmuxPane{ana, ben} {
		p.waitFor("the status bar saying attached and every customer listed", 20*time.Second, func(s screen) bool {
			return strings.Contains(s.text(), "● attached to "+r.wsURL) && hasRows(s, r.names()...)
		})
	}
	t.Logf("%v: ana and ben attached, six customers listed", r.since())

	r.assignToBen(ctx, ana, ben)
	r.noteNeverSent(ctx, ana)
	r.snoozeWakesWhenCustomerWrites(ctx, ana, ben)
	r.snoozeWakesOnTime(ctx, ana, ben)
	r.dotRepeatsLabel(ctx, ana)
}

// assignToBen: Ben narrows his list to Mine (nothing is his yet), Ana
// assigns Carla to him with the agent picker, and she appears there live.
func (r *teamRun) assignToBen(ctx context.Context, ana, ben *tmuxPane) {
	r.t.Helper()
	ben.keys("M")
	ben.waitFor("Ben's list scoped to [Mine] and empty", 10*time.Second, func(s screen) bool {
		return strings.Contains(leftText(s), "[Mine]") && !hasAnyRow(s, r.names()...)
	})
	// Ana assigns Carla to Ben with the agent picker.
	r.moveTo(ana, "Carla Mendes")
	ana.keys("A")
	ana.waitFor("the agent picker", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "Assign Carla Mendes") })
	ana.typeText("ben")
	ana.keys("Enter")
	r.waitConv(ctx, "Carla Mendes", "assigned to ben", func(c store.Conversation) bool { return c.Assignee == "ben" })
	ben.waitFor("Carla in Ben's Mine, live", 10*time.Second, func(s screen) bool {
		return strings.Contains(leftText(s), "[Mine]") && hasRows(s, "Carla Mendes") && !hasAnyRow(s, without(r.names(), "Carla Mendes")...)
	})
	r.t.Logf("%v: Ana assigned Carla to Ben; she is in Ben's Mine", r.since())
}

// noteNeverSent: Ana writes a private note on Bruno: stored, shown, and
// never sent.
func (r *teamRun) noteNeverSent(ctx context.Context, ana *tmuxPane) {
	r.t.Helper()
	note := fmt.Sprintf("ring him before the van leaves, ref %06d", time.Now().UnixNano()%1e6)
	r.moveTo(ana, "Bruno Costa")
	ana.keys("n")
	ana.typeText(note)
	ana.keys("Enter")
	ana.waitFor("the note in Ana's thread", 10*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), "✎ note") && strings.Contains(s.text(), note)
	})
	r.waitNote(ctx, "Bruno Costa", note)
	r.sendBarrier(ctx, "Gus Olsen")
	for _, sent := range r.emu.Sent() {
		if strings.Contains(sent.Text, "ring him") || sent.PSID == r.customer["Bruno Costa"] {
			r.t.Errorf("the emulator's Send API got %+v after a private note on Bruno", sent)
		}
	}
	for _, req := range r.emu.Requests() {
		if strings.Contains(string(req.Body), "ring him") || strings.Contains(req.RawQuery, "ring+him") {
			r.t.Errorf("the note's text reached the emulator: %s %s?%s %s", req.Method, req.Path, req.RawQuery, req.Body)
		}
	}
	ana.keys("Escape")
	ana.waitFor("Ana's list focused again", 10*time.Second, func(s screen) bool { return !strings.Contains(s.helpLine(), "save note") })
	r.t.Logf("%v: the note is stored and nothing reached Meta", r.since())
}

// snoozeWakesWhenCustomerWrites: Ben goes back to everyone's list and
// opens Diego's contact pane; Ana snoozes Diego for two hours and Ben sees
// it; Diego writes, and he is open again, in the store and on Ben's screen.
func (r *teamRun) snoozeWakesWhenCustomerWrites(ctx context.Context, ana, ben *tmuxPane) {
	r.t.Helper()
	ben.keys("M")
	ben.waitFor("Ben's list back to everyone's", 10*time.Second, func(s screen) bool {
		return !strings.Contains(leftText(s), "[Mine]") && hasRows(s, r.names()...)
	})
	r.watchContact(ben, "Diego Ruiz")
	r.snooze(ctx, ana, "Diego Ruiz", "2h", 90*time.Minute, 150*time.Minute)
	ben.waitFor("Diego snoozed in Ben's contact pane", 10*time.Second, func(s screen) bool {
		return strings.HasPrefix(contactField(s, "State"), "snoozed until")
	})
	again := "Hello? It still has not come"
	r.customerWrites(ctx, "Diego Ruiz", r.customer["Diego Ruiz"], again)
	r.waitConv(ctx, "Diego Ruiz", "open again after he wrote", func(c store.Conversation) bool { return c.Status == store.ConvOpen })
	ben.waitFor("Diego open again in Ben's contact pane", 10*time.Second, func(s screen) bool {
		return contactField(s, "State") == "open" && strings.Contains(contactField(s, "Messages"), "2 in")
	})
	ana.waitFor("Diego's new message in Ana's list", 10*time.Second, func(s screen) bool { return strings.Contains(leftText(s), again) })
	r.t.Logf("%v: a snoozed conversation opened when the customer wrote", r.since())
}

// snoozeWakesOnTime: Ana snoozes Elena for 3 s; the daemon's timer opens
// her again, not before her time, and Ben's contact pane shows her open.
func (r *teamRun) snoozeWakesOnTime(ctx context.Context, ana, ben *tmuxPane) {
	r.t.Helper()
	ben.keys("i") // closes Diego's pane
	r.watchContact(ben, "Elena Rossi")
	c := r.snooze(ctx, ana, "Elena Rossi", "3s", time.Second, 10*time.Second)
	r.waitConv(ctx, "Elena Rossi", "open again once the snooze passed", func(c store.Conversation) bool { return c.Status == store.ConvOpen })
	if now := time.Now(); now.Before(c.SnoozedUntil) {
		r.t.Errorf("Elena opened at %v, before her snooze ended at %v", now, c.SnoozedUntil)
	}
	ben.waitFor("Elena open in Ben's contact pane after her snooze", 10*time.Second, func(s screen) bool {
		return contactField(s, "State") == "open" && strings.HasPrefix(contactField(s, "Name"), "Elena Rossi")
	})
	r.t.Logf("%v: a snoozed conversation opened when its time passed", r.since())
}

// dotRepeatsLabel: Ana labels a row "wholesale", goes down to the next row
// and presses `.`: the label goes on that one, and the cursor moves on. It
// uses the bottom three rows: nothing has been sent to them, so no
// delivery or echo reorders them meanwhile.
func (r *teamRun) dotRepeatsLabel(ctx context.Context, ana *tmuxPane) {
	r.t.Helper()
	names := rowOrder(ana.waitFor("Ana's list", 10*time.Second, func(s screen) bool { return hasRows(s, r.names()...) }), r.names())
	names = names[len(names)-3:]
	first, next, after := names[0], names[1], names[2]
	r.moveTo(ana, first)
	ana.keys("l")
	ana.waitFor("the label picker", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "Labels "+first) })
	ana.typeText("wholesale")
	ana.waitFor("the new label offered", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "new label #wholesale") })
	ana.keys("Enter")
	r.waitConv(ctx, first, "labelled wholesale", func(c store.Conversation) bool { return c.Labels.Has("wholesale") })
	s := ana.waitFor(first+"'s row with the chip", 10*time.Second, func(s screen) bool {
		return strings.Contains(rowLine(s, first), "#wholesale")
	})
	if got := rowOrder(s, r.names()); !slices.Equal(got[len(got)-3:], names) {
		r.t.Fatalf("the rows moved under the label: %v, were %v", got, names)
	}
	ana.keys("j")
	ana.waitFor("the cursor on "+next, 10*time.Second, func(s screen) bool { return strings.HasPrefix(s.headerName(), next) })
	ana.keys(".")
	r.waitConv(ctx, next, "labelled wholesale by .", func(c store.Conversation) bool { return c.Labels.Has("wholesale") })
	ana.waitFor(next+"'s row with the chip and the cursor on "+after, 10*time.Second, func(s screen) bool {
		return strings.Contains(rowLine(s, next), "#wholesale") && strings.HasPrefix(s.headerName(), after)
	})
	// The shell sees the same, through the daemon.
	code, out, errOut, _ := e2eRun(r.t, r.bin, r.baseEnv, "conversations", "--data", r.dataDir, "--label", "wholesale", "--json")
	if code != exitOK {
		r.t.Fatalf("conversations --label wholesale --json: exit %d, stderr %q", code, errOut)
	}
	var labelled []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var row struct {
			Name   string   `json:"name"`
			Labels []string `json:"labels"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil || !slices.Contains(row.Labels, "wholesale") {
			r.t.Fatalf("conversations --label wholesale --json: line %q: %v, want a row labelled wholesale", line, err)
		}
		labelled = append(labelled, row.Name)
	}
	slices.Sort(labelled)
	if want := []string{first, next}; !slices.Equal(labelled, sorted(want)) {
		r.t.Errorf("conversations labelled wholesale: %v, want %v", labelled, sorted(want))
	}
	r.t.Logf("%v: . put the label on %s and moved to %s", r.since(), next, after)
}

// startTeamDaemon runs serve against the emulator and reads it as owner.
func startTeamDaemon(t *testing.T) *teamRun {
	bin := buildTUIBinary(t)
	dir := t.TempDir()
	r := &teamRun{t: t, bin: bin, dataDir: filepath.Join(dir, "data"), raceLog: filepath.Join(dir, "race"),
		customer: map[string]string{}, start: time.Now()}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	gorace := "GORACE=log_path=" + r.raceLog + " exitcode=66 atexit_sleep_ms=0"
	r.baseEnv = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, gorace}
	var logMu sync.Mutex
	testDone := false
	t.Cleanup(func() { logMu.Lock(); testDone = true; logMu.Unlock() })
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		if !testDone {
			t.Logf("emulator: "+format, args...)
		}
	}
	var hookAddr, addr string
	for attempt := 1; ; attempt++ {
		hookAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		if hookAddr == addr {
			continue
		}
		r.emu = fbtest.NewServer(fbtest.Config{WebhookURL: "http://" + hookAddr + "/webhook", Echoes: true, Logf: logf})
		cfg := r.emu.Config()
		env := append(slices.Clone(r.baseEnv), "PAGEINBOX_GRAPH_URL="+r.emu.URL(), "PAGE_ACCESS_TOKEN="+cfg.PageToken,
			"APP_SECRET="+cfg.AppSecret, "VERIFY_TOKEN=team-e2e-verify", "PAGE_ID="+cfg.PageID)
		var inUse bool
		r.srv, inUse = startDaemonProcess(t, bin, env, hookAddr, addr, r.dataDir, attempt == 3)
		if r.srv != nil {
			break
		}
		r.emu.Close()
		if !inUse {
			t.FailNow()
		}
	}
	t.Cleanup(r.emu.Close)
	cfg := r.emu.Config()
	r.wsURL = "ws://" + addr + "/ws"
	r.driver = &fbtest.Driver{URL: "http://" + hookAddr + "/webhook", AppSecret: cfg.AppSecret, PageID: cfg.PageID}
	token, err := daemon.APIToken(r.dataDir, false)
	if err != nil {
		t.Fatalf("the owner's API token: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.owner, err = daemon.Dial(ctx, r.wsURL, token, store.Agent{Name: "owner"}, nil)
	if err != nil {
		t.Fatalf("the owner attaching to %s: %v", r.wsURL, err)
	}
	t.Cleanup(func() { r.owner.Close() })
	return r
}

// attachAgent makes a named agent with `agents add` and runs the TUI in
// a tmux pane of its own with the token it printed: the pane is that
// agent (no PAGEINBOX_AGENT, no USER: the token alone names it).
func (r *teamRun) attachAgent(tmux, name string) *tmuxPane {
	t := r.t
	code, out, errOut, _ := e2eRun(t, r.bin, r.baseEnv, "agents", "--data", r.dataDir, "add", name)
	token := strings.TrimSpace(out)
	if code != exitOK || token == "" || strings.Contains(token, "\n") {
		t.Fatalf("agents add %s: exit %d, stdout %q, stderr %q: want the token alone on stdout", name, code, out, errOut)
	}
	inner := shellQuote(r.bin) + " --data " + shellQuote(r.dataDir) + " --server " + shellQuote(r.wsURL) + "; echo EXITED:$?; sleep 30"
	var envs []string
	for _, kv := range r.baseEnv {
		envs = append(envs, shellQuote(kv))
	}
	command := "exec env -i " + strings.Join(envs, " ") + " TERM=xterm-256color PAGEINBOX_BELL=0 TZ=UTC" +
		" PAGEINBOX_API_TOKEN=" + shellQuote(token) + " sh -c " + shellQuote(inner)
	return startTmuxPane(t, tmux, filepath.Join(filepath.Dir(r.raceLog), "tmux-"+name), "/dev/null", command)
}

func (r *teamRun) dumpOnFailure() {
	t := r.t
	reportRaces(t, r.raceLog)
	if !t.Failed() {
		return
	}
	t.Logf("serve's output:\n%s", r.srv.stderr.String())
}

// customerWrites posts a signed webhook for name and waits until the
// store has the message.
func (r *teamRun) customerWrites(ctx context.Context, name, psid, text string) {
	r.t.Helper()
	if _, known := r.customer[name]; !known {
		r.customer[name] = psid
		r.emu.AddUser(psid, name)
	}
	if _, err := r.emu.CustomerWrites(ctx, r.driver, psid, text); err != nil {
		r.t.Fatalf("%s's webhook: %v", name, err)
	}
	r.waitConv(ctx, name, "holding "+text, func(c store.Conversation) bool { return c.LastMessage == text && c.Name == name })
}

func (r *teamRun) key(name string) store.ConvKey {
	return store.ConvKey{PageID: r.emu.Config().PageID, PSID: r.customer[name]}
}

func (r *teamRun) names() []string { return slices.Sorted(maps.Keys(r.customer)) }

// waitConv reads name's conversation through the daemon until ok holds.
func (r *teamRun) waitConv(ctx context.Context, name, what string, ok func(store.Conversation) bool) store.Conversation {
	r.t.Helper()
	var last store.Conversation
	var err error
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var c inbox.Contact
		c, err = r.owner.Contact(ctx, r.key(name))
		if err == nil {
			last = c.Conversation
			if ok(last) {
				return last
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s %s: last state %s (until %v), assignee %q, labels %q, last message %q, err %v",
				name, what, last.Status, last.SnoozedUntil, last.Assignee, last.Labels, last.LastMessage, err)
		}
	}
}

func (r *teamRun) waitNote(ctx context.Context, name, text string) {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		notes, err := r.owner.Notes(ctx, r.key(name))
		if err == nil && slices.ContainsFunc(notes, func(n store.Note) bool { return n.Text == text && n.Author == "ana" }) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the note by ana on %s never reached the store: %+v, err %v", name, notes, err)
		}
	}
}

// sendBarrier sends a reply to name through the daemon and waits for the
// emulator to get it: anything queued before it (a note that leaked into
// the outbox) has been sent by then.
func (r *teamRun) sendBarrier(ctx context.Context, name string) {
	r.t.Helper()
	text := fmt.Sprintf("barrier %d", time.Now().UnixNano())
	code, out, errOut, _ := e2eRun(r.t, r.bin, r.baseEnv, "send", "--data", r.dataDir, "--to", r.customer[name], "--text", text)
	if code != exitOK {
		r.t.Fatalf("send to %s: exit %d\n%s%s", name, code, out, errOut)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if slices.ContainsFunc(r.emu.SentTo(r.customer[name]), func(s fbtest.Sent) bool { return s.Text == text }) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the barrier reply to %s never reached the emulator: %+v", name, r.emu.Sent())
		}
	}
}

// snooze snoozes name from p with z and a typed time, and checks the
// store holds it snoozed until between lo and hi from now.
func (r *teamRun) snooze(ctx context.Context, p *tmuxPane, name, spec string, lo, hi time.Duration) store.Conversation {
	r.t.Helper()
	r.moveTo(p, name)
	p.keys("z")
	p.waitFor("the snooze menu", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "Snooze "+name) })
	p.typeText(spec)
	p.waitFor("the typed snooze read as a time", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "until ") })
	before := time.Now()
	p.keys("Enter")
	c := r.waitConv(ctx, name, "snoozed", func(c store.Conversation) bool { return c.Status == store.ConvSnoozed })
	if d := c.SnoozedUntil.Sub(before); d < lo || d > hi {
		r.t.Errorf("%s snoozed %q until %v, %v after enter: want between %v and %v", name, spec, c.SnoozedUntil, d, lo, hi)
	}
	return c
}

// watchContact opens name's contact pane in p with i.
func (r *teamRun) watchContact(p *tmuxPane, name string) {
	r.t.Helper()
	r.moveTo(p, name)
	p.keys("i")
	p.waitFor(name+"'s contact pane", 10*time.Second, func(s screen) bool {
		return strings.HasPrefix(contactField(s, "Name"), name) && contactField(s, "State") != ""
	})
}

// moveTo puts p's list cursor on name's row with j and k.
func (r *teamRun) moveTo(p *tmuxPane, name string) {
	p.t.Helper()
	for range 20 {
		s := p.waitFor("the list with "+name, 10*time.Second, func(s screen) bool { return hasRows(s, name) && s.headerName() != "" })
		if strings.HasPrefix(s.headerName(), name) {
			return
		}
		order := rowOrder(s, r.names())
		at := slices.IndexFunc(order, func(n string) bool { return strings.HasPrefix(s.headerName(), n) })
		to := slices.Index(order, name)
		k := "j"
		if at > to {
			k = "k"
		}
		head := s.headerName()
		p.keys(k)
		p.poll(5*time.Second, func(s screen) bool { return s.headerName() != head })
	}
	p.t.Fatalf("could not put the cursor on %s:\n%s", name, p.last.text())
}
