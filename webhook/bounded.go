package webhook

import (
	"container/list"
	"strings"
	"sync"
)

// Bounds of the in-memory sets keyed by what Meta sends. Meta signs every
// POST, but a busy Page still meets millions of customers in a daemon's
// life, and a parser gap can name a new "event type" per event: nothing
// keyed by outside input may grow without end.
const (
	maxNamesAsked   = 100_000 // customers whose name was looked up this run
	maxUnknownTypes = 256     // unknown event types logged once each
	maxKnownPages   = 4096    // Pages known to be registered in the store
)

// lruSet is a set that holds at most max keys, forgetting the least
// recently added or touched one first, and counts what it forgot.
type lruSet[K comparable] struct {
	mu      sync.Mutex
	max     int
	order   *list.List // front: most recent
	items   map[K]*list.Element
	evicted uint64
}

func newLRUSet[K comparable](max int) *lruSet[K] {
	return &lruSet[K]{max: max, order: list.New(), items: map[K]*list.Element{}}
}

// add puts k in the set; it reports false when k was there already (and
// makes it the most recent).
func (s *lruSet[K]) add(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[k]; ok {
		s.order.MoveToFront(e)
		return false
	}
	s.items[k] = s.order.PushFront(k)
	for s.order.Len() > s.max {
		oldest := s.order.Back()
		s.order.Remove(oldest)
		delete(s.items, oldest.Value.(K))
		s.evicted++
	}
	return true
}

func (s *lruSet[K]) has(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[k]
	return ok
}

func (s *lruSet[K]) remove(k K) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[k]; ok {
		s.order.Remove(e)
		delete(s.items, k)
	}
}

func (s *lruSet[K]) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// overflow is how many keys the bound has pushed out.
func (s *lruSet[K]) overflow() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted
}

// shortName cuts a name Meta's JSON gave (an event type: any key of an
// event) to what a log line and a set need.
func shortName(s string) string {
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

// UnknownTypes is how many unknown event types the handler remembers
// having logged, and how many it let go of to stay within its bound.
func (h *Handler) UnknownTypes() (held int, overflow uint64) {
	return h.unknownSeen.len(), h.unknownSeen.overflow()
}
