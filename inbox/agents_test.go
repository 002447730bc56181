package inbox_test

import (
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/inbox"
)

// Two sessions of one person share the name and differ in ID; a session
// without a name is "agent".
func TestNewAgentTellsSessionsApart(t *testing.T) {
	a, b := inbox.NewAgent("ana"), inbox.NewAgent("ana")
	if a.Name != "ana" || b.Name != "ana" || a.ID == b.ID || !strings.HasPrefix(a.ID, "ana-") {
		t.Errorf("two sessions of ana: %+v, %+v", a, b)
	}
	if n := inbox.NewAgent(""); n.Name != "agent" {
		t.Errorf("a session without a name: %+v", n)
	}
}

// A named agent's session is that agent whatever it called itself: the
// name is the token's, and the session's own ID only follows the name,
// cleaned of anything but plain characters and cut.
func TestNamedAgentIsTheTokensAgent(t *testing.T) {
	for _, c := range []struct{ sessionID, want string }{
		{"laptop", "ana/laptop"},
		{"ben/laptop", "ana/benlaptop"},
		{"x\x1b]2;pwned\x07", "ana/x2pwned"},
		{strings.Repeat("a", 100), "ana/" + strings.Repeat("a", 64)},
	} {
		if got := inbox.NamedAgent("ana", c.sessionID); got.Name != "ana" || got.ID != c.want {
			t.Errorf("NamedAgent(ana, %q) = %+v, want ID %q", c.sessionID, got, c.want)
		}
	}
	if got := inbox.NamedAgent("ana", "/"); !strings.HasPrefix(got.ID, "ana/") || len(got.ID) <= len("ana/") {
		t.Errorf("a session ID of nothing usable: %+v, want a random one under ana", got)
	}
}
