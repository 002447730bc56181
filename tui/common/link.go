package common

import (
	"net/url"
	"path"
	"strings"

	"github.com/muesli/termenv"
)

// MaxLinkLen bounds a link we put on the terminal (inert.Styled keeps no
// longer hyperlink either).
const MaxLinkLen = 2048

// SafeURL is raw as a link fit for the terminal and a desktop opener: an
// absolute http or https URL with a host, no controls or spaces, every
// byte outside printable ASCII percent-encoded, at most MaxLinkLen bytes.
// ok is false for anything else (a customer's "javascript:" or a URL
// with an escape sequence in it never becomes a link).
func SafeURL(raw string) (safe string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c <= 0x20 || c == 0x7f:
			return "", false
		case c >= 0x80 || strings.IndexByte("\"<>\\^`{|}", c) >= 0:
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		default:
			b.WriteByte(c)
		}
	}
	safe = b.String()
	u, err := url.Parse(safe)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(safe) > MaxLinkLen {
		return "", false
	}
	return safe, true
}

// Link is label as an OSC 8 hyperlink to link, where the terminal takes
// colour (a plain terminal, and a test's Ascii profile, get the label
// alone). link must come from SafeURL; label is text we made inert.
func (c *Common) Link(link, label string) string {
	if link == "" || c.Renderer == nil || c.Renderer.ColorProfile() == termenv.Ascii {
		return label
	}
	return "\x1b]8;;" + link + "\x1b\\" + label + "\x1b]8;;\x1b\\"
}

// FileName is the last element of a link's path, unescaped: what a file
// attachment is called when Meta gives it no title.
func FileName(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		return ""
	}
	return name
}
