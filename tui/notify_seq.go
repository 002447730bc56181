package tui

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pageinbox/pageinbox/tui/inert"
)

// The escape sequences notifications write to the agent's terminal. Every
// piece of text in them is ours, or passed through notifyText first.

// NotifyMax caps a notification's text, in runes, so a long message
// cannot flood the desktop or the command's arguments.
const NotifyMax = 120

// notifyText makes outside text (a customer's name or message) fit inside
// an escape sequence or a program's argument: inert.Line takes out
// escape sequences, C0 and C1 controls, bytes that are not UTF-8 and bidi
// embeddings (each leaving a U+FFFD); directional marks, which inert
// keeps, go too; whitespace runs become one space, and the text is cut to
// max runes.
func notifyText(s string, max int) string {
	s = inert.Line(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || isMark(r):
			continue
		case r == ' ' || r == '\u00a0' || r == '\u2028' || r == '\u2029':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return cutRunes(b.String(), max)
}

// isMark: directional marks and the bidi controls inert already removes,
// named here too so this function stands on its own.
func isMark(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r == '\u061c' ||
		r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

func cutRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// osc9 is a desktop notification in iTerm2's, WezTerm's, kitty's and
// Windows Terminal's form. body must be notifyText's and start with a
// letter (ConEmu reads "9;<digit>" as a command of its own).
func osc9(body string) string { return "\x1b]9;" + body + "\x07" }

// osc777 is a desktop notification in urxvt's, foot's, Ghostty's and
// VTE's form: fields are split at ';', so none may hold one.
func osc777(title, body string) string {
	field := func(s string) string { return strings.ReplaceAll(s, ";", ",") }
	return "\x1b]777;notify;" + field(title) + ";" + field(body) + "\x07"
}

// tmuxWrap passes seq through tmux to the terminal outside it (tmux needs
// `set -g allow-passthrough on`): a DCS whose every ESC is doubled.
func tmuxWrap(seq string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// titleText is the title for n unread conversations.
func titleText(n int) string {
	if n <= 0 {
		return "pageinbox"
	}
	return "pageinbox (" + strconv.Itoa(n) + ")"
}

// titleSeq sets the terminal's title (OSC 2) to text; inside tmux it also
// names the window (ESC k, shown when tmux has allow-rename on), and tmux
// shows the pane title in the outer terminal with set-titles on.
func titleSeq(text string, tmux bool) string {
	seq := "\x1b]2;" + text + "\x07"
	if tmux {
		seq += "\x1bk" + text + "\x1b\\"
	}
	return seq
}

// titleSave pushes the terminal's title (XTWINOPS 22) so titleRestore can
// bring it back; terminals without a title stack ignore both.
const titleSave = "\x1b[22;0t"

// titleRestore clears the title (and, in tmux, gives the window its
// automatic name back), then pops the saved one.
func titleRestore(tmux bool) string {
	return titleSeq("", tmux) + "\x1b[23;0t"
}
