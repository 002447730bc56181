package statusbar

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// TestUnconnectedPagesShown: webhooks of a Page with no token here are
// pointed out in the bar, and only then.
func TestUnconnectedPagesShown(t *testing.T) {
	st := styles.New(lipgloss.NewRenderer(nil))
	c := &common.Common{Ctx: context.Background(), Styles: &st, Width: 160, Clock: time.Now}
	m := New(c, nil)
	m.Update(StatusMsg(store.SystemStatus{Mode: "local", PageName: "Harbour Outfitters", TokenOK: true}))
	if strings.Contains(m.View(), "not connected") {
		t.Errorf("bar without unconnected Pages: %q", m.View())
	}
	m.Update(StatusMsg(store.SystemStatus{Mode: "local", PageName: "Harbour Outfitters", TokenOK: true,
		UnconnectedPages: "webhooks for Pages not connected: 1099 (2 events)"}))
	if !strings.Contains(m.View(), "webhooks of a Page not connected") {
		t.Errorf("bar = %q", m.View())
	}
}
