// Package inert makes text that came from outside (customers, Meta, other
// agents) safe to put on a terminal: whatever it holds, the terminal only
// prints it. It is applied where such text is drawn or printed, never
// where it is stored: the store keeps what Meta sent.
//
// The rules, for String:
//   - Whole escape sequences go, through their end: ESC [ … final byte
//     (CSI), ESC ] … BEL or ST (OSC), ESC P / X / ^ / _ … ST (DCS, SOS,
//     PM, APC), ESC with intermediates and a final byte (ESC c, ESC ( B),
//     and their 8-bit C1 forms (U+009B CSI, U+009D OSC, U+0090 DCS, …).
//     A string sequence with no terminator runs to the end of the text,
//     as a terminal would read it.
//   - C0 controls other than newline and tab, DEL and C1 controls
//     (U+0080–U+009F) go.
//   - What is taken out leaves a Placeholder, so the reader sees that
//     something was there: one for a run of sequences, controls and bytes
//     that are not UTF-8 with nothing printable between them.
//   - A carriage return before a newline goes; any other becomes a
//     newline (it would move the cursor back over the line).
//   - Explicit bidi embeddings, overrides and isolates (U+202A–U+202E,
//     U+2066–U+2069) go without a placeholder: they hold no text, and
//     without them nothing after them is reordered.
//
// Everything else, printable text in any script with its combining marks,
// emoji and joiners, passes byte for byte; text with nothing to change is
// returned as it is, without allocating.
package inert

import (
	"strings"
	"unicode/utf8"
)

// Placeholder stands where a control, an escape sequence or a byte that is
// not UTF-8 was taken out.
const Placeholder = "\uFFFD"

type mode uint8

const (
	multiLine mode = iota // String: newline and tab stay
	oneLine               // Line: newline and tab become spaces
	styled                // Styled: as String, and SGR sequences stay
)

// String returns s with every control and escape sequence taken out, by
// the package's rules. Newlines and tabs stay.
func String(s string) string { return clean(s, multiLine) }

// Line is String for one-line places (a list row, a name, a table cell):
// newlines (with their carriage returns) and tabs become spaces as well.
func Line(s string) string { return clean(s, oneLine) }

// Styled is String for text this program styled itself, such as a whole
// rendered frame: SGR sequences (ESC [ digits ; : m: colours and
// attributes) and OSC 8 hyperlinks of our own shape (ESC ] 8 ; ; URL
// ESC \, the URL http or https, printable ASCII only, at most
// MaxLink bytes, or empty to end the link) stay; every other sequence
// and control goes, BEL-terminated OSC 8 included. It is a backstop for
// what escaped String and Line, never a substitute: an SGR sequence or
// such a link from outside would pass it.
func Styled(s string) string { return clean(s, styled) }

func clean(s string, m mode) string {
	i := safePrefix(s, m)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	marked := false // the last thing written is a Placeholder
	for {
		if i > 0 {
			b.WriteString(s[:i])
			marked = false
		}
		if i == len(s) {
			return b.String()
		}
		n, repl := fix(s[i:], m)
		switch {
		case repl == Placeholder && marked: // one for a run
		case repl != "":
			b.WriteString(repl)
			marked = repl == Placeholder
		}
		s = s[i+n:]
		i = safePrefix(s, m)
	}
}

// safePrefix is the length of s's start that passes unchanged.
func safePrefix(s string, m mode) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f || (c == '\n' || c == '\t') && m != oneLine {
				i++
				continue
			}
			if c == 0x1b && m == styled {
				if n := escLen(s[i:]); isSGR(s[i:i+n]) || isLink(s[i:i+n]) {
					i += n
					continue
				}
			}
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isC1(r) || isBidi(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// fix reads the unsafe thing s starts with: how many bytes it takes, and
// what stands in its place ("" for nothing).
func fix(s string, m mode) (n int, repl string) {
	c := s[0]
	switch {
	case c == '\r' && len(s) > 1 && s[1] == '\n':
		if m == oneLine {
			return 2, " "
		}
		return 1, "" // the newline follows as it is
	case c == '\r' && m != oneLine:
		return 1, "\n"
	case c == '\r' || c == '\n' || c == '\t': // oneLine
		return 1, " "
	case c == 0x1b: // never SGR or a link in styled mode: safePrefix took those
		return escLen(s), Placeholder
	case c < utf8.RuneSelf: // other C0 controls, DEL
		return 1, Placeholder
	}
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size == 1:
		return 1, Placeholder
	case isBidi(r):
		return size, ""
	case r == 0x9b: // C1 CSI
		return size + csiLen(s[size:]), Placeholder
	case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // DCS, SOS, OSC, PM, APC
		return size + stringLen(s[size:]), Placeholder
	}
	return size, Placeholder // another C1 control
}

// escLen is the length of the escape sequence s starts with (s[0] is ESC).
func escLen(s string) int {
	if len(s) < 2 {
		return 1
	}
	switch c := s[1]; {
	case c == '[':
		return 2 + csiLen(s[2:])
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return 2 + stringLen(s[2:])
	case c >= 0x20 && c <= 0x2f: // intermediates, then a final byte
		i := 2
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e: // ESC c, ESC 7, ESC =, …
		return 2
	}
	return 1 // a lone ESC; what follows is read on its own
}

// csiLen is the length of a control sequence's parameters, intermediates
// and final byte. A byte that cannot be in one ends it there, unconsumed.
func csiLen(s string) int {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// stringLen is the length of a control string's body and terminator: BEL,
// ST (ESC \ or U+009C), or CAN and SUB, which abort it. An ESC not
// followed by \ ends it too, unconsumed, as it starts a new sequence.
// Without a terminator the string runs to the end of s.
func stringLen(s string) int {
	for i := 0; i < len(s); {
		switch s[i] {
		case 0x07, 0x18, 0x1a:
			return i + 1
		case 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case 0x9c: // a raw 8-bit ST
			return i + 1
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x9c {
			return i + size
		}
		i += size
	}
	return len(s)
}

// isSGR reports whether seq is ESC [ params m with digit, ; and :
// parameters only.
func isSGR(seq string) bool {
	if len(seq) < 3 || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return false
	}
	for i := 2; i < len(seq)-1; i++ {
		if c := seq[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}

// MaxLink is the longest URL an OSC 8 hyperlink may carry through Styled.
const MaxLink = 2048

// isLink reports whether seq is an OSC 8 hyperlink as this program writes
// them: ESC ] 8 ; ; then an http(s) URL of printable ASCII (or nothing,
// which ends a link), then ST as ESC \.
func isLink(seq string) bool {
	const open, st = "\x1b]8;;", "\x1b\\"
	if !strings.HasPrefix(seq, open) || !strings.HasSuffix(seq, st) || len(seq) < len(open)+len(st) {
		return false
	}
	u := seq[len(open) : len(seq)-len(st)]
	if u == "" {
		return true
	}
	if len(u) > MaxLink || !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return false
	}
	for i := 0; i < len(u); i++ {
		if u[i] <= 0x20 || u[i] >= 0x7f {
			return false
		}
	}
	return true
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// isBidi reports the explicit directional formatting characters: LRE,
// RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI.
func isBidi(r rune) bool { return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 }
