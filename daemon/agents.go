package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/pageinbox/pageinbox/store"
)

// AgentTokens names the agent a /ws token belongs to (the store does:
// store.AgentForToken). An error means no agent.
type AgentTokens interface {
	AgentForToken(ctx context.Context, token string) (string, error)
}

// AllowAgents lets named agents attach with their own tokens besides the
// API token. Call it before serving.
func (s *Server) AllowAgents(a AgentTokens) { s.agents = a }

func (s *Server) agentFor(ctx context.Context, token string) (string, bool) {
	if s.agents == nil {
		return "", false
	}
	name, err := s.agents.AgentForToken(ctx, token)
	if err != nil || name == "" {
		return "", false
	}
	return name, true
}

// namedAgent is who a session opened with a named agent's token is: that
// agent, whatever the hello said. The hello's ID only tells the agent's
// own sessions apart (a laptop and an SSH login), always under the name,
// so no session can take another agent's place in presence or drafts.
func namedAgent(name, helloID string) store.Agent {
	session := strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("._-:", r)) {
			return r
		}
		return -1
	}, helloID)
	if len(session) > 64 {
		session = session[:64]
	}
	if session == "" {
		b := make([]byte, 6)
		rand.Read(b)
		session = hex.EncodeToString(b)
	}
	return store.Agent{ID: name + "/" + session, Name: name}
}

// CutAgent ends every open session of a named agent (their token was
// revoked) and returns how many there were.
func (s *Server) CutAgent(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.clients {
		if c.named == name {
			c.cut("agent revoked")
			n++
		}
	}
	if n > 0 {
		s.log.Info("api: cut a revoked agent's sessions", "agent", name, "sessions", n)
	}
	return n
}
