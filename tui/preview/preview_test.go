package preview

import (
	"flag"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Regenerate the goldens with
//
//	go test ./tui/preview -run TestGolden -update
//
// and look at them: `cat testdata/*.golden` draws the pictures.
var update = flag.Bool("update", false, "rewrite the golden files")

func renderer(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return r
}

// fixture is testdata/fixture.png: 8×8, a red-to-blue gradient across,
// green rising down, and a transparent 2×3 top-right corner.
func fixture(t testing.TB) image.Image {
	t.Helper()
	f, err := os.Open("testdata/fixture.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func checkGolden(t *testing.T, name string, lines []string) {
	t.Helper()
	got := []byte(strings.Join(lines, "\n") + "\n")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from its golden:\n got %q\nwant %q", name, got, want)
	}
}

func TestGoldenHalfBlock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile termenv.Profile
		width   int
	}{
		{"truecolor-8", termenv.TrueColor, 8},
		{"ansi256-8", termenv.ANSI256, 8},
		{"truecolor-4", termenv.TrueColor, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name, Render(fixture(t), tc.width, renderer(tc.profile)))
		})
	}
}

func TestRenderShape(t *testing.T) {
	img := fixture(t)
	lines := Render(img, 8, renderer(termenv.TrueColor))
	if len(lines) != 4 {
		t.Fatalf("8x8 at width 8: %d lines, want 4 (two pixel rows a line)", len(lines))
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w != 8 {
			t.Errorf("line %d is %d cells wide, want 8", i, w)
		}
	}
	if !strings.HasPrefix(lines[0], "\x1b[38;2;255;0;0;48;2;255;32;0m▀") {
		t.Errorf("top-left cell %q: want red over the next row's red-green", lines[0][:min(30, len(lines[0]))])
	}
	if !strings.HasSuffix(lines[0], "  \x1b[0m") {
		t.Errorf("transparent corner drawn: %q", lines[0])
	}
	if !strings.Contains(lines[1], "▄") {
		t.Errorf("half-transparent cell not drawn with the lower half block: %q", lines[1])
	}
}

func TestRenderKeepsAspectAndWidthCap(t *testing.T) {
	wide := image.NewNRGBA(image.Rect(0, 0, 200, 50))
	for i := range wide.Pix {
		wide.Pix[i] = 200
	}
	lines := Render(wide, 80, renderer(termenv.ANSI256))
	// Capped at MaxWidth cells; 200×50 at 32 wide is 8 pixel rows, 4 lines.
	if len(lines) != 4 || lipgloss.Width(lines[0]) != MaxWidth {
		t.Fatalf("got %d lines of %d cells, want 4 of %d", len(lines), lipgloss.Width(lines[0]), MaxWidth)
	}
	tall := image.NewNRGBA(image.Rect(0, 0, 3, 5)) // odd rows: last line has no lower half
	tall.Set(0, 4, color.White)
	if lines := Render(tall, 10, renderer(termenv.TrueColor)); len(lines) != 3 || lipgloss.Width(lines[2]) != 3 {
		t.Fatalf("3x5: %q", lines)
	}
}

func TestRenderNothingWithoutColour(t *testing.T) {
	if lines := Render(fixture(t), 8, renderer(termenv.Ascii)); lines != nil {
		t.Fatalf("Ascii profile drew %q", lines)
	}
	if lines := Render(fixture(t), 0, renderer(termenv.TrueColor)); lines != nil {
		t.Fatalf("zero width drew %q", lines)
	}
}

func TestKeyDistinguishesProfiles(t *testing.T) {
	a := KeyFor("u", 40, renderer(termenv.TrueColor))
	b := KeyFor("u", 40, renderer(termenv.ANSI256))
	if a == b || a.Width != MaxWidth {
		t.Fatalf("keys %v %v", a, b)
	}
}

func BenchmarkRender32(b *testing.B) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	r := renderer(termenv.TrueColor)
	b.ReportAllocs()
	for b.Loop() {
		Render(img, MaxWidth, r)
	}
}

func TestNearest256(t *testing.T) {
	for _, tc := range []struct {
		c    color.NRGBA
		want int
	}{
		{color.NRGBA{255, 0, 0, 255}, 196},
		{color.NRGBA{191, 0, 64, 255}, 125}, // (175,0,95): termenv said grey 232
		{color.NRGBA{0, 0, 0, 255}, 16},
		{color.NRGBA{128, 128, 128, 255}, 244}, // the ramp has 128 exactly; the cube only 135
		{color.NRGBA{255, 255, 255, 255}, 231},
	} {
		if got := nearest256(tc.c); got != tc.want {
			t.Errorf("nearest256(%v) = %d, want %d", tc.c, got, tc.want)
		}
	}
}
