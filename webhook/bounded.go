package webhook

import (
	"strings"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Bounds of the in-memory sets keyed by what Meta sends. Meta signs every
// POST, but a busy Page still meets millions of customers in a daemon's
// life, and a parser gap can name a new "event type" per event: nothing
// keyed by outside input may grow without end.
const (
	maxUnknownTypes = 256  // unknown event types logged once each
	maxKnownPages   = 4096 // Pages known to be registered in the store
)

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
	return h.unknownSeen.Len(), h.unknownSeen.evicted.Load()
}

// boundedSet remembers at most its bound of names, the least recently
// used going first, and counts what it let go of.
type boundedSet struct {
	*lru.Cache[string, struct{}]
	evicted atomic.Uint64
}

func newBoundedSet(max int) *boundedSet {
	s := &boundedSet{}
	s.Cache, _ = lru.NewWithEvict(max, func(string, struct{}) { s.evicted.Add(1) }) // errs only for max <= 0
	return s
}

// Add reports whether name is new to the set.
func (s *boundedSet) Add(name string) bool {
	seen, _ := s.ContainsOrAdd(name, struct{}{})
	return !seen
}
