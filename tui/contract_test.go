package tui

import (
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox/inboxtest"
	"github.com/pageinbox/pageinbox/store"
)

// The fake the model tests run against keeps the contract the store-backed
// inbox keeps (inbox.TestLocalKeepsTheContract, daemon's over /ws): where
// the TUI can see it, it behaves as the store does.
func TestFakeBackendKeepsTheContract(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	inboxtest.Run(t, func(t *testing.T) inboxtest.World {
		f := newFakeBackend(func() time.Time { return now })
		t.Cleanup(f.close)
		return inboxtest.World{Backend: f, Now: now, Receive: func(key store.ConvKey, text string, at time.Time) { f.receive(key, text, at) },
			PutTemplates: f.putTemplates}
	})
}
