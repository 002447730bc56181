package tui

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/compose"
)

// homeFiles are this machine's files with home at a test's directory.
type homeFiles struct {
	compose.LocalFiles
	home string
}

func (h homeFiles) Home() (string, error) { return h.home, nil }

// attachDir is a home with an invoice (1.2 MB), a photo (a PNG's first
// bytes under a name without extension, so sniffed), a directory and a
// hidden file.
func attachDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("invoice.pdf", bytes.Repeat([]byte("%PDF"), 1258291/4+1)[:1258291])
	write("invoice-old.pdf", []byte("%PDF-1.4 old"))
	write("photo", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 348160)...))
	write(".secret", []byte("hidden"))
	if err := os.Mkdir(filepath.Join(dir, "docs"), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// attachDriver is the busy inbox with the first conversation open in
// the reply box, and files of home to attach.
func attachDriver(t *testing.T, home string) *driver {
	t.Helper()
	d := busyDriver(t, 120, 36)
	d.m.compose.SetFiles(homeFiles{home: home})
	d.key(tea.KeyEnter)
	d.wantFocus(paneCompose)
	return d
}

func (d *driver) attach(path string) {
	d.t.Helper()
	d.send(tea.KeyMsg{Type: tea.KeyCtrlA})
	d.runes(path)
	d.key(tea.KeyEnter)
}

// An SSH session's TUI has no Files: ctrl+a opens nothing, runs nothing
// (no command: no file of the server is looked at) and the footer says
// why and what to use instead.
func TestCtrlAInSSHSessionSaysWhy(t *testing.T) {
	d := busyDriver(t, 120, 36)
	d.key(tea.KeyEnter)
	d.runes("half a reply")
	// The only command is the note itself: nothing is looked at.
	if msg := d.call(d.keyNoRun(tea.KeyMsg{Type: tea.KeyCtrlA})); msg != common.NoteMsg(compose.ErrAttachOff) {
		t.Fatalf("ctrl+a without Files returned %#v, want the note only", msg)
	} else {
		d.send(msg)
	}
	if d.m.statusbar.Note() != compose.ErrAttachOff {
		t.Errorf("status note %q", d.m.statusbar.Note())
	}
	if d.m.compose.Attaching() {
		t.Fatal("the path input opened in a session without Files")
	}
	d.wantView("attaching files is off in SSH sessions", "half a reply")
}

// Tab completes in the path input: ~ is home, a unique name completes
// whole, several complete to what they share and are listed, a directory
// gets its /, hidden files only when the prefix starts with a dot.
func TestAttachTabCompletes(t *testing.T) {
	d := attachDriver(t, attachDir(t))
	d.send(tea.KeyMsg{Type: tea.KeyCtrlA})
	if !d.m.compose.Attaching() {
		t.Fatal("ctrl+a did not open the path input")
	}
	d.runes("~/ph")
	d.key(tea.KeyTab)
	d.wantView("attach: ~/photo")
	d.wantFocus(paneCompose) // tab completed; it did not move the focus

	clearInput(d)
	d.runes("~/inv")
	d.key(tea.KeyTab)
	d.wantView("attach: ~/invoice", "invoice-old.pdf  invoice.pdf")

	clearInput(d)
	d.runes("~/")
	d.key(tea.KeyTab)
	if v := d.view(); strings.Contains(v, ".secret") || !strings.Contains(v, "docs/") {
		t.Errorf("~/ lists hidden files or lacks the directory:\n%s", v)
	}
	d.runes(".")
	d.key(tea.KeyTab)
	d.wantView("attach: ~/.secret")
}

// clearInput empties the path input (ctrl+u: all before the cursor).
func clearInput(d *driver) { d.send(tea.KeyMsg{Type: tea.KeyCtrlU}) }

// Attached files are chips with name, type and size; ctrl+x takes the
// last off, and so does backspace in the empty path input.
func TestAttachChipsAndRemove(t *testing.T) {
	d := attachDriver(t, attachDir(t))
	d.attach("~/invoice.pdf")
	d.attach("~/photo")
	if got := d.m.compose.Attached(); !slices.Equal(got, []string{"invoice.pdf", "photo"}) {
		t.Fatalf("attached %v", got)
	}
	d.wantView("[file invoice.pdf 1.2 MB]", "[image photo 340 KB]")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlX})
	if got := d.m.compose.Attached(); !slices.Equal(got, []string{"invoice.pdf"}) {
		t.Fatalf("after ctrl+x: %v", got)
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlA})
	d.key(tea.KeyBackspace)
	if got := d.m.compose.Attached(); len(got) != 0 {
		t.Fatalf("after backspace in the empty path: %v", got)
	}
	d.key(tea.KeyEsc)
	d.wantFocus(paneCompose) // esc closed the path input only
}

