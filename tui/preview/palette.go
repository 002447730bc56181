package preview

import (
	"image/color"

	"github.com/muesli/termenv"
)

// termColor is c in profile p. For 256 colours it picks the nearest of
// the xterm cube and grey ramp itself: termenv's conversion sends some
// saturated colours to near-black (191,0,64 became grey 232), which shows
// as holes in a picture.
func termColor(p termenv.Profile, c color.NRGBA) termenv.Color {
	c.A = 255 // a half is drawn or not; no blending with the terminal
	if p != termenv.ANSI256 {
		return p.FromColor(c)
	}
	return termenv.ANSI256Color(nearest256(c))
}

// cubeLevels are the channel values of the xterm 6×6×6 cube (16–231).
var cubeLevels = [6]int{0, 95, 135, 175, 215, 255}

func nearest256(c color.NRGBA) int {
	r, g, b := int(c.R), int(c.G), int(c.B)
	ri, gi, bi := cubeIndex(r), cubeIndex(g), cubeIndex(b)
	cube := 16 + 36*ri + 6*gi + bi
	cubeDist := dist(r, g, b, cubeLevels[ri], cubeLevels[gi], cubeLevels[bi])

	// The grey ramp (232–255) is 8, 18, …, 238.
	grey := min(23, max(0, ((r+g+b)/3-3)/10))
	level := 8 + 10*grey
	if dist(r, g, b, level, level, level) < cubeDist {
		return 232 + grey
	}
	return cube
}

// cubeIndex is the nearest cube level to v.
func cubeIndex(v int) int {
	best, bestD := 0, 1<<30
	for i, l := range cubeLevels {
		if d := (v - l) * (v - l); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

func dist(r1, g1, b1, r2, g2, b2 int) int {
	dr, dg, db := r1-r2, g1-g2, b1-b2
	return dr*dr + dg*dg + db*db
}
