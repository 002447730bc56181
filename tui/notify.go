package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// Desktop notification forms (Notify.Desktop).
const (
	DesktopOff    = ""
	DesktopOSC9   = "osc9"
	DesktopOSC777 = "osc777"
)

// Notify says how news (a new customer message, a conversation assigned
// to this agent, a note that @mentions them) reaches the agent beyond the
// bell (Options.Bell). The zero value is the bell alone.
type Notify struct {
	// Desktop is the desktop notification written to the agent's
	// terminal: DesktopOff, DesktopOSC9 or DesktopOSC777. Opt-in: a
	// terminal that knows neither may print it.
	Desktop string
	// Title keeps the unread count in the terminal's title (and the tmux
	// window's name): "pageinbox (3)". It is cleared when the TUI closes.
	Title bool
	// Tmux: the agent's terminal is behind tmux, so desktop notifications
	// go through its passthrough (tmux needs allow-passthrough on).
	Tmux bool
	// Command is run for each notification where the TUI may start
	// programs (Options.Programs; never in an SSH session): argv, not a
	// shell line. In each argument {title}, {name}, {text} and {count}
	// are replaced by inert, length-capped text. It runs with
	// Programs.Env, one at a time, at most once per NotifyEvery.
	Command []string
}

// NotifyEvery is the least time between two runs of Notify.Command: a
// burst of messages starts it once.
const NotifyEvery = 3 * time.Second

// notice is one piece of news for the agent.
type notice struct {
	name string // the customer's, as Meta gave it
	text string // ours, with the customer's words in it
}

func (n notice) body() string { return notifyText(n.who()+": "+n.text, NotifyMax) }

// who is the customer's name, inert, or "a customer" before it is known.
func (n notice) who() string {
	if name := notifyText(n.name, 40); name != "" {
		return name
	}
	return "a customer"
}

// notifier is the root model's notification state.
type notifier struct {
	title   *lastTitle
	asked   int       // the unread count the title was last asked to show; -1: none yet
	running bool      // the command is running
	ran     time.Time // when it last started
}

// lastTitle orders title writes: each Cmd writes the newest title wanted,
// whichever order the Cmds run in.
type lastTitle struct {
	mu      sync.Mutex
	want    int
	written int // -1 before the first
}

// noticesIn finds the news in a burst of changes: new inbound messages
// outside the open thread, conversations newly assigned to this agent and
// notes that mention them. It reads the list before the burst is applied.
func (m *Model) noticesIn(changes []store.Change) []notice {
	var out []notice
	me := m.common.Agent.Name
	names := map[store.ConvKey]string{} // the burst's own, for conversations new to the list
	for _, ch := range changes {
		if ch.Kind == store.ConversationUpdated {
			names[ch.Conversation.ConvKey] = ch.Conversation.Name
		}
	}
	nameOf := func(key store.ConvKey) string {
		if n, ok := names[key]; ok {
			return n
		}
		return m.nameOf(key)
	}
	for _, ch := range changes {
		switch ch.Kind {
		case store.MessageAdded:
			msg := *ch.Message
			viewing := m.thread.IsOpen() && msg.ConvKey == m.thread.Key() && m.focus != paneList
			if msg.Direction == store.In && !viewing {
				out = append(out, notice{name: nameOf(msg.ConvKey), text: msg.Text})
			}
		case store.ConversationUpdated:
			c := *ch.Conversation
			if me != "" && c.Assignee == me && m.assigneeOf(c.ConvKey) != me && !m.actingOn(c.ConvKey) {
				out = append(out, notice{name: c.Name, text: "assigned to you"})
			}
		case store.NoteAdded:
			n := *ch.Note
			if me != "" && n.Author != me && mentions(n.Text, me) {
				out = append(out, notice{name: nameOf(n.ConvKey), text: "@" + me + " in a note: " + n.Text})
			}
		}
	}
	return out
}

func (m *Model) nameOf(key store.ConvKey) string {
	for _, c := range m.list.Conversations() {
		if c.ConvKey == key {
			return c.Name
		}
	}
	return ""
}

// assigneeOf is who the list last knew key assigned to; "\x00" if the list
// does not hold it (so a conversation outside the list, newly assigned,
// is news too).
func (m *Model) assigneeOf(key store.ConvKey) string {
	for _, c := range m.list.Conversations() {
		if c.ConvKey == key {
			return c.Assignee
		}
	}
	return "\x00"
}

// actingOn: the agent has key open, selected or marked, so an assignment
// to them there is most likely their own doing (assigning it, or a reply
// that claimed it) and not news.
func (m *Model) actingOn(key store.ConvKey) bool {
	return m.thread.IsOpen() && m.thread.Key() == key || m.list.Selected() == key || m.list.IsMarked(key)
}

