package webhook

import "strings"

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
	return h.unknownSeen.Len(), h.unknownSeen.Overflow()
}
