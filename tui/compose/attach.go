package compose

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// ErrAttachOff is why ctrl+a does nothing in a session without Files.
const ErrAttachOff = "attaching files is off in SSH sessions: the path would be on the server; " +
	"use an attached TUI (pageinbox attach) or `pageinbox send --file`"

// attachState is the files going with the reply: ctrl+a's path input,
// the chips, and the upload under way.
type attachState struct {
	files Files // nil: attaching is off (SSH)
	input textinput.Model
	open  bool
	hint  string // the footer while the path input is open
	note  string // why ctrl+a did nothing, until the next key
	list  []attachment
	run   *sendRun // the reply with files going out; nil: none
}

// SetFiles lets ctrl+a attach the files of the machine the TUI runs on.
func (m *Model) SetFiles(f Files) { m.att.files = f }

// Attaching reports whether the path input has the keys.
func (m *Model) Attaching() bool { return m.att.open }

func newPathInput(c *common.Common) textinput.Model {
	in := c.Input("attach: ", "path of a file (tab completes, ~ is home)", c.Styles.Bold)
	in.Cursor.SetMode(cursor.CursorStatic) // a blink is a timer the root never asked for
	return in
}

func (m *Model) openAttach() tea.Cmd {
	switch {
	case m.att.files == nil:
		// The footer is narrow; the status bar has room for what to use.
		m.att.note = ErrAttachOff
		return common.NoteCmd(ErrAttachOff)
	case m.att.run != nil:
		m.att.note = "still sending the last reply"
		return nil
	}
	m.att.input = newPathInput(m.common)
	m.att.input.Focus()
	m.att.open, m.att.hint = true, "tab completes · enter attaches · esc closes"
	m.fit()
	return nil
}

func (m *Model) closeAttach() {
	m.att.open, m.att.hint = false, ""
	m.att.input.Blur()
	m.fit()
}

// removeLast takes the last chip off.
func (m *Model) removeLast() {
	if len(m.att.list) > 0 && m.att.run == nil {
		m.att.list = m.att.list[:len(m.att.list)-1]
		m.fit()
	}
}

// attachKey is a key for the open path input.
func (m *Model) attachKey(msg tea.KeyMsg) tea.Cmd {
	k, value := m.common.Keys, m.att.input.Value()
	switch {
	case key.Matches(msg, k.Back):
		m.closeAttach()
		return nil
	case key.Matches(msg, k.AttachComplete):
		return completeCmd(m.att.files, value)
	case key.Matches(msg, k.Send):
		if strings.TrimSpace(value) == "" {
			m.closeAttach()
			return nil
		}
		return attachCmd(m.att.files, value)
	case msg.Type == tea.KeyBackspace && value == "":
		m.removeLast()
		return nil
	}
	var cmd tea.Cmd
	m.att.input, cmd = m.att.input.Update(msg)
	return cmd
}

// completed applies a completion, unless the agent typed meanwhile:
// the names' common prefix goes in; several names are listed below.
func (m *Model) completed(msg completedMsg) {
	if !m.att.open || m.att.input.Value() != msg.input {
		return
	}
	switch len(msg.matches) {
	case 0:
		m.att.hint = "no file starts with that"
		return
	case 1:
		m.att.hint = ""
	default:
		m.att.hint = strings.Join(msg.matches, "  ")
	}
	if p := msg.dir + commonPrefix(msg.matches); len(p) >= len(msg.input) {
		m.att.input.SetValue(p)
		m.att.input.CursorEnd()
	}
}

func (m *Model) attached(msg attachedMsg) tea.Cmd {
	if msg.err != nil {
		return common.ErrorCmd("attach", msg.err)
	}
	if slices.ContainsFunc(m.att.list, func(a attachment) bool { return a.path == msg.file.path }) {
		return common.NoteCmd(msg.file.name + " is attached already")
	}
	m.att.list = append(m.att.list, msg.file)
	if m.att.open && m.att.input.Value() == msg.input {
		m.closeAttach()
	}
	m.fit()
	return nil
}

// chipsLine shows the attached files; their names are the agent's own
// files' but still made inert (a name may hold escape sequences).
func (m *Model) chipsLine() string {
	s := m.common.Styles
	var b strings.Builder
	b.WriteString(s.Dim.Render("files:"))
	for _, a := range m.att.list {
		b.WriteString(" [" + a.kind + " " + inert.Line(a.name) + " " + humanSize(a.size) + "]")
	}
	b.WriteString(s.Dim.Render("  (ctrl+x removes)"))
	return common.Truncate(b.String(), m.width)
}