func mentions(text, name string) bool {
	lower, at := strings.ToLower(text), "@"+strings.ToLower(name)
	for i := strings.Index(lower, at); i >= 0; {
		end := i + len(at)
		if end == len(lower) || !isWordByte(lower[end]) {
			return true
		}
		next := strings.Index(lower[end:], at)
		if next < 0 {
			return false
		}
		i = end + next
	}
	return false
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 0x80
}

// notify tells the agent of the burst's news: one desktop notification
// and one run of the command for the newest, however many there are.
func (m *Model) notify(news []notice) tea.Cmd {
	if len(news) == 0 {
		return nil
	}
	n := news[len(news)-1]
	return tea.Batch(m.desktop(n), m.runNotifyCommand(n))
}

// desktop writes n as a desktop notification to the agent's terminal.
func (m *Model) desktop(n notice) tea.Cmd {
	var seq string
	switch m.opts.Notify.Desktop {
	case DesktopOSC9:
		seq = osc9("pageinbox: " + n.body())
	case DesktopOSC777:
		seq = osc777("pageinbox", n.body())
	default:
		return nil
	}
	if m.opts.Notify.Tmux {
		seq = tmuxWrap(seq)
	}
	return m.emit(seq)
}

// emit writes seq to the agent's terminal (Options.Terminal), in a Cmd.
func (m *Model) emit(seq string) tea.Cmd {
	w := m.opts.Terminal
	if w == nil {
		return nil
	}
	return func() tea.Msg { w([]byte(seq)); return nil }
}

// notifyDoneMsg: the notify command ended.
type notifyDoneMsg struct{ err error }

// runNotifyCommand starts Notify.Command for n, where the TUI may start
// programs, unless it is running or ran within NotifyEvery.
func (m *Model) runNotifyCommand(n notice) tea.Cmd {
	p, argv := m.opts.Programs, m.opts.Notify.Command
	now := m.opts.Now()
	if p == nil || len(argv) == 0 || m.notifier.running || now.Sub(m.notifier.ran) < NotifyEvery {
		return nil
	}
	m.notifier.running, m.notifier.ran = true, now
	args := notifyArgs(argv[1:], map[string]string{
		"{title}": "pageinbox", "{name}": n.who(),
		"{text}": notifyText(n.text, NotifyMax), "{count}": strconv.Itoa(m.list.Counts().Unread)})
	ctx := m.common.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		// stdin, stdout and stderr stay /dev/null: the terminal is the TUI's.
		return notifyDoneMsg{p.command(ctx, argv[0], args...).Run()}
	}
}

// notifyArgs fills the placeholders in each argument, in one pass: text
// put in (a customer named "{count}") is never filled again. An argument
// the filling made start with '-' gets a space in front, so the program
// does not read a customer's words as an option.
func notifyArgs(tmpl []string, values map[string]string) []string {
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, k, v)
	}
	fill := strings.NewReplacer(pairs...)
	out := make([]string, len(tmpl))
	for i, a := range tmpl {
		filled := fill.Replace(a)
		if filled != a && strings.HasPrefix(filled, "-") && !strings.HasPrefix(a, "-") {
			filled = " " + filled
		}
		out[i] = filled
	}
	return out
}

// retitle writes the title for the unread count, if Notify.Title and the
// count moved since the title last asked for.
func (m *Model) retitle() tea.Cmd {
	t := m.notifier.title
	if !m.opts.Notify.Title || m.opts.Terminal == nil {
		return nil
	}
	n := m.list.Counts().Unread
	if n == m.notifier.asked {
		return nil
	}
	m.notifier.asked = n
	t.mu.Lock()
	t.want = n
	t.mu.Unlock()
	w, tmux := m.opts.Terminal, m.opts.Notify.Tmux
	return func() tea.Msg {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.written != t.want {
			if t.written < 0 {
				w([]byte(titleSave))
			}
			w([]byte(titleSeq(titleText(t.want), tmux)))
			t.written = t.want
		}
		return nil
	}
}

// restoreTitle gives the terminal its title back (Close).
func (m *Model) restoreTitle() {
	t := m.notifier.title
	if !m.opts.Notify.Title || m.opts.Terminal == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.written >= 0 {
		m.opts.Terminal([]byte(titleRestore(m.opts.Notify.Tmux)))
		t.written = -1
	}
}

// notifyUpdate handles the notifier's own messages.
func (m *Model) notifyUpdate(msg notifyDoneMsg) tea.Cmd {
	m.notifier.running = false
	if msg.err != nil {
		m.setErr("notify command", common.Error(firstLine(msg.err.Error())))
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Check rejects a Desktop that is none of the forms.
func (n Notify) Check() error {
	switch n.Desktop {
	case DesktopOff, "off", DesktopOSC9, DesktopOSC777:
		return nil
	}
	return fmt.Errorf("desktop notification %q: want osc9, osc777 or off", n.Desktop)
}
