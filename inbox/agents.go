package inbox

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/pageinbox/pageinbox/store"
)

// NewAgent is one session of the agent called name (a local TUI, a
// command, an SSH login): the name the other agents see, with an ID of its
// own, so two sessions of one person are told apart in presence.
func NewAgent(name string) store.Agent {
	if name == "" {
		name = "agent"
	}
	return store.Agent{ID: name + "-" + randomHex(6), Name: name}
}

// NamedAgent is who a session opened with a named agent's token is: that
// agent, whatever the session called itself. The session's own ID only
// tells the agent's sessions apart (a laptop and an SSH login), always
// under the name, so no session can take another agent's place in
// presence or drafts.
func NamedAgent(name, sessionID string) store.Agent {
	session := strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("._-:", r)) {
			return r
		}
		return -1
	}, sessionID)
	if len(session) > 64 {
		session = session[:64]
	}
	if session == "" {
		session = randomHex(6)
	}
	return store.Agent{ID: name + "/" + session, Name: name}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
