package tui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/pageinbox/pageinbox/store"
)

// terminal records what the TUI writes to the agent's terminal.
type terminal struct {
	mu  sync.Mutex
	out []byte
}

func (t *terminal) write(seq []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.out = append(t.out, seq...)
}

// take returns what was written since the last take.
func (t *terminal) take() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := string(t.out)
	t.out = nil
	return s
}

func notifyDriver(t *testing.T, n Notify) (*driver, *terminal) {
	d := busyDriver(t, 120, 36)
	term := &terminal{}
	d.m.opts.Notify, d.m.opts.Terminal = n, term.write
	return d, term
}

// hostileName would retitle the terminal, put text on the clipboard, end
// an OSC 777 field, close a DCS (8-bit ST) and reverse what follows, if
// it reached the terminal as it is.
const hostileName = "Eve\x1b]2;pwned\x07;evil\x1b\\\u009c\u202e\u2066\u200fgnp.exe\x9b\r\n-rf\u009d0;x"

// The title sequence, byte for byte, as the TUI writes it while the unread
// count moves and when it closes: testdata/TestTitleSequenceGolden.golden
// (go test ./tui -run TestTitleSequenceGolden -update).
func TestTitleSequenceGolden(t *testing.T) {
	d, term := notifyDriver(t, Notify{Title: true, Tmux: true})
	d.send(tea.FocusMsg{}) // any message: the title follows the count after each
	start := d.m.list.Counts().Unread
	d.be.receive(convKey("1000000000000099"), "first", testNow)
	d.settle()
	if got := d.m.list.Counts().Unread; got != start+1 {
		t.Fatalf("unread %d after a message to a new conversation, want %d", got, start+1)
	}
	if err := d.m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := term.take()
	want := titleSave + "\x1b]2;" + titleText(start) + "\x07\x1bk" + titleText(start) + "\x1b\\" +
		"\x1b]2;" + titleText(start+1) + "\x07\x1bk" + titleText(start+1) + "\x1b\\" +
		"\x1b]2;\x07\x1bk\x1b\\\x1b[23;0t"
	if got != want {
		t.Errorf("title writes:\n got %q\nwant %q", got, want)
	}
	teatest.RequireEqualOutput(t, []byte(strings.ReplaceAll(got, "\x1b", "ESC")+"\n"))
}

func TestTitleText(t *testing.T) {
	for n, want := range map[int]string{0: "pageinbox", 3: "pageinbox (3)", 120: "pageinbox (120)"} {
		if got := titleText(n); got != want {
			t.Errorf("titleText(%d) = %q, want %q", n, got, want)
		}
	}
	if got := titleSeq("pageinbox (3)", false); got != "\x1b]2;pageinbox (3)\x07" {
		t.Errorf("outside tmux the title is OSC 2 alone: %q", got)
	}
}

// Without Title, nothing is written to the terminal for the count.
func TestTitleOffWritesNothing(t *testing.T) {
	d, term := notifyDriver(t, Notify{})
	d.be.receive(convKey("1000000000000099"), "first", testNow)
	d.settle()
	d.m.Close(context.Background())
	if got := term.take(); got != "" {
		t.Errorf("with Title off the TUI wrote %q", got)
	}
}

// The desktop notification sequences, OSC 9 and OSC 777, bare and wrapped
// for tmux: exact bytes for a plain name and message.
func TestDesktopSequences(t *testing.T) {
	cases := []struct {
		n    Notify
		want string
	}{
		{Notify{Desktop: DesktopOSC9}, "\x1b]9;pageinbox: Ada Lovelace: where is my order?\x07"},
		{Notify{Desktop: DesktopOSC777}, "\x1b]777;notify;pageinbox;Ada Lovelace: where is my order?\x07"},
		{Notify{Desktop: DesktopOSC9, Tmux: true}, "\x1bPtmux;\x1b\x1b]9;pageinbox: Ada Lovelace: where is my order?\x07\x1b\\"},
		{Notify{Desktop: DesktopOSC777, Tmux: true}, "\x1bPtmux;\x1b\x1b]777;notify;pageinbox;Ada Lovelace: where is my order?\x07\x1b\\"},
		{Notify{}, ""},
	}
	for _, c := range cases {
		d, term := notifyDriver(t, c.n)
		key := convKey("1000000000000099")
		d.be.add(store.Conversation{ConvKey: key, Name: "Ada Lovelace"})
		d.be.receive(key, "where is my order?", testNow)
		d.settle()
		if got := term.take(); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.n, got, c.want)
		}
	}
}

