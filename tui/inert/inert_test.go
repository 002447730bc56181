package inert

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const ph = Placeholder

// attacks are what a customer can put in a message or a name to drive the
// terminal of the agent who reads it, with what String leaves of each.
var attacks = []struct {
	name, in, want string
}{
	{"OSC 2 title, BEL", "hi \x1b]2;pwned\x07 there", "hi " + ph + " there"},
	{"OSC 0 title, ST", "\x1b]0;pwned\x1b\\ok", ph + "ok"},
	{"OSC 52 clipboard, BEL", "a\x1b]52;c;aGk=\x07b", "a" + ph + "b"},
	{"OSC 52 clipboard, ST", "a\x1b]52;c;aGk=\x1b\\b", "a" + ph + "b"},
	{"OSC 52 clipboard, C1 ST", "a\x1b]52;c;aGk=\u009cb", "a" + ph + "b"},
	{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", ph + "click" + ph},
	{"clear screen", "before\x1b[2Jafter", "before" + ph + "after"},
	{"clear screen and home", "\x1b[2J\x1b[Hx", ph + "x"},
	{"cursor up and erase line", "ok\x1b[1A\x1b[2Kfake", "ok" + ph + "fake"},
	{"cursor position", "\x1b[10;20Hx", ph + "x"},
	{"private mode: hide cursor", "\x1b[?25lx", ph + "x"},
	{"SGR from outside", "\x1b[8mhidden\x1b[0m", ph + "hidden" + ph},
	{"CSI with intermediate", "\x1b[0 qx", ph + "x"},
	{"C1 CSI clear screen", "a\u009b2Jb", "a" + ph + "b"},
	{"C1 OSC title", "a\u009d2;pwned\u0007b", "a" + ph + "b"},
	{"C1 OSC, C1 ST", "a\u009d2;pwned\u009cb", "a" + ph + "b"},
	{"C1 DCS", "a\u0090$qm\u009cb", "a" + ph + "b"},
	{"C1 APC", "a\u009fpayload\x1b\\b", "a" + ph + "b"},
	{"C1 NEL", "a\u0085b", "a" + ph + "b"},
	{"DCS DECRQSS", "a\x1bP$qm\x1b\\b", "a" + ph + "b"},
	// A terminal ends the DCS at the first ESC; the second starts the OSC.
	{"DCS tmux passthrough", "a\x1bPtmux;\x1b\x1b]2;pwned\x07\x1b\\b", "a" + ph + "b"},
	{"DCS sixel", "a\x1bPq#0;2;0;0;0#0~~@@\x1b\\b", "a" + ph + "b"},
	{"APC", "a\x1b_Gf=100;AAAA\x1b\\b", "a" + ph + "b"},
	{"PM", "a\x1b^secret\x1b\\b", "a" + ph + "b"},
	{"SOS", "a\x1bXsecret\x1b\\b", "a" + ph + "b"},
	{"string aborted by CAN", "a\x1b]2;x\x18b", "a" + ph + "b"},
	{"string cut by a new ESC", "a\x1b]2;x\x1b[2Jb", "a" + ph + "b"},
	{"unterminated OSC runs to the end", "a\x1b]2;pwned and more", "a" + ph},
	{"unterminated DCS runs to the end", "a\x1bP1$r", "a" + ph},
	{"unterminated CSI", "a\x1b[12;", "a" + ph},
	{"CSI cut by a control", "a\x1b[1\x07b", "a" + ph + "b"},
	{"lone ESC at the end", "a\x1b", "a" + ph},
	{"ESC before a letter: RIS reset", "a\x1bcb", "a" + ph + "b"},
	{"ESC with intermediate: charset", "a\x1b(0b", "a" + ph + "b"},
	{"ESC # 8: fill screen with E", "a\x1b#8b", "a" + ph + "b"},
	{"ESC before non-ASCII", "a\x1bé", "a" + ph + "é"},
	{"BEL alone", "ding\x07dong", "ding" + ph + "dong"},
	{"backspace", "abc\x08\x08\x08xyz", "abc" + ph + "xyz"},
	{"NUL", "a\x00b", "a" + ph + "b"},
	{"DEL", "a\x7fb", "a" + ph + "b"},
	{"vertical tab and form feed", "a\x0b\x0cb", "a" + ph + "b"},
	{"shift out", "a\x0eb", "a" + ph + "b"},
	{"lone CR becomes a newline", "Total: 10\rTotal: 99", "Total: 10\nTotal: 99"},
	{"CRLF becomes LF", "one\r\ntwo\r\n", "one\ntwo\n"},
	{"invalid UTF-8", "a\xffb\xc3", "a" + ph + "b" + ph},
	{"a run leaves one placeholder", strings.Repeat("\x07", 1000) + "x\x1b[2J\x00\u009b2J\xff\u202e\x1b]2;t\x07y", ph + "x" + ph + "y"},
	{"a placeholder that was there stays", ph + "\x07" + ph, ph + ph + ph},
	{"bidi between removals", "a\x07\u202e\x07b", "a" + ph + "b"},
	{"raw 8-bit CSI byte", "a\x9b2Jb", "a" + ph + "2Jb"},
	{"overlong ESC", "a\xc0\x9b2J", "a" + ph + "2J"},
	{"RLO reorders the file name", "invoice_\u202Efdp.exe", "invoice_fdp.exe"},
	{"every embedding and override", "\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee", "abcde"},
	{"isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
}

func TestStringMakesAttacksInert(t *testing.T) {
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			if got := String(tc.in); got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// printable is text in many scripts that must pass byte for byte.
var printable = []string{
	"",
	"Is the blue one in stock?",
	"Olá! Ainda têm o casaco azul? Obrigada 🙏",
	"Здравствуйте, когда будет доставка?",
	"مرحبا، هل الطلب في الطريق؟",
	"שלום, מתי המשלוח יגיע?",
	"你好，我的包裹到了吗？",
	"こんにちは、在庫はありますか",
	"안녕하세요 배송 언제 오나요",
	"नमस्ते, क्या यह उपलब्ध है?",
	"สวัสดีครับ สินค้ายังมีอยู่ไหม",
	"e\u0301 combining acute, Z\u0351\u0353\u0354algo",
	"👨‍👩‍👧‍👦 family (ZWJ), 🏳️‍🌈 flag, 👍🏽 skin tone, 🇵🇹 regional",
	"zero\u200bwidth\u200cnon\u200djoiner, LRM\u200e RLM\u200f ALM\u061c",
	"two\nlines\tand a tab",
	"symbols: ©®™ €£¥ ←→ ✓✗ ½ ∑ ∞ \u00a0nbsp \ufeffbom",
	"a literal \\x1b[2J and ^[ are just text",
	ph + " a replacement character is text too",
}

func TestPrintableTextPassesUnchanged(t *testing.T) {
	for _, s := range printable {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
		if !strings.ContainsAny(s, "\n\t") {
			if got := Line(s); got != s {
				t.Errorf("Line(%q) = %q, want it unchanged", s, got)
			}
		}
		if got := Styled(s); got != s {
			t.Errorf("Styled(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestCleanTextIsNotCopied(t *testing.T) {
	s := strings.Repeat("Olá 👋 clean text, ", 50)
	if n := testing.AllocsPerRun(100, func() { _ = String(s); _ = Line(s); _ = Styled(s); _ = Styled(styledFrame) }); n != 0 {
		t.Errorf("clean text allocated %v times per call, want 0", n)
	}
}

func TestLineKeepsOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"first\nsecond":          "first second",
		"first\r\nsecond":        "first second",
		"first\rsecond":          "first second",
		"col\tcol":               "col col",
		"name\x1b]2;t\x07\nnext": "name" + ph + " next",
		"\u202Eeman":             "eman",
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStyledKeepsOnlySGR(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[1;38;5;212mname\x1b[0m":                 "\x1b[1;38;5;212mname\x1b[0m",
		"\x1b[38:2::255:0:0mred\x1b[m":                "\x1b[38:2::255:0:0mred\x1b[m",
		"\x1b[7m \x1b[0m cursor":                      "\x1b[7m \x1b[0m cursor",
		"\x1b[1mok\x1b]2;pwned\x07\x1b[0m":            "\x1b[1mok" + ph + "\x1b[0m",
		"\x1b[2J\x1b[?1049h\x1b[31m":                  ph + "\x1b[31m",
		"\x1b[>4;1m modifyOtherKeys is not SGR":       ph + " modifyOtherKeys is not SGR",
		"\u009b31m C1 CSI is never kept":              ph + " C1 CSI is never kept",
		"\x1bP$qm\x1b\\\x1b[0m":                       ph + "\x1b[0m",
		"line one\nline\ttwo\x07":                     "line one\nline\ttwo" + ph,
		"\x1b[31":                                     ph,
		"\x1b[1m\u202Ereversed?\x1b[0m":               "\x1b[1mreversed?\x1b[0m",
		"\x1b[31mred\x1b[0m \x1b[48;2;0;0;0mbg\x1b[m": "\x1b[31mred\x1b[0m \x1b[48;2;0;0;0mbg\x1b[m",
	} {
		if got := Styled(in); got != want {
			t.Errorf("Styled(%q) = %q, want %q", in, got, want)
		}
	}
}

// links are OSC 8 hyperlinks and look-alikes, with what Styled leaves.
var links = map[string]string{
	"\x1b]8;;https://cdn.example/a.jpg\x1b\\[image]\x1b]8;;\x1b\\": "\x1b]8;;https://cdn.example/a.jpg\x1b\\[image]\x1b]8;;\x1b\\",
	"\x1b]8;;http://x.example/%20\x1b\\f\x1b]8;;\x1b\\":            "\x1b]8;;http://x.example/%20\x1b\\f\x1b]8;;\x1b\\",
	"\x1b[2m\x1b]8;;https://e.x/\x1b\\a\x1b]8;;\x1b\\\x1b[0m":      "\x1b[2m\x1b]8;;https://e.x/\x1b\\a\x1b]8;;\x1b\\\x1b[0m",
	"\x1b]8;;https://e.x/\x07a\x1b]8;;\x07":                        ph + "a" + ph, // BEL-terminated
	"\x1b]8;;javascript:alert(1)\x1b\\a":                           ph + "a",
	"\x1b]8;;file:///etc/passwd\x1b\\a":                            ph + "a",
	"\x1b]8;id=1;https://e.x/\x1b\\a":                              ph + "a", // parameters: not ours
	"\x1b]8;;https://e.x/a b\x1b\\a":                               ph + "a",
	"\x1b]8;;https://e.x/\u00e9\x1b\\a":                            ph + "a",
	"\x1b]8;;https://e.x/\u009c\x1b\\a":                            ph + "a",
	"\x1b]8;;https://e.x/\x1b[2J\x1b\\a":                           ph + "a",
	"\x1b]8;;https://" + strings.Repeat("a", MaxLink) + "\x1b\\a":  ph + "a",
	"\x1b]8;;https://e.x/":                                         ph, // unterminated
	"\x1b]52;c;aGk=\x1b\\\x1b]8;;\x1b\\":                           ph + "\x1b]8;;\x1b\\",
}

func TestStyledKeepsOnlyOurLinks(t *testing.T) {
	for in, want := range links {
		if got := Styled(in); got != want {
			t.Errorf("Styled(%q) = %q, want %q", in, got, want)
		}
		if got := String(in); strings.Contains(got, "\x1b") {
			t.Errorf("String(%q) = %q keeps an escape", in, got)
		}
	}
}

// checkInert fails when out holds anything a terminal would act on.
func checkInert(t *testing.T, fn, in, out string, sgr bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: not UTF-8", fn, in, out)
	}
	rest := out
	if sgr {
		rest = dropSGR(dropLinks(out))
	}
	for _, r := range rest {
		switch {
		case r == '\n' || r == '\t':
			if fn == "Line" {
				t.Fatalf("Line(%q) = %q: holds %q", in, out, r)
			}
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			t.Fatalf("%s(%q) = %q: holds control %U", fn, in, out, r)
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			t.Fatalf("%s(%q) = %q: holds bidi control %U", fn, in, out, r)
		}
	}
}

// dropSGR removes well-formed SGR sequences: what Styled may keep.
func dropSGR(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := i + 2
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':') {
			j++
		}
		if j == len(s) || s[j] != 'm' {
			b.WriteString(s[i:]) // not SGR: let the check find the ESC
			return b.String()
		}
		s = s[j+1:]
	}
}

// dropLinks removes OSC 8 hyperlinks to an http(s) URL of printable ASCII
// (or none, closing a link), terminated by ESC \\: the only OSC Styled
// may keep. Anything else that starts like one stays for the check.
func dropLinks(s string) string {
	const open, st = "\x1b]8;;", "\x1b\\"
	var b strings.Builder
	for {
		i := strings.Index(s, open)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+len(open):], st)
		if j < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		u := s[i+len(open) : i+len(open)+j]
		ok := u == "" || len(u) <= MaxLink && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"))
		for k := 0; k < len(u); k++ {
			ok = ok && u[k] > 0x20 && u[k] < 0x7f
		}
		if !ok {
			b.WriteString(s[i:])
			return b.String()
		}
		s = s[i+len(open)+j+len(st):]
	}
}

// allPrintable reports whether s is UTF-8 made only of graphic runes
// (letters, marks, numbers, punctuation, symbols, spaces), newlines and
// tabs: text String must return as it is.
func allPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

func FuzzInert(f *testing.F) {
	for _, tc := range attacks {
		f.Add(tc.in)
	}
	for _, s := range printable {
		f.Add(s)
	}
	f.Add("\x1b[1;31mstyled\x1b[0m")
	for in := range links {
		f.Add(in)
	}
	f.Add("\x1b]52;c;" + strings.Repeat("QUFB", 100) + "\x07")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			fn   func(string) string
		}{{"String", String}, {"Line", Line}, {"Styled", Styled}} {
			out := c.fn(s)
			checkInert(t, c.name, s, out, c.name == "Styled")
			if again := c.fn(out); again != out {
				t.Fatalf("%s is not idempotent: %q -> %q -> %q", c.name, s, out, again)
			}
			if allPrintable(s) && (c.name != "Line" || !strings.ContainsAny(s, "\n\t")) && out != s {
				t.Fatalf("%s changed printable text: %q -> %q", c.name, s, out)
			}
		}
		if !strings.Contains(s, "\x1b") {
			if String(s) != Styled(s) {
				t.Fatalf("without ESC, Styled(%q) = %q differs from String = %q", s, Styled(s), String(s))
			}
		}
	})
}

var sink string

func benchText(b *testing.B, s string, fn func(string) string) {
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		sink = fn(s)
	}
}

