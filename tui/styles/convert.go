package styles

import (
	"strconv"

	"github.com/muesli/termenv"
)

// Convert returns colour s (an ANSI number or "#rrggbb") as profile p
// draws it: the ANSI or ANSI 256 number termenv would turn it into on
// every Render, worked out once here, so Render's own conversion has
// nothing left to do. In a 16-colour terminal (TERM=xterm) that
// conversion measures the distance to all 16 colours in HSLuv per styled
// cell. True colour's hex, Ascii and a colour p cannot read are returned
// as they are: Render treats them as it always did. A number outside
// 0-255 (config and store refuse one) is no colour: termenv would index
// past its table converting it for 16 colours.
func Convert(p termenv.Profile, s string) string {
	if n, err := strconv.Atoi(s); err == nil && (n < 0 || n > 255) {
		return ""
	}
	switch c := p.Color(s).(type) {
	case termenv.ANSIColor:
		return strconv.Itoa(int(c))
	case termenv.ANSI256Color:
		return strconv.Itoa(int(c))
	}
	return s
}

// ForProfile is t with every colour, light and dark, converted for
// profile p. Which of the two applies is still the renderer's to decide
// when it draws: it learns the background from the terminal once, on
// first use, and asking it here would move that query earlier.
func (t Theme) ForProfile(p termenv.Profile) Theme {
	for _, c := range t.Colours() {
		c.Colour.Light = Convert(p, c.Colour.Light)
		c.Colour.Dark = Convert(p, c.Colour.Dark)
	}
	return t
}
