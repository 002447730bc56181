package daemon

import "context"

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