var (
	cleanBench   = strings.Repeat("Olá! Is the blue jacket in stock? 👍 ", 20)
	hostileBench = strings.Repeat("Olá! \x1b]2;pwned\x07Is the \x1b[2Jblue \u009b2J jacket\u202E in stock?\x07 ", 20)
)

// copyString is the baseline: a plain copy of the input.
func copyString(s string) string { return strings.Clone(s) }

func BenchmarkCopyClean(b *testing.B)     { benchText(b, cleanBench, copyString) }
func BenchmarkStringClean(b *testing.B)   { benchText(b, cleanBench, String) }
func BenchmarkLineClean(b *testing.B)     { benchText(b, cleanBench, Line) }
func BenchmarkCopyHostile(b *testing.B)   { benchText(b, hostileBench, copyString) }
func BenchmarkStringHostile(b *testing.B) { benchText(b, hostileBench, String) }
func BenchmarkLineHostile(b *testing.B)   { benchText(b, hostileBench, Line) }

// styledFrame is a 200x50 screen as lipgloss colours it: an SGR sequence
// every few words, box drawing, non-ASCII text.
var styledFrame = strings.Repeat("│\x1b[1;38;5;212m▌ Olá Mendes\x1b[0m \x1b[38;5;245m1m\x1b[0m "+
	strings.Repeat("\x1b[38;2;120;120;120mtext of the thread, \x1b[0m", 8)+"│\n", 50)

func BenchmarkCopyFrame(b *testing.B)   { benchText(b, styledFrame, copyString) }
func BenchmarkStyledFrame(b *testing.B) { benchText(b, styledFrame, Styled) }
