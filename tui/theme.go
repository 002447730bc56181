package tui

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// Until every pane has its package, the panes here use the theme and the
// keys under their old names.
type (
	Styles = styles.Styles
	KeyMap = keymap.KeyMap
)

// NewStyles returns the default theme for renderer r.
func NewStyles(r *lipgloss.Renderer) Styles { return styles.New(r) }

// DefaultKeyMap is vim keys and arrows.
func DefaultKeyMap() KeyMap { return keymap.Default() }