// A customer's name and message cannot end the sequence they ride in or
// start one of their own: no ESC, BEL, C0 or C1 control, bidi control or
// mark, and no ';' in an OSC 777 field, whatever the customer sent; and
// the text is capped.
func TestDesktopNotificationIsInert(t *testing.T) {
	for _, mode := range []string{DesktopOSC9, DesktopOSC777} {
		d, term := notifyDriver(t, Notify{Desktop: mode})
		key := convKey("1000000000000099")
		d.be.add(store.Conversation{ConvKey: key, Name: hostileName})
		d.be.receive(key, strings.Repeat("\x1b[2J\x07\u009c;", 10)+strings.Repeat("long ", 200), testNow)
		d.settle()
		got := term.take()
		var body string
		var ok bool
		if mode == DesktopOSC9 {
			body, ok = strings.CutPrefix(got, "\x1b]9;pageinbox: ")
		} else {
			body, ok = strings.CutPrefix(got, "\x1b]777;notify;pageinbox;")
		}
		body, ok2 := strings.CutSuffix(body, "\x07")
		if !ok || !ok2 {
			t.Fatalf("%s: not one notification: %q", mode, got)
		}
		assertInert(t, mode, body, mode == DesktopOSC777)
		if !strings.HasPrefix(body, "Eve") || !strings.Contains(body, "gnp.exe") {
			t.Errorf("%s: the name's printable text was lost: %q", mode, body)
		}
		if n := utf8.RuneCountInString(body); n > NotifyMax {
			t.Errorf("%s: %d runes, more than NotifyMax %d", mode, n, NotifyMax)
		}
	}
}

func assertInert(t *testing.T, what, s string, noSemicolon bool) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: not UTF-8: %q", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || isMark(r) || noSemicolon && r == ';' {
			t.Errorf("%s: %U got through: %q", what, r, s)
		}
	}
}

// notifyScript writes a script that dumps its arguments (one a line) and
// its environment to files in dir.
func notifyScript(t *testing.T) (script, dir string) {
	dir = t.TempDir()
	script = filepath.Join(dir, "notify.sh")
	body := "#!/bin/sh\nenv > " + dir + "/env\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + dir + "/args.tmp && mv " + dir + "/args.tmp " + dir + "/args\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return script, dir
}

