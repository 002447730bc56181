package inbox_test

import (
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/inbox/inboxtest"
)

// The store-backed Backend keeps the contract the TUI's fake claims to.
func TestLocalKeepsTheContract(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	inboxtest.Run(t, func(t *testing.T) inboxtest.World {
		st, receive := inboxtest.OnStore(t, now)
		return inboxtest.World{Backend: &inbox.Local{Store: st, Wake: func() {}, Reactor: inboxtest.AcceptReactions,
			Uploader: inboxtest.AcceptUploads, SpoolDir: t.TempDir()}, Now: now, Receive: receive,
			PutTemplates: inboxtest.PutTemplates(t, st)}
	})
}
