package main

import "testing"

// The TUI's panes and screens are imported by its root, never the other
// way: a pane that imported tui would be a cycle waiting to happen, and
// would reach past the messages and commands the root gives it.
func TestTUIPanesDoNotImportTheRoot(t *testing.T) {
	for pkg, ds := range deps(t) {
		if !within(pkg, "tui") || pkg == "tui" {
			continue
		}
		for _, d := range ours(ds) {
			if d == "tui" {
				t.Errorf("%s imports tui, the root that imports it", pkg)
			}
		}
	}
}
