package thread

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestChip(t *testing.T) {
	for _, c := range []struct {
		a    store.Attachment
		want string
	}{
		{store.Attachment{Type: "image", URL: "https://cdn.example/p/1.jpg"}, "[image]"},
		{store.Attachment{Type: "audio", URL: "https://cdn.example/a/1.mp4"}, "[voice]"},
		{store.Attachment{Type: "video", URL: "https://cdn.example/v/1.mp4"}, "[video]"},
		{store.Attachment{Type: "file", URL: "https://cdn.example/f/invoice%202291.pdf?x=1"}, "[file invoice 2291.pdf]"},
		{store.Attachment{Type: "file", Title: "Size chart.pdf", URL: "https://cdn.example/f/1"}, "[file Size chart.pdf]"},
		{store.Attachment{Type: "file", URL: "https://cdn.example/"}, "[file]"},
		{store.Attachment{Type: "location", Lat: 52.520008, Long: 13.404954}, "[location 52.52001,13.40495]"},
		{store.Attachment{Type: "location"}, "[location]"},
		{store.Attachment{Type: "image", StickerID: "369239263222822", URL: "https://cdn.example/s.png"}, "[sticker 369239263222822]"},
		{store.Attachment{Type: "fallback", Title: "Order #2291", URL: "https://shop.example/o/2291"}, "[fallback Order #2291]"},
		{store.Attachment{Type: "template"}, "[template]"},
		{store.Attachment{}, "[attachment]"},
		// From outside, every part inert, and one line.
		{store.Attachment{Type: "file\x1b[2J", Title: "a\nb\x07.pdf"}, "[file" + inert.Placeholder + " a b" + inert.Placeholder + ".pdf]"},
		{store.Attachment{Type: "file", URL: "https://e.x/%1B%5D2%3Bpwned%07.pdf"}, "[file " + inert.Placeholder + ".pdf]"},
	} {
		if got := Chip(c.a); got != c.want {
			t.Errorf("Chip(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
}

// chipPages is a thread with one message of each kind of attachment, and
// one whose link is not one we open.
func chipPages() *pages {
	at := func(min int, a ...store.Attachment) store.Message {
		return store.Message{ID: "m" + string(rune('a'+min)), ConvKey: carla, Direction: store.In, Attachments: a,
			Time: now.Add(time.Duration(min-20) * time.Minute), Status: store.StatusReceived}
	}
	p := &pages{}
	p.msgs = []store.Message{
		at(0, store.Attachment{Type: "image", URL: "https://cdn.example/p/jacket-back.jpg"}),
		at(1, store.Attachment{Type: "audio", URL: "https://cdn.example/a/voice.mp4"}),
		at(2, store.Attachment{Type: "video", URL: "https://cdn.example/v/360.mp4"}),
		at(3, store.Attachment{Type: "file", URL: "https://cdn.example/f/invoice-2291.pdf"}),
		at(4, store.Attachment{Type: "location", Lat: 52.520008, Long: 13.404954}),
		at(5, store.Attachment{Type: "image", StickerID: "369239263222822", URL: "https://cdn.example/s/like.png"}),
		at(6, store.Attachment{Type: "fallback", Title: "Order #2291", URL: "https://shop.example/o/2291"}),
		at(7, store.Attachment{Type: "file", Title: "notes.txt", URL: "javascript:alert(1)"}),
	}
	p.msgs[0].Text = "the back, torn"
	return p
}

// The chips, in a true-colour terminal: each with an OSC 8 link to its
// attachment, which the frame's backstop keeps; a link we do not open
// (javascript:) is shown inert next to its chip and is no hyperlink.
func TestGoldenChips(t *testing.T) {
	c := newCommon(time.UTC)
	c.Renderer.SetColorProfile(termenv.TrueColor)
	m := open(t, c, chipPages(), 60, 40)
	got := inert.Styled(m.View())
	for _, link := range []string{"https://cdn.example/p/jacket-back.jpg", "https://cdn.example/f/invoice-2291.pdf",
		"https://shop.example/o/2291"} {
		if !strings.Contains(got, "\x1b]8;;"+link+"\x1b\\") {
			t.Errorf("no hyperlink to %s in the frame", link)
		}
	}
	if strings.Contains(got, "\x1b]8;;javascript") {
		t.Error("a javascript: URL became a hyperlink")
	}
	golden := filepath.Join("testdata", "chips.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("chips differ from %s:\n%q\nwant:\n%q", golden, got, want)
	}
}

// Without colour (a plain terminal), a chip is only its label.
func TestChipsWithoutColourHaveNoEscapes(t *testing.T) {
	m := open(t, newCommon(time.UTC), chipPages(), 60, 40)
	v := m.View()
	if strings.Contains(v, "\x1b") {
		t.Fatalf("an escape in an Ascii frame: %q", v)
	}
	for _, want := range []string{"[image]", "[voice]", "[video]", "[file invoice-2291.pdf]", "[location 52.52001,13.40495]",
		"[sticker 369239263222822]", "[fallback Order #2291]", "[file notes.txt] javascript:alert(1)"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q is not on screen:\n%s", want, v)
		}
	}
}

func press(m *Model, s string) tea.Msg {
	cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
	if cmd == nil {
		return nil
	}
	return cmd()
}

// The newest message has the focus, unmarked; [ and ] move it, marked,
// and o and y act on the focused message.
func TestFocusOpenAndCopy(t *testing.T) {
	m := open(t, newCommon(time.UTC), chipPages(), 60, 12)
	if strings.Contains(m.View(), "▶") {
		t.Fatalf("a focus mark before any move:\n%s", m.View())
	}
	// The newest: a javascript: link is neither opened nor copied.
	if msg, ok := press(m, "o").(OpenLinkMsg); ok {
		t.Fatalf("o opened %q", msg.URL)
	}
	if msg, ok := press(m, "y").(CopyMsg); ok {
		t.Fatalf("y copied %q", msg.Text)
	}
	press(m, "[")
	if got := press(m, "o"); got != (OpenLinkMsg{URL: "https://shop.example/o/2291"}) {
		t.Fatalf("o on the fallback: %#v", got)
	}
	if !strings.Contains(m.View(), "▶ 15:16") {
		t.Fatalf("the focused message is not marked:\n%s", m.View())
	}
	for range 6 {
		press(m, "[")
	}
	if !strings.Contains(m.View(), "the back, torn") || !strings.Contains(m.View(), "▶ 15:10") {
		t.Fatalf("the focus moved to the oldest, off screen:\n%s", m.View())
	}
	if got := press(m, "y"); got != (CopyMsg{Text: "the back, torn"}) {
		t.Fatalf("y on a message with text: %#v", got)
	}
	press(m, "]")
	if got := press(m, "y"); got != (CopyMsg{Text: "https://cdn.example/a/voice.mp4"}) {
		t.Fatalf("y on a voice note: %#v", got)
	}
	for range 7 {
		press(m, "]")
	}
	if m.focus != "" || strings.Contains(m.View(), "▶") {
		t.Fatalf("past the newest, the focus is still marked (%q):\n%s", m.focus, m.View())
	}
}

// [ past the oldest loaded message loads older history, as scrolling up
// to it does, and goes on into it.
func TestFocusLoadsOlderHistory(t *testing.T) {
	m := open(t, newCommon(time.UTC), newPages(PageSize+10), 60, 12)
	run(m, m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("[", PageSize-1))}))
	if m.before != "" {
		t.Fatalf("the focus reached the oldest loaded message and older history is still not loaded (%d messages)", len(m.msgs))
	}
	run(m, m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("[")}))
	if msg, _ := m.Focused(); msg.Text != fmt.Sprintf("message %03d", 9) {
		t.Fatalf("focused %q, want message 009", msg.Text)
	}
}
