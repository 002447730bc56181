package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The busy inbox split between two Pages: the all-Pages list names each
// row's Page, the switcher lists the Pages with their unread counts, and
// a chosen Page's list names none (the status bar names it).
func TestGoldenPages(t *testing.T) {
	t.Run("all_pages", func(t *testing.T) {
		g := startGolden(t, twoPageBackend(), 120, 36)
		g.waitFor("All 30", "All Pages", "Lakeside Surf…", "Harbour Outfi…", "what would you like to know?")
		g.finish()
	})
	t.Run("page_switcher", func(t *testing.T) {
		g := startGolden(t, twoPageBackend(), 120, 36)
		g.waitFor("All 30", "All Pages", "Lakeside Surf…", "what would you like to know?")
		g.runes("P")
		g.waitFor("Show the conversations of", surfName)
		g.finish()
	})
	t.Run("one_page_chosen", func(t *testing.T) {
		g := startGolden(t, twoPageBackend(), 120, 36)
		g.waitFor("All 30", "All Pages", "Lakeside Surf…")
		g.runes("P")
		g.waitFor("Show the conversations of")
		g.runes("lake")
		g.waitFor("> lake")
		g.key(tea.KeyEnter)
		g.waitFor("All 11", surfName, "Hi! Sure, how can we help?")
		g.finish()
	})
}
