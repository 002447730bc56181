package inbox

import (
	"context"
	"sort"
	"sync"

	"github.com/pageinbox/pageinbox/store"
)

// PresenceBoard tracks which agent has which conversation open and who is
// typing, for every session of one process (local TUIs, SSH sessions and
// attached clients of a daemon).
type PresenceBoard struct {
	mu    sync.Mutex
	where map[string]store.AgentPresence // agent ID -> where, and typing
	keys  map[string]store.ConvKey
	// publish is held from a change to its announcement, so announcements
	// go out in the order the board changed: agents leaving at once (a
	// burst of dropped sessions) never leave an older list as the last word.
	publish sync.Mutex
}

// NewPresenceBoard returns an empty board.
func NewPresenceBoard() *PresenceBoard {
	return &PresenceBoard{where: map[string]store.AgentPresence{}, keys: map[string]store.ConvKey{}}
}

// set records that agent is in key (the zero key: nowhere) and returns the
// conversations whose presence changed.
func (b *PresenceBoard) set(agent store.Agent, key store.ConvKey, typing bool) []store.Presence {
	b.mu.Lock()
	defer b.mu.Unlock()
	old, had := b.keys[agent.ID]
	prev := b.where[agent.ID]
	if had && old == key && prev.Typing == typing {
		return nil
	}
	if key == (store.ConvKey{}) {
		delete(b.keys, agent.ID)
		delete(b.where, agent.ID)
	} else {
		b.keys[agent.ID] = key
		b.where[agent.ID] = store.AgentPresence{Agent: agent, Typing: typing}
	}
	var out []store.Presence
	if had && old != key {
		out = append(out, b.presenceLocked(old))
	}
	if key != (store.ConvKey{}) {
		out = append(out, b.presenceLocked(key))
	}
	return out
}

func (b *PresenceBoard) presenceLocked(key store.ConvKey) store.Presence {
	p := store.Presence{Key: key, Agents: []store.AgentPresence{}}
	for id, k := range b.keys {
		if k == key {
			p.Agents = append(p.Agents, b.where[id])
		}
	}
	sort.Slice(p.Agents, func(i, j int) bool { return p.Agents[i].ID < p.Agents[j].ID })
	return p
}

// Presence records where this backend's agent is and announces it to
// every subscriber.
func (b *Local) Presence(_ context.Context, key store.ConvKey, typing bool) error {
	if b.Board == nil || b.Agent.ID == "" {
		return nil
	}
	b.Board.publish.Lock()
	defer b.Board.publish.Unlock()
	for _, p := range b.Board.set(b.Agent, key, typing) {
		b.Store.Announce(store.Change{Kind: store.PresenceChanged, Presence: &p})
	}
	return nil
}

// As is this backend for another agent: same store, hooks and board, the
// agent's own drafts and presence.
func (b *Local) As(agent store.Agent) Backend {
	c := *b
	c.Agent = agent
	return &c
}
