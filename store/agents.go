package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Named agents are the people who attach to the daemon's API with a token
// of their own (`pageinbox agents add NAME`). The file keeps a SHA-256 of
// each token, never the token: tokens are 32 random bytes, so a fast hash
// leaves nothing to guess, and a copy of the file (a backup) cannot be
// used to attach. The records live in the store, not in a file beside it,
// so that the daemon that owns the store adds and revokes them in one
// place and can cut a revoked agent's sessions at once.

// AgentInfo is what is known of a named agent. The token is not part of it.
type AgentInfo struct {
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

type agentRecord struct {
	AgentInfo
	Hash []byte `json:"hash"` // SHA-256 of the token
}

// agentNameRE: names show in other agents' terminals and travel in URLs,
// so they are plain words.
var agentNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// lastUsedEvery bounds the writes that recording "last used" costs: a
// client reconnecting in a loop writes once a minute, not every time.
const lastUsedEvery = time.Minute

// CheckAgentName refuses a name that is not 1 to 64 letters, digits, dots,
// dashes or underscores, starting with a letter or digit.
func CheckAgentName(name string) error {
	if !agentNameRE.MatchString(name) {
		return invalidf("agent name %q: use 1 to 64 letters, digits, '.', '-' or '_'", name)
	}
	return nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// AddAgent creates a named agent and returns its token: 32 random bytes,
// base64url. The token is not kept and cannot be read again. A name in
// use is refused; revoke it first.
func (s *Store) AddAgent(ctx context.Context, name string) (string, AgentInfo, error) {
	if err := CheckAgentName(name); err != nil {
		return "", AgentInfo{}, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", AgentInfo{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	rec := agentRecord{AgentInfo: AgentInfo{Name: name, Created: s.now()}, Hash: hashToken(token)}
	err := s.write(ctx, 1, func(w *wtx) error {
		b := w.bucket(bAgents)
		if b.Get([]byte(name)) != nil {
			return invalidf("agent %q exists; revoke it first to give them a new token", name)
		}
		return putJSON(b, []byte(name), &rec)
	})
	if err != nil {
		return "", AgentInfo{}, err
	}
	return token, rec.AgentInfo, nil
}

// Agents lists the named agents by name.
func (s *Store) Agents(ctx context.Context) ([]AgentInfo, error) {
	var out []AgentInfo
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bAgents).ForEach(func(k, v []byte) error {
			var rec agentRecord
			if err := jsonUnmarshal(v, &rec); err != nil {
				return fmt.Errorf("store: damaged agent record %q: %w", k, err)
			}
			out = append(out, rec.AgentInfo)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// RevokeAgent deletes a named agent: their token stops working for new
// connections (the daemon also cuts the open ones).
func (s *Store) RevokeAgent(ctx context.Context, name string) error {
	return s.write(ctx, 1, func(w *wtx) error {
		b := w.bucket(bAgents)
		if b.Get([]byte(name)) == nil {
			return &notFoundError{what: fmt.Sprintf("agent %q", name)}
		}
		return b.Delete([]byte(name))
	})
}

// AgentForToken names the agent a token belongs to (ErrNotFound if none).
// Every stored hash is compared in constant time, without stopping at a
// match, so the time taken says nothing about which agent, if any, came
// close. It records when the agent was last seen, at most once a minute.
func (s *Store) AgentForToken(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", &notFoundError{what: "agent token"}
	}
	h := hashToken(token)
	var found *agentRecord
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bAgents).ForEach(func(_, v []byte) error {
			var rec agentRecord
			if err := jsonUnmarshal(v, &rec); err != nil {
				return nil // a damaged record authenticates nobody
			}
			if subtle.ConstantTimeCompare(rec.Hash, h) == 1 {
				found = &rec
			}
			return nil
		})
	})
	if err != nil {
		return "", err
	}
	if found == nil {
		return "", &notFoundError{what: "agent token"}
	}
	now := s.now()
	if now.Sub(found.LastUsed) >= lastUsedEvery {
		s.touchAgent(ctx, found.Name, h, now)
	}
	return found.Name, nil
}

// touchAgent records that an agent attached. Losing this write loses
// nothing that matters, so its error is dropped.
func (s *Store) touchAgent(ctx context.Context, name string, hash []byte, now time.Time) {
	_ = s.write(ctx, 1, func(w *wtx) error {
		b := w.bucket(bAgents)
		var rec agentRecord
		if found, err := getJSON(b, []byte(name), &rec); err != nil || !found {
			return err
		}
		if subtle.ConstantTimeCompare(rec.Hash, hash) != 1 {
			return nil // revoked and added again meanwhile
		}
		rec.LastUsed = now
		return putJSON(b, []byte(name), &rec)
	})
}
