package statusbar

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/styles"
)

func testBar(t *testing.T) *Model {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	km, st := keymap.Default(), styles.New(r)
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	c := &common.Common{Ctx: context.Background(), Renderer: r, Styles: &st, Keys: &km, Clock: func() time.Time { return now }, TZ: time.UTC}
	c.SetNow(now)
	m := New(c, nil)
	m.SetSize(120, 1)
	return m
}

// A token warning takes the place of "token ok", made inert; without
// one the bar says "token ok" as before.
func TestTokenWarningInStatusBar(t *testing.T) {
	m := testBar(t)
	m.Update(StatusMsg(store.SystemStatus{Mode: "local", Connected: true, PageName: "Demo Shop", TokenOK: true}))
	if v := m.View(); !strings.Contains(v, "token ok") {
		t.Fatalf("no warning: %q; want token ok", v)
	}
	m.Update(StatusMsg(store.SystemStatus{Mode: "local", Connected: true, PageName: "Demo Shop", TokenOK: true,
		TokenWarning: "token of Second\x1b[31m Shop expires in 3 days"}))
	v := m.View()
	if !strings.Contains(v, "expires in 3 days") || strings.Contains(v, "token ok") || strings.Contains(v, "\x1b[31m") {
		t.Fatalf("warning: %q; want the warning, inert, instead of token ok", v)
	}
}
