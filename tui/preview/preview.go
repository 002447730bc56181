// Package preview draws a picture as half-block colour art: each terminal
// cell is one "▀" whose foreground is the upper pixel and background the
// lower one, which any true-colour or 256-colour terminal shows, over SSH
// and tmux alike. It does no I/O; the pictures come from inbox/media.
package preview

import (
	"github.com/pageinbox/pageinbox/inbox/media"

	"image"
	"image/color"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// MaxWidth is the widest preview drawn, in cells.
const MaxWidth = 32

// Key identifies one rendering, for callers that cache them: the same
// picture drawn at the same width for the same colour profile is the same
// lines.
type Key struct {
	URL     string
	Width   int
	Profile termenv.Profile
}

// KeyFor is the cache key of url drawn width cells wide by r.
func KeyFor(url string, width int, r *lipgloss.Renderer) Key {
	return Key{URL: url, Width: min(width, MaxWidth), Profile: r.ColorProfile()}
}

// Render draws img at most width cells wide (and at most MaxWidth),
// aspect preserved (a cell is about twice as tall as wide, so one cell is
// one pixel wide and two tall), in the colours r's profile can show.
// Under the Ascii profile there are no colours to draw with and it
// returns nil: the attachment's chip already says it is an image.
func Render(img image.Image, width int, r *lipgloss.Renderer) []string {
	profile := r.ColorProfile()
	b := img.Bounds()
	if profile == termenv.Ascii || width <= 0 || b.Empty() {
		return nil
	}
	w := min(width, MaxWidth, b.Dx())
	h := max(1, (b.Dy()*w+b.Dx()/2)/b.Dx()) // pixel rows, rounded
	px := media.Resample(img, w, h)
	row := func(y int) []color.NRGBA {
		r := make([]color.NRGBA, w)
		for x := range r {
			r[x] = px.NRGBAAt(x, y)
		}
		return r
	}
	lines := make([]string, 0, (h+1)/2)
	for y := 0; y < h; y += 2 {
		var lower []color.NRGBA
		if y+1 < h {
			lower = row(y + 1)
		}
		lines = append(lines, renderRow(profile, row(y), lower))
	}
	return lines
}

// renderRow draws one row of cells from an upper and a lower pixel row
// (lower is nil for the odd last row). A transparent half is left to the
// terminal's own background. A colour is set only when it changes, and
// reset once at the end: a picture is many cells, and over SSH every byte
// of it is sent again on each redraw of its lines.
func renderRow(p termenv.Profile, upper, lower []color.NRGBA) string {
	var sb strings.Builder
	prev := ""
	for x, up := range upper {
		var down color.NRGBA
		if lower != nil {
			down = lower[x]
		}
		sgr, glyph := "0", " "
		switch upOpaque, downOpaque := up.A >= 128, down.A >= 128; {
		case upOpaque && downOpaque:
			sgr, glyph = termColor(p, up).Sequence(false)+";"+termColor(p, down).Sequence(true), "▀"
		case upOpaque:
			sgr, glyph = "0;"+termColor(p, up).Sequence(false), "▀"
		case downOpaque:
			sgr, glyph = "0;"+termColor(p, down).Sequence(false), "▄"
		}
		if sgr != prev {
			sb.WriteString(termenv.CSI + sgr + "m")
			prev = sgr
		}
		sb.WriteString(glyph)
	}
	sb.WriteString(termenv.CSI + termenv.ResetSeq + "m")
	return sb.String()
}
