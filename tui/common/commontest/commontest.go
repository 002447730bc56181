// Package commontest makes the Common a pane's tests draw with: plain
// text (no colours), the default keys, a clock stopped at now.
package commontest

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// New is a Common at now in tz, drawing without colours.
func New(now time.Time, tz *time.Location) *common.Common {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	st, km := styles.New(r), keymap.Default()
	c := &common.Common{Ctx: context.Background(), Renderer: r, Styles: &st, Keys: &km,
		Clock: func() time.Time { return now }, TZ: tz}
	c.SetNow(now)
	return c
}
