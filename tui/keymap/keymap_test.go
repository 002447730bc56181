package keymap

import (
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func TestNavigateDefault(t *testing.T) {
	k := Default()
	for _, c := range []struct {
		msg  tea.KeyMsg
		want Navigation
	}{
		{runes("j"), Navigation{Delta: 1}},
		{runes("jjj"), Navigation{Delta: 3}},
		{runes("kk"), Navigation{Delta: -2}},
		{tea.KeyMsg{Type: tea.KeyDown}, Navigation{Delta: 1}},
		{tea.KeyMsg{Type: tea.KeyPgDown}, Navigation{Delta: 10}},
		{runes("g"), Navigation{Jump: -1}},
		{runes("G"), Navigation{Jump: 1}},
	} {
		got, ok := k.Navigate(c.msg, 10)
		if !ok || got != c.want {
			t.Errorf("%q: %+v %v, want %+v", c.msg.String(), got, ok, c.want)
		}
	}
	// Mixed runes, and repeats of keys that are not a step, are no movement.
	for _, s := range []string{"jk", "GG", "x"} {
		if got, ok := k.Navigate(runes(s), 10); ok {
			t.Errorf("%q moved %+v", s, got)
		}
	}
}

// Navigation follows the bindings, not the letters: rebound, the old
// keys do nothing and the new ones move, repeated ones too.
func TestNavigateRebound(t *testing.T) {
	k := Default()
	k.Down = key.NewBinding(key.WithKeys("n"))
	k.Up = key.NewBinding(key.WithKeys("p"))
	if got, ok := k.Navigate(runes("nnn"), 10); !ok || got.Delta != 3 {
		t.Errorf("nnn: %+v %v, want 3 down", got, ok)
	}
	if got, ok := k.Navigate(runes("pp"), 10); !ok || got.Delta != -2 {
		t.Errorf("pp: %+v %v, want 2 up", got, ok)
	}
	for _, s := range []string{"j", "jjj", "k"} {
		if got, ok := k.Navigate(runes(s), 10); ok {
			t.Errorf("%q still moves after rebinding: %+v", s, got)
		}
	}
}

func TestCount(t *testing.T) {
	k := Default()
	for s, want := range map[string]int{"[": 1, "[[[": 3, "[]": 0, "x": 0} {
		if got := Count(runes(s), k.PrevMessage); got != want {
			t.Errorf("Count(%q) = %d, want %d", s, got, want)
		}
	}
}
