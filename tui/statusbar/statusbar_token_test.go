package statusbar

import (
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common/commontest"
)

func testBar(t *testing.T) *Model {
	t.Helper()
	m := New(commontest.New(time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC), time.UTC), nil)
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
