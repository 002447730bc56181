// Package common is what every pane of the TUI shares, as soft-serve's
// ui/common is: the session's renderer and the styles made by it, the key
// map, the terminal's size, the clock and the agent's time zone, who the
// agent is and what the session may do. The root model makes one Common
// per session and hands the same pointer to every pane.
package common

import (
	"context"
	"log/slog"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// Common is the session's shared state. Only the root model changes it:
// the size on a resize, the frame's time on a tick.
type Common struct {
	// Ctx ends with the session; every backend call a command makes
	// runs under it.
	Ctx context.Context
	// Renderer is the session's: over SSH each client has its own colour
	// profile. Styles are made by it, and so is any style a pane makes.
	Renderer *lipgloss.Renderer
	Styles   *styles.Styles
	Keys     *keymap.KeyMap
	Logger   *slog.Logger
	// Agent is who uses this session.
	Agent store.Agent
	// Width and Height are the terminal's.
	Width, Height int
	// Clock is the time now; tests pin it.
	Clock func() time.Time
	// TZ is the agent's time zone: every time on screen is shown in it.
	TZ *time.Location
	// CanExec: the session may start programs where it runs (the
	// editor). Off where that would be the server (SSH).
	CanExec bool
	// Pages are the inbox's Pages and the one chosen (pages.go).
	Pages PageSet

	now time.Time // the frame's time: what views draw against
}

// Now is the time the screen is drawn for: set by the clock's tick, so a
// View reads no clock and two draws of the same state are the same.
func (c *Common) Now() time.Time { return c.now }

// SetNow moves the frame's time to t (a tick).
func (c *Common) SetNow(t time.Time) { c.now = t }

// Refresh reads the clock into the frame's time: for a decision that must
// hold at this moment, not at the last tick (is the window still open?).
func (c *Common) Refresh() time.Time {
	c.now = c.Clock()
	return c.now
}

// Local is t in the agent's time zone.
func (c *Common) Local(t time.Time) time.Time { return t.In(c.TZ) }

// Style is a new style from the session's renderer, for the few that are
// not part of the theme (a width to wrap at).
func (c *Common) Style() lipgloss.Style { return c.Renderer.NewStyle() }