// A file over 25 MB is refused when it is attached, before any upload;
// so are a path that is not there and a directory.
func TestAttachTooBigRefusedBeforeUpload(t *testing.T) {
	dir := attachDir(t)
	f, err := os.Create(filepath.Join(dir, "huge.mov"))
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(26 << 20) // sparse
	f.Close()
	d := attachDriver(t, dir)
	d.attach("~/huge.mov")
	if note := d.m.statusbar.Err(); !strings.Contains(note, "over Messenger's 25 MB limit") {
		t.Errorf("status %q, want the 25 MB refusal", note)
	}
	d.key(tea.KeyEsc)
	d.attach("~/nothing.pdf")
	if note := d.m.statusbar.Err(); !strings.Contains(note, "nothing.pdf") {
		t.Errorf("status %q, want the missing file named", note)
	}
	d.key(tea.KeyEsc)
	d.attach("~/docs")
	if note := d.m.statusbar.Err(); !strings.Contains(note, "docs: not a regular file") {
		t.Errorf("status %q, want the directory refused", note)
	}
	if len(d.m.compose.Attached()) != 0 || len(d.be.uploads()) != 0 {
		t.Errorf("attached %v, uploads %d: want nothing", d.m.compose.Attached(), len(d.be.uploads()))
	}
}

// Enter uploads every file, then sends the text with the first file and
// the second on its own; the bytes are the files', the box is emptied.
func TestSendWithFilesUploadsThenSends(t *testing.T) {
	dir := attachDir(t)
	d := attachDriver(t, dir)
	d.runes("here you go")
	d.attach("~/invoice.pdf")
	d.attach("~/photo")
	d.key(tea.KeyEnter)
	ups := d.be.uploads()
	if len(ups) != 2 {
		t.Fatalf("%d uploads, want 2", len(ups))
	}
	want, _ := os.ReadFile(filepath.Join(dir, "invoice.pdf"))
	if ups[0].Req.Name != "invoice.pdf" || !bytes.Equal(ups[0].Bytes, want) || ups[0].Req.PageID != testPage {
		t.Errorf("first upload %+v (%d bytes), want invoice.pdf's %d bytes for the Page", ups[0].Req, len(ups[0].Bytes), len(want))
	}
	sends := d.be.sendCalls()
	if len(sends) != 2 {
		t.Fatalf("%d sends, want 2", len(sends))
	}
	if sends[0].Text != "here you go" || sends[0].AttachmentID != "att-1" || sends[0].AttachmentType != "file" {
		t.Errorf("first send %+v, want the text with the invoice", sends[0])
	}
	if sends[1].Text != "" || sends[1].AttachmentID != "att-2" || sends[1].AttachmentType != "image" {
		t.Errorf("second send %+v, want the photo alone", sends[1])
	}
	if d.m.compose.Value() != "" || len(d.m.compose.Attached()) != 0 {
		t.Errorf("after sending: text %q, files %v", d.m.compose.Value(), d.m.compose.Attached())
	}
}

// Several pictures go as one message, as send --file sends them; the
// PDF still goes on its own.
func TestSendWithImagesGroupsThem(t *testing.T) {
	dir := attachDir(t)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 1024)...)
	if err := os.WriteFile(filepath.Join(dir, "photo2.png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
	d := attachDriver(t, dir)
	d.runes("both sides")
	d.attach("~/photo")
	d.attach("~/invoice.pdf")
	d.attach("~/photo2.png")
	d.key(tea.KeyEnter)
	sends := d.be.sendCalls()
	if len(sends) != 2 {
		t.Fatalf("%d sends, want 2 (the pictures together, then the PDF)", len(sends))
	}
	if s := sends[0]; s.Text != "both sides" || s.AttachmentType != "image" || len(s.Images) != 1 || s.Images[0].AttachmentType != "image" {
		t.Errorf("first send %+v, want the text with both pictures", s)
	}
	if s := sends[1]; s.Text != "" || s.AttachmentType != "file" || len(s.Images) != 0 {
		t.Errorf("second send %+v, want the PDF alone", s)
	}
	if len(d.m.compose.Attached()) != 0 {
		t.Errorf("files left after sending: %v", d.m.compose.Attached())
	}
}

// Meta refusing an upload sends nothing: the text and the files stay,
// and the error says which file.
func TestUploadRefusedKeepsTheDraft(t *testing.T) {
	d := attachDriver(t, attachDir(t))
	d.be.fail["Upload"] = errors.New("graph upload: (#100) Upload attachment failure")
	d.runes("the invoice")
	d.attach("~/invoice.pdf")
	d.key(tea.KeyEnter)
	if n := len(d.be.sendCalls()); n != 0 {
		t.Fatalf("%d sends after a refused upload", n)
	}
	if d.m.compose.Value() != "the invoice" || len(d.m.compose.Attached()) != 1 {
		t.Errorf("text %q, files %v: want both kept", d.m.compose.Value(), d.m.compose.Attached())
	}
	if note := d.m.statusbar.Err(); !strings.Contains(note, "invoice.pdf") || !strings.Contains(note, "Upload attachment failure") {
		t.Errorf("status %q", note)
	}
}

// The reply box with two files attached and a reply typed.
func TestGoldenComposeWithTwoFiles(t *testing.T) {
	d := attachDriver(t, attachDir(t))
	d.runes("Your invoice and the photo")
	d.attach("~/invoice.pdf")
	d.attach("~/photo")
	teatest.RequireEqualOutput(t, []byte(d.view()))
}
