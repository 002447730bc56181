package keymap

import (
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Every binding of KeyMap has a name, so a config file can rebind it: a
// binding added without one fails here.
func TestEveryBindingHasAName(t *testing.T) {
	k := Default()
	named := map[*key.Binding]string{}
	seen := map[string]bool{}
	for _, a := range k.Actions() {
		if seen[a.Name] {
			t.Errorf("name %q used twice", a.Name)
		}
		seen[a.Name] = true
		named[a.Binding] = a.Name
		if len(a.Contexts) == 0 {
			t.Errorf("%s has no context", a.Name)
		}
	}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch {
		case v.Type() == reflect.TypeOf(key.Binding{}):
			if _, ok := named[v.Addr().Interface().(*key.Binding)]; !ok {
				t.Errorf("KeyMap.%s has no name in Actions", path)
			}
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), strings.TrimPrefix(path+"."+v.Type().Field(i).Name, "."))
			}
		case v.Kind() == reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), path)
			}
		}
	}
	walk(reflect.ValueOf(&k).Elem(), "")
}

func TestDefaultHasNoConflicts(t *testing.T) {
	k := Default()
	if c := k.Conflicts(); len(c) > 0 {
		t.Fatalf("default keys conflict: %v", c)
	}
}

func TestRebind(t *testing.T) {
	for _, c := range []struct {
		name     string
		keys     []string
		wantErr  string
		conflict string
	}{
		{name: "quit", keys: []string{"Q"}},
		{name: "down", keys: []string{"n", "down"}, conflict: `down and note are both bound to "n" in the list`},
		{name: "reply_to", keys: []string{"r"}, conflict: `resend and reply_to are both bound to "r" in the thread`},
		{name: "done", keys: []string{"q"}, conflict: `quit and done are both bound to "q" in the list`},
		// enter sends in the reply box and opens in the list: no conflict.
		{name: "send", keys: []string{"ctrl+s"}},
		{name: "nosuch", keys: []string{"x"}, wantErr: `unknown action "nosuch"`},
		{name: "quit", keys: nil, wantErr: "at least one key"},
		{name: "quit", keys: []string{"ctrl-q"}, wantErr: `"ctrl-q" is no key`},
		{name: "select", keys: []string{"space"}, wantErr: `"space" is no key`},
		{name: "quit", keys: []string{""}, wantErr: `"" is no key`},
		{name: "quit", keys: []string{"\x01"}, wantErr: `is no key`},
		{name: "newline", keys: []string{"alt+enter", "ctrl+j"}},
		{name: "react", keys: []string{"alt++", "é"}},
	} {
		k := Default()
		err := k.Rebind(c.name, c.keys)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s %v: err %v, want %q", c.name, c.keys, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := k.Conflicts()
		switch {
		case c.conflict == "" && len(got) > 0:
			t.Errorf("%s %v: conflicts %v", c.name, c.keys, got)
		case c.conflict != "" && (len(got) == 0 || got[0].Error() != c.conflict):
			t.Errorf("%s %v: conflicts %v, want %q", c.name, c.keys, got, c.conflict)
		}
	}
}

// A rebound key matches and the old one does not; help shows the new one.
func TestRebindMatchesAndHelp(t *testing.T) {
	k := Default()
	if err := k.Rebind("quit", []string{"Q"}); err != nil {
		t.Fatal(err)
	}
	if !key.Matches(runes("Q"), k.Quit) || key.Matches(runes("q"), k.Quit) {
		t.Errorf("quit keys %v", k.Quit.Keys())
	}
	if h := k.Quit.Help(); h.Key != "Q" || h.Desc != "quit" {
		t.Errorf("help %+v", h)
	}
	if err := k.Rebind("down", []string{"n"}); err != nil {
		t.Fatal(err)
	}
	if nav, ok := k.Navigate(runes("n"), 5); !ok || nav.Delta != 1 {
		t.Errorf("n: %+v %v", nav, ok)
	}
	if _, ok := k.Navigate(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")}, 5); ok {
		t.Error("j still moves down")
	}
}

// Every key of the default map is a valid key name, so the check refuses
// no key that works.
func TestDefaultKeysAreValid(t *testing.T) {
	k := Default()
	for _, a := range k.Actions() {
		for _, s := range a.Binding.Keys() {
			if !ValidKey(s) {
				t.Errorf("%s: default key %q refused", a.Name, s)
			}
		}
	}
}