// The notify command runs with Programs.Env and nothing of this process's
// own environment, its arguments filled with inert text that cannot pass
// for an option.
func TestNotifyCommandRunsWithProgramsEnvAndInertArgs(t *testing.T) {
	t.Setenv("PAGE_ACCESS_TOKEN", "EAAG-must-not-leak")
	script, dir := notifyScript(t)
	d, _ := notifyDriver(t, Notify{Command: []string{script, "--", "{title}", "{name}", "{name}: {text}", "-u", "{count}"}})
	d.m.opts.Programs = &Programs{Env: []string{"PATH=" + os.Getenv("PATH"), "KEPT=yes"}}
	key := convKey("1000000000000099")
	d.be.add(store.Conversation{ConvKey: key, Name: "-rf \x1b]0;x\x07" + hostileName})
	d.be.receive(key, "hi\x1b[2J", testNow)
	d.settle()
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatalf("the command did not run: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(args), "\n"), "\n")
	if len(lines) != 6 || lines[0] != "--" || lines[1] != "pageinbox" || lines[4] != "-u" {
		t.Fatalf("arguments %q", lines)
	}
	for _, a := range []string{lines[2], lines[3]} {
		if strings.HasPrefix(a, "-") {
			t.Errorf("a customer's name became an option: %q", a)
		}
		assertInert(t, "argument", a, false)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if !strings.Contains(string(env), "KEPT=yes") || strings.Contains(string(env), "must-not-leak") || strings.Contains(string(env), "PAGE_ACCESS_TOKEN") {
		t.Errorf("the command's environment is not Programs.Env alone:\n%s", env)
	}
	if d.m.notifier.running {
		t.Error("the command ended but the TUI still thinks it runs: it would never run again")
	}
}

// Without Programs (an SSH session: the command would run on the server)
// the notify command never runs, whatever Notify says.
func TestNotifyCommandNeverRunsWithoutPrograms(t *testing.T) {
	script, dir := notifyScript(t)
	d, term := notifyDriver(t, Notify{Desktop: DesktopOSC9, Command: []string{script, "{text}"}})
	d.be.receive(convKey("1000000000000099"), "hello", testNow)
	d.settle()
	if _, err := os.Stat(filepath.Join(dir, "env")); !os.IsNotExist(err) {
		t.Fatalf("the command ran without Programs (stat: %v)", err)
	}
	if !strings.HasPrefix(term.take(), "\x1b]9;") {
		t.Error("the desktop notification did not go out either: the test proves nothing")
	}
}

// One run at a time, and not again within NotifyEvery: a burst of
// messages starts the command once.
func TestNotifyCommandIsRateLimited(t *testing.T) {
	script, dir := notifyScript(t)
	d, _ := notifyDriver(t, Notify{Command: []string{script, "{text}"}})
	d.m.opts.Programs = &Programs{Env: []string{"PATH=" + os.Getenv("PATH")}}
	d.be.receive(convKey("1000000000000099"), "one", testNow)
	d.settle()
	d.be.receive(convKey("1000000000000098"), "two", testNow) // the clock stands still: within NotifyEvery
	d.settle()
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil || strings.TrimSpace(string(args)) != "one" {
		t.Errorf("args %q (%v): want the first message only", args, err)
	}
}

// An assignment to this agent and a note that @mentions them are news; the
// agent's own note and a mention of someone else are not.
func TestNoticesForAssignmentAndMention(t *testing.T) {
	d, term := notifyDriver(t, Notify{Desktop: DesktopOSC777})
	d.m.common.Agent = store.Agent{ID: "a1", Name: "sam"}
	key := convKey("1000000000000099")
	d.be.add(store.Conversation{ConvKey: key, Name: "Ada"})
	d.send(tea.FocusMsg{})
	d.settle()
	term.take()
	d.be.touch(key, func(c *store.Conversation) { c.Assignee = "sam" })
	d.settle()
	if got := term.take(); got != "\x1b]777;notify;pageinbox;Ada: assigned to you\x07" {
		t.Errorf("assignment: %q", got)
	}
	d.be.touch(key, func(c *store.Conversation) { c.Unread = 0 })
	d.settle()
	if got := term.take(); got != "" {
		t.Errorf("a change to a conversation already ours is news: %q", got)
	}
	for _, n := range []store.Note{
		{ConvKey: key, Author: "kim", Text: "@samuel please look"},
		{ConvKey: key, Author: "sam", Text: "note to self @sam"},
	} {
		d.send(changesMsg{{Kind: store.NoteAdded, Note: &n}})
		if got := term.take(); got != "" {
			t.Errorf("note %+v is news: %q", n, got)
		}
	}
	n := store.Note{ConvKey: key, Author: "kim", Text: "@Sam, can you call; her back?"}
	d.send(changesMsg{{Kind: store.NoteAdded, Note: &n}})
	if got := term.take(); got != "\x1b]777;notify;pageinbox;Ada: @sam in a note: @Sam, can you call, her back?\x07" {
		t.Errorf("mention: %q", got)
	}
}

func TestNotifyArgsNeverStartWithADashFromText(t *testing.T) {
	got := notifyArgs([]string{"-t", "{name}", "x{name}", "{text}"}, map[string]string{"{name}": "-rf", "{text}": "--help"})
	want := []string{"-t", " -rf", "x-rf", " --help"}
	if !slices.Equal(got, want) {
		t.Errorf("notifyArgs = %q, want %q", got, want)
	}
	// What is put in is not filled again, whatever the order of the values.
	for range 20 {
		got := notifyArgs([]string{"{name}: {count}"}, map[string]string{"{name}": "{count}", "{count}": "3", "{text}": "{name}"})
		if got[0] != "{count}: 3" {
			t.Fatalf("a name that looks like a placeholder: %q, want %q", got[0], "{count}: 3")
		}
	}
}

// An assignment where the agent is acting (the conversation open, as when
// their reply claims it, or selected in the list) is their own doing: not
// news.
func TestOwnAssignmentIsNotNews(t *testing.T) {
	d, term := notifyDriver(t, Notify{Desktop: DesktopOSC777})
	d.m.common.Agent = store.Agent{ID: "a1", Name: "sam"}
	sel := d.m.list.Selected()
	d.key(tea.KeyEnter) // open the selected conversation
	if !d.m.thread.IsOpen() || d.m.thread.Key() != sel {
		t.Fatalf("the thread did not open on the selected conversation")
	}
	term.take()
	d.be.touch(sel, func(c *store.Conversation) { c.Assignee = "sam" })
	d.settle()
	if got := term.take(); got != "" {
		t.Errorf("the agent's own claim of the open conversation is news: %q", got)
	}
}
