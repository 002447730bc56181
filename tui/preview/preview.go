// Package preview draws a picture as half-block colour art: each terminal
// cell is one "▀" whose foreground is the upper pixel and background the
// lower one, which any true-colour or 256-colour terminal shows, over SSH
// and tmux alike. It does no I/O; the pictures come from inbox/media.
package preview

import (
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
	px := sample(img, w, h)
	lines := make([]string, 0, (h+1)/2)
	for y := 0; y < h; y += 2 {
		var lower []color.NRGBA
		if y+1 < h {
			lower = px[y+1]
		}
		lines = append(lines, renderRow(profile, px[y], lower))
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

// sample scales img to w×h pixels, each the mean of the area it covers.
func sample(img image.Image, w, h int) [][]color.NRGBA {
	b := img.Bounds()
	rows := make([][]color.NRGBA, h)
	for y := range rows {
		y0, y1 := b.Min.Y+y*b.Dy()/h, b.Min.Y+(y+1)*b.Dy()/h
		rows[y] = make([]color.NRGBA, w)
		for x := range rows[y] {
			x0, x1 := b.Min.X+x*b.Dx()/w, b.Min.X+(x+1)*b.Dx()/w
			rows[y][x] = average(img, x0, y0, max(x1, x0+1), max(y1, y0+1))
		}
	}
	return rows
}

func average(img image.Image, x0, y0, x1, y1 int) color.NRGBA {
	var r, g, b, a, n uint64
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			r, g, b, a, n = r+uint64(c.R), g+uint64(c.G), b+uint64(c.B), a+uint64(c.A), n+1
		}
	}
	return color.NRGBA{R: uint8(r / n), G: uint8(g / n), B: uint8(b / n), A: uint8(a / n)}
}
