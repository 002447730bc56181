package styles

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// renderer is a session renderer with profile p on a dark or light
// background.
func renderer(p termenv.Profile, dark bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(dark)
	return r
}

// hexTheme is a theme as a config file may give it: every colour in hex,
// which a 16-colour terminal needs converted furthest.
func hexTheme() Theme {
	t := DefaultTheme()
	hex := []string{"#e5484d", "#8e4ec6", "#46a758", "#0090ff", "#ffb224", "#1b1b1f", "#f1f1f1"}
	for i, c := range t.Colours() {
		*c.Colour = lipgloss.AdaptiveColor{Light: hex[i%len(hex)], Dark: hex[(i+3)%len(hex)]}
	}
	return t
}

// drawn is every style of s drawing "x", one line each, by field name.
func drawn(s Styles, label string) string {
	var b strings.Builder
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		st := v.Field(i).Interface().(lipgloss.Style)
		fmt.Fprintf(&b, "%s %s: %q\n", label, v.Type().Field(i).Name, st.Render("x"))
	}
	return b.String()
}

// The escape codes every style draws in a 16-colour terminal (TERM=xterm),
// for the built-in theme and a hex one, on dark and light backgrounds.
// The golden was written before the colours were converted once per
// profile: converting them earlier must not change what is drawn.
func TestGoldenANSI16(t *testing.T) {
	var b strings.Builder
	for _, th := range []struct {
		name  string
		theme Theme
	}{{"default", DefaultTheme()}, {"hex", hexTheme()}} {
		for _, dark := range []bool{true, false} {
			bg := map[bool]string{true: "dark", false: "light"}[dark]
			b.WriteString(drawn(FromTheme(renderer(termenv.ANSI, dark), th.theme), th.name+" "+bg))
		}
	}
	compareGolden(t, filepath.Join("testdata", t.Name()+".golden"), b.String())
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

var profiles = map[string]termenv.Profile{"TrueColor": termenv.TrueColor, "ANSI256": termenv.ANSI256,
	"ANSI": termenv.ANSI, "Ascii": termenv.Ascii}

// In every profile, on either background, for the built-in theme and a
// hex one, each style draws exactly what it drew when lipgloss converted
// the theme's colours on every Render.
func TestFromThemeDrawsAsPerRenderConversion(t *testing.T) {
	for name, p := range profiles {
		for _, dark := range []bool{true, false} {
			for _, theme := range []Theme{DefaultTheme(), hexTheme()} {
				r := renderer(p, dark)
				got, want := drawn(FromTheme(r, theme), name), drawn(build(r, theme), name)
				if got != want {
					t.Errorf("%s dark=%v: converted once\n%s\nper render\n%s", name, dark, got, want)
				}
			}
		}
	}
}

// Every colour of a theme is converted: in a 16-colour terminal none is
// left in hex or above 15, so no field of Theme is missed by Colours.
func TestForProfileConvertsEveryColour(t *testing.T) {
	th := hexTheme().ForProfile(termenv.ANSI)
	v := reflect.ValueOf(th)
	for i := range v.NumField() {
		c := v.Field(i).Interface().(lipgloss.AdaptiveColor)
		for _, s := range []string{c.Light, c.Dark} {
			if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 15 {
				t.Errorf("%s = %q after ForProfile(ANSI), want an ANSI colour 0-15", v.Type().Field(i).Name, s)
			}
		}
	}
}

// Convert gives the colour termenv would have made of the original, and
// one that needs no further conversion in that profile.
func TestConvert(t *testing.T) {
	for name, p := range profiles {
		for _, s := range []string{"", "0", "9", "15", "16", "63", "111", "231", "244", "255",
			"#e5484d", "#000000", "#ffffff", "#5f87af", "#abc", "#zzzzzz", "red"} {
			got := Convert(p, s)
			if !reflect.DeepEqual(p.Color(got), p.Color(s)) {
				t.Errorf("%s: Convert(%q) = %q draws %#v, want %#v", name, s, got, p.Color(got), p.Color(s))
			}
			if again := Convert(p, got); again != got {
				t.Errorf("%s: Convert(%q) = %q, then %q", name, s, got, again)
			}
			if p == termenv.ANSI && strings.HasPrefix(got, "#") && p.Color(s) != nil {
				t.Errorf("ANSI: Convert(%q) = %q, still hex", s, got)
			}
		}
	}
}

// A number past the 256 colours is no colour in any profile, where a
// 16-colour terminal would have panicked converting it.
func TestConvertOutOfRange(t *testing.T) {
	for name, p := range profiles {
		for _, s := range []string{"-1", "256", "99999"} {
			if got := Convert(p, s); got != "" {
				t.Errorf("%s: Convert(%q) = %q, want no colour", name, s, got)
			}
		}
	}
}
