package tui

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/tui/statusbar"
)

// hostile surrounds words with what an outsider could use to drive the
// agent's terminal: a title OSC, an OSC 52 clipboard write, a clear screen
// in 7-bit and C1 form, a DCS, a bidi override, a bell, and an OSC left
// open, which must not swallow the next field.
func hostile(words string) string {
	return "\x1b]2;pwned\x07" + words + "\x1b]52;c;cHduZWQ=\x1b\\\x1b[2J\u009b2J\x1bP$qm\x1b\\\u202e\x07\x1b]0;pwned-open"
}

// inertViolation says what in s a terminal would act on, "" if nothing.
// With sgr, colour sequences are allowed.
func inertViolation(s string, sgr bool) string {
	if sgr {
		s = sgrRE.ReplaceAllString(s, "")
	}
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("control %U", r)
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("bidi control %U", r)
		}
	}
	if strings.Contains(s, "pwned") {
		return "an escape sequence's payload drawn as text"
	}
	return ""
}

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// hostileBackend is an inbox where everything from outside is hostile:
// the customer's name and messages, a postback's title, attachments'
// kinds, titles, URLs and sticker ids, reactions, Meta's failure reason,
// the Page's name.
func hostileBackend() (*fakeBackend, store.ConvKey) {
	be := newFakeBackend(fixedClock)
	be.status = store.SystemStatus{Mode: "local", Connected: true, PageName: hostile("Harbour Shop"), TokenOK: true}
	k := convKey("2490000000006666")
	first := in(hostile("Parcel 7731 arrived"), ago(50*time.Minute))
	first.MID = "mid.hostile"
	reply := in(hostile("about that one"), ago(40*time.Minute))
	reply.ReplyTo = "mid.hostile"
	button := in(hostile("Track order"), ago(30*time.Minute))
	button.Kind = "postback"
	files := in("", ago(20*time.Minute))
	files.Attachments = []store.Attachment{
		{Type: hostile("file"), Title: hostile("invoice.pdf"), URL: hostile("https://cdn.example/i.pdf")},
		{Type: "image", StickerID: hostile("369239263222822")},
	}
	failed := out(hostile("Our reply"), ago(10*time.Minute), store.StatusFailed)
	failed.Error = hostile("Meta refused it")
	failed.Reactions = []store.Reaction{{Reaction: hostile("love"), Emoji: hostile("❤")}}
	be.add(store.Conversation{ConvKey: k, Name: hostile("Mallory Quinn"), LastMessage: hostile("last words")},
		first, reply, button, files, failed)
	return be, k
}

// checkScreen fails unless the frame is inert and shows every word.
func checkScreen(t *testing.T, what, frame string, words ...string) {
	t.Helper()
	if v := inertViolation(frame, false); v != "" {
		t.Errorf("%s: the frame holds %s:\n%q", what, v, frame)
	}
	for _, w := range words {
		if !strings.Contains(frame, w) {
			t.Errorf("%s: %q is not on screen:\n%s", what, w, frame)
		}
	}
}

