package styles

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
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
