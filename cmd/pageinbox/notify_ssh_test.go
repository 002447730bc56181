package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// An SSH session's agent asks for the title and desktop notifications with
// SetEnv: they reach their terminal through the session, inert, and
// quitting clears the title.
func TestSSHSessionNotifiesThroughTheSession(t *testing.T) {
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{}, authorizedLine(key, "ana@laptop"))
	s := startTUI(t, f.srv.Addr(), key, "ana", "PAGEINBOX_NOTIFY_DESKTOP=osc777", "PAGEINBOX_TITLE=1")
	s.waitFor(fixtureCustomer, 15*time.Second)
	s.waitFor("\x1b]2;pageinbox (1)\x07", 10*time.Second)
	ctx := context.Background()
	f.st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: "P1", PSID: "u2", MID: "m2",
		Text: "hi\x1b]2;pwned\x07; there", Time: time.Now()}})
	s.waitFor("\x1b]2;pageinbox (2)\x07", 10*time.Second)
	s.waitFor("\x1b]777;notify;pageinbox;a customer: hi", 10*time.Second)
	if out := s.out.String(); strings.Contains(out, "pwned") {
		t.Errorf("the customer's sequence reached the terminal: %q", out[strings.Index(out, "pwned")-20:])
	}
	s.write("q")
	s.waitFor("\x1b]2;\x07\x1b[23;0t", 10*time.Second)
}