// sendRun is a reply with files going out: every file uploaded (a file
// refused sends nothing), then the text with the first file, then the
// others, one message each, as `send --file` does. Its progress comes
// as messages, at most one per percent and none queued behind another.
type sendRun struct {
	progress chan uploadMsg
	done     chan SentMsg
	shown    uploadMsg // the footer's
	text     string    // the text sent: what the agent types meanwhile stays
}

// uploadMsg is how far a file's upload is.
type uploadMsg struct {
	run        *sendRun
	name       string
	sent, size int64
}

func (m *Model) sendWithFiles(p plan) tea.Cmd {
	base := store.Send{ConvKey: m.key, Text: strings.TrimSpace(m.area.Value()), MessagingType: p.mt, Tag: p.tag, ReplyTo: m.quote.MID}
	run := &sendRun{progress: make(chan uploadMsg, 1), done: make(chan SentMsg, 1), text: base.Text}
	m.att.run = run
	be, ctx, files, list := m.be, m.common.Ctx, m.att.files, slices.Clone(m.att.list)
	deliver := func() tea.Msg {
		run.done <- run.deliver(ctx, be, files, base, list)
		return nil
	}
	return tea.Batch(deliver, run.wait)
}

// wait is the next news of the run.
func (r *sendRun) wait() tea.Msg {
	select {
	case p := <-r.progress:
		return p
	case d := <-r.done:
		return d
	}
}

func (r *sendRun) deliver(ctx context.Context, be Backend, files Files, base store.Send, list []attachment) SentMsg {
	res := SentMsg{Key: base.ConvKey, run: r}
	var ups []store.UploadedFile
	for _, a := range list {
		f, err := r.upload(ctx, be, files, base.PageID, a)
		if err != nil {
			res.Err = err
			return res
		}
		ups = append(ups, f)
	}
	// As send --file: the text with the first send, the images together
	// as one message (30 at most), every other file on its own.
	for _, s := range store.FileSends(base, ups) {
		item, err := be.Send(ctx, s)
		if err != nil {
			res.Err = err
			return res
		}
		res.Item, res.Files = item, res.Files+1+len(s.Images)
	}
	return res
}

func (r *sendRun) upload(ctx context.Context, be Backend, files Files, pageID string, a attachment) (store.UploadedFile, error) {
	f, err := files.Open(a.path)
	if err != nil {
		return store.UploadedFile{}, fmt.Errorf("%s: %w", a.name, unwrapPath(err))
	}
	defer f.Close()
	last := int64(-1)
	report := func(sent int64) {
		if pct := sent * 100 / a.size; pct != last {
			last = pct
			r.post(uploadMsg{run: r, name: a.name, sent: sent, size: a.size})
		}
	}
	report(0)
	up, err := be.Upload(ctx, inbox.UploadRequest{PageID: pageID, Name: a.name, Size: a.size}, f, report)
	if err != nil && !strings.Contains(err.Error(), a.name) {
		err = fmt.Errorf("%s: %w", a.name, err)
	}
	return up, err
}

// post replaces any progress not yet shown: the newest is all that counts.
func (r *sendRun) post(p uploadMsg) {
	for {
		select {
		case r.progress <- p:
			return
		default:
		}
		select {
		case <-r.progress:
		default:
		}
	}
}

// progressLine is the footer while files upload.
func (m *Model) progressLine() string {
	p := m.att.run.shown
	switch {
	case p.size == 0:
		return "uploading…"
	case p.sent == p.size:
		return fmt.Sprintf("uploading %s: %.1f MB sent, waiting for Messenger…", inert.Line(p.name), float64(p.size)/(1<<20))
	}
	return fmt.Sprintf("uploading %s %d%% (%.1f/%.1f MB)", inert.Line(p.name), p.sent*100/p.size,
		float64(p.sent)/(1<<20), float64(p.size)/(1<<20))
}

// sentWithFiles takes the end of a run: what went out leaves the box
// (the text goes with the first file), what did not stays.
func (m *Model) sentWithFiles(msg SentMsg) {
	if msg.run == m.att.run {
		m.att.run = nil
	}
	if msg.Key != m.key || msg.Files == 0 {
		return
	}
	m.att.list = m.att.list[min(msg.Files, len(m.att.list)):]
	m.humanAgent = false
	m.ClearQuote()
	if strings.TrimSpace(m.area.Value()) == msg.run.text {
		m.area.Reset()
		m.dirty = true
	}
}

// Attached names the files going with the reply, in order.
func (m *Model) Attached() []string {
	names := make([]string, len(m.att.list))
	for i, a := range m.att.list {
		names[i] = a.name
	}
	return names
}