// Every pane formats outside text through inert: with the Ascii profile
// the panes emit no escape sequence of their own, so the frame, before
// View's backstop, must hold none at all, and every printable word of
// every hostile field must still be there.
func TestHostileTextIsInertInEveryPane(t *testing.T) {
	be, k := hostileBackend()
	d := newDriver(t, be, 160, 44)
	d.key(tea.KeyEnter) // open the thread, compose focused
	if d.current() != k || !d.m.thread.Loaded() {
		t.Fatalf("the hostile conversation did not open")
	}
	// Two other agents, whose names come from their clients.
	d.send(changesMsg{{Kind: store.PresenceChanged, Presence: &store.Presence{Key: k, Agents: []store.AgentPresence{
		{Agent: store.Agent{ID: "b", Name: hostile("Ben")}},
		{Agent: store.Agent{ID: "c", Name: hostile("Cleo")}, Typing: true},
	}}}})
	checkScreen(t, "inbox", d.m.frame(), "Mallory Quinn", "last words", "Parcel 7731 arrived", "replying to “",
		"about that one", "[button] ", "Track order", "invoice.pdf", "https://cdn.example/i.pdf", "sticker ",
		"369239263222822", "Our reply", "Meta refused it", "love", "Cleo", "is replying", "Harbour Shop")
	d.send(changesMsg{{Kind: store.PresenceChanged, Presence: &store.Presence{Key: k, Agents: []store.AgentPresence{
		{Agent: store.Agent{ID: "b", Name: hostile("Ben")}}}}}})
	checkScreen(t, "presence", d.m.frame(), "also here: ", "Ben")

	// Errors and reasons from Meta or a daemon, in the status bar.
	d.send(statusbar.StatusMsg(store.SystemStatus{Mode: "local", Connected: true, Sending: hostile("token expired")}))
	checkScreen(t, "sending paused", d.m.frame(), "token expired")
	d.send(common.ErrMsg{Op: "mark read", Err: errors.New(hostile("Graph is down"))})
	checkScreen(t, "error", d.m.frame(), "mark read", "Graph is down")

	// The campaign screens: recipients' names, Meta's reasons, the
	// campaign's title and text (another agent may have written them).
	d.key(tea.KeyEsc)
	be.camps.editLedger = func(l *store.Ledger) { // what Eligibility answers
		*l = store.Ledger{PageID: testPage, MessagingType: store.Update,
			Blocked:      []store.LedgerEntry{{ConvKey: k, Name: hostile("Mallory Quinn"), Kind: store.SkipBlocked, Reason: hostile("no matching user")}},
			TokenProblem: hostile("token invalid per Meta")}
	}
	d.m.mode = modeBulk
	d.run(d.m.form.Open([]store.ConvKey{k}))
	checkScreen(t, "campaign form", d.m.frame(), "Mallory Quinn", "no matching user", "token invalid per Meta")

	camp := be.addCampaign(store.Campaign{PageID: testPage, Title: hostile("Spring sale"), Text: hostile("20% off"),
		Status: store.CampaignRunning, CreatedAt: ago(time.Minute), UpdatedAt: ago(time.Minute)},
		store.OutboxItem{ConvKey: k, Name: hostile("Mallory"), State: store.OutboxFailed, Reason: hostile("user unavailable")},
		store.OutboxItem{ConvKey: convKey("2490000000006667"), State: store.OutboxSent})
	d.run(d.m.openCampaign(camp)) // its recipients come from CampaignItems
	checkScreen(t, "campaign progress", d.m.frame(), "Spring sale", "20% off", "Mallory", "user unavailable", "2490000000006667")
	d.run(d.m.openHistory()) // the campaigns come from Campaigns
	checkScreen(t, "campaign list", d.m.frame(), "Spring sale")
	d.run(d.m.contact.Show(k)) // the campaigns received, from Contact
	checkScreen(t, "contact pane", d.m.contact.View(), "Mallory Quinn", "Spring sale", "failed: ", "user unavailable")
}

// Over SSH the frame is coloured: View lets the renderer's SGR through
// and nothing else, whatever the fields hold.
func TestHostileTextViewHoldsOnlyColours(t *testing.T) {
	be, _ := hostileBackend()
	t.Cleanup(be.close)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	m := New(Options{Backend: be, Renderer: r, Now: fixedClock, NoTick: true})
	d := &driver{t: t, be: be, m: m}
	d.send(tea.WindowSizeMsg{Width: 140, Height: 40})
	d.run(m.Init())
	d.key(tea.KeyEnter)
	v := m.View()
	if !sgrRE.MatchString(v) {
		t.Fatalf("no colour in the frame: the test would prove nothing")
	}
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\x1bP", "\a", "\u009b", "\u202e"} {
		if strings.Contains(v, bad) {
			t.Errorf("View holds %q", bad)
		}
	}
	if why := inertViolation(v, true); why != "" {
		t.Errorf("View holds %s besides colours:\n%q", why, v)
	}
	for _, w := range []string{"Mallory Quinn", "Parcel 7731 arrived", "invoice.pdf"} {
		if !strings.Contains(sgrRE.ReplaceAllString(v, ""), w) {
			t.Errorf("%q is not on screen", w)
		}
	}
}

// The backstop: text that reached the frame raw (here planted in a key's
// help, as a key map read from a config file could hold it, or as a field
// a future change forgot would) still never reaches the terminal as a
// sequence.
func TestViewBackstopDropsWhatSlipsThrough(t *testing.T) {
	d := newDriver(t, busyBackend(), 120, 36)
	d.key(tea.KeyEnter)
	if len(d.m.thread.Messages()) == 0 {
		t.Fatal("no thread open")
	}
	d.m.common.Keys.Send.SetHelp("enter", "slipped\x1b]2;pwned\x07\x1b[2Jthrough") // on the help line of the reply box
	if !strings.Contains(d.m.frame(), "\x1b]2;pwned") {
		t.Fatal("the planted line is not in the frame: the test would prove nothing")
	}
	v := d.m.View()
	if why := inertViolation(v, false); why != "" {
		t.Errorf("View holds %s:\n%q", why, v)
	}
	if !strings.Contains(v, "slipped"+inert.Placeholder+"through") {
		t.Errorf("the planted line's text is not on screen:\n%s", v)
	}
}
