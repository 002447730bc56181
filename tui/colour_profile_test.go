package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
)

// A label's chip in the list draws the colour code lipgloss would convert
// its hex to on every Render, in each colour profile: the label colours
// are converted once, when they arrive, to the same result.
func TestLabelChipColourPerProfile(t *testing.T) {
	colours := map[string]string{"vip": "#e5484d", "wholesale": "#46a758"}
	for _, p := range benchProfiles {
		if p.profile == termenv.Ascii {
			continue // no colour to compare
		}
		t.Run(p.name, func(t *testing.T) {
			be := teamBackend()
			be.mu.Lock()
			for name, hex := range colours {
				be.team().labels[testPage] = append(be.team().labels[testPage], store.Label{PageID: testPage, Name: name, Color: hex})
			}
			be.mu.Unlock()
			d := newDriverWith(t, be, profileRenderer(p.profile), 120, 36)
			v := d.view()
			for name, hex := range colours {
				want := profileRenderer(p.profile).NewStyle().Foreground(lipgloss.Color(hex)).Render("#" + name)
				if !strings.Contains(want, "\x1b[") {
					t.Fatalf("%s: lipgloss draws %q with no colour", p.name, want)
				}
				if !strings.Contains(v, want) {
					t.Errorf("the %s chip is not drawn as %q:\n%q", name, want, v)
				}
			}
		})
	}
}
