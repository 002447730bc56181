package tui

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// Every binding the ? screen lists is one of the KeyMap's named actions,
// so rebinding one in the config file changes the help too.
func TestHelpComesFromTheKeyMap(t *testing.T) {
	km := keymap.Default()
	for name, keys := range map[string][]string{"quit": {"Q"}, "done": {"D"}, "reply_to": {"ctrl+y"}} {
		if err := km.Rebind(name, keys); err != nil {
			t.Fatal(err)
		}
	}
	d := optionsDriver(t, 120, 40, Options{Renderer: asciiRenderer(), Keys: &km})
	m := d.m
	actions := km.Actions()
	n := 0
	for _, group := range m.help.FullHelp() {
		for _, b := range group {
			n++
			if !fromKeyMap(b, actions) {
				t.Errorf("help lists %v %q, which is no action of the KeyMap", b.Keys(), b.Help().Desc)
			}
		}
	}
	if n < 40 {
		t.Fatalf("help lists %d bindings", n)
	}
	d.runes("?")
	v := d.view()
	for _, re := range []string{`Q\s+quit`, `D\s+done/undone`, `ctrl\+y\s+reply to message`} {
		if !regexp.MustCompile(re).MatchString(v) {
			t.Errorf("the help screen lacks %s:\n%s", re, v)
		}
	}
	if regexp.MustCompile(`\bq\s+quit`).MatchString(v) {
		t.Errorf("the help screen still shows q quit")
	}
}

func fromKeyMap(b key.Binding, actions []keymap.Action) bool {
	for _, a := range actions {
		if strings.Join(a.Binding.Keys(), " ") == strings.Join(b.Keys(), " ") && a.Binding.Help() == b.Help() {
			return true
		}
	}
	return false
}

func colourRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	return r
}

var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*[34]8;[25];`)

// A theme's colour reaches the screen; NoColor leaves no colour at all.
func TestThemeAndNoColor(t *testing.T) {
	theme := styles.DefaultTheme()
	theme.Accent = lipgloss.AdaptiveColor{Light: "#00ff00", Dark: "#ff0000"}
	for _, c := range []struct {
		name    string
		noColor bool
		want    bool
	}{{"theme", false, true}, {"NO_COLOR", true, false}} {
		d := optionsDriver(t, 120, 36, Options{Renderer: colourRenderer(), Theme: &theme, NoColor: c.noColor})
		v := d.view()
		if got := strings.Contains(v, "38;2;255;0;0"); got != c.want {
			t.Errorf("%s: accent red on screen %v, want %v", c.name, got, c.want)
		}
		if got := colourSGR.MatchString(v); got != c.want {
			t.Errorf("%s: any colour on screen %v, want %v", c.name, got, c.want)
		}
	}
}

// optionsDriver is newDriver with the config file's options in o.
func optionsDriver(t *testing.T, w, h int, o Options) *driver {
	be := busyBackend()
	t.Cleanup(be.close)
	d := &driver{t: t, be: be}
	o.Backend, o.Now, o.NoTick = be, fixedClock, true
	d.m = New(o)
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(d.m.Init())
	return d
}
