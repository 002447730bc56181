package webhook

import (
	"fmt"
	"testing"
)

// Unknown event types are logged once each, within a bound, and a long
// type name is cut before it is kept or logged.
func TestUnknownEventTypesAreBounded(t *testing.T) {
	h := New(nil, Config{})
	var p Payload
	for i := 0; i < maxUnknownTypes+44; i++ {
		p.Unknown = append(p.Unknown, fmt.Sprintf("type_%d", i))
	}
	p.Unknown = append(p.Unknown, string(make([]byte, 1<<20)))
	h.screen(p)
	held, over := h.UnknownTypes()
	if held != maxUnknownTypes || over != 45 {
		t.Errorf("held %d, overflow %d; want %d and 45", held, over, maxUnknownTypes)
	}
	if !h.unknownSeen.Contains(shortName(string(make([]byte, 1<<20)))) || len(shortName(string(make([]byte, 1<<20)))) > 70 {
		t.Error("the long name was not cut")
	}
}
