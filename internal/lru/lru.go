// Package lru is a bounded set for what is keyed by outside input (Pages,
// customers, event types Meta names): it holds at most its bound, the
// least recently used key going first.
package lru

import (
	"container/list"
	"sync"
)

// Set holds at most max keys, forgetting the least recently added or
// touched one first, and counts what it forgot. It is safe for concurrent
// use.
type Set[K comparable] struct {
	mu      sync.Mutex
	max     int
	order   *list.List // front: most recent
	items   map[K]*list.Element
	evicted uint64
}

// New returns an empty Set of at most max keys.
func New[K comparable](max int) *Set[K] {
	return &Set[K]{max: max, order: list.New(), items: map[K]*list.Element{}}
}

// Add puts k in the set; it reports false when k was there already (and
// makes it the most recent).
func (s *Set[K]) Add(k K) bool {
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

// Has reports whether k is in the set, without touching it.
func (s *Set[K]) Has(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[k]
	return ok
}

// Remove takes k out of the set.
func (s *Set[K]) Remove(k K) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[k]; ok {
		s.order.Remove(e)
		delete(s.items, k)
	}
}

// Len is how many keys the set holds.
func (s *Set[K]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// Overflow is how many keys the bound has pushed out.
func (s *Set[K]) Overflow() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted
}
