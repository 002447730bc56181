package webhook

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func TestLRUSetStaysWithinItsBound(t *testing.T) {
	s := newLRUSet[int](8)
	for i := 0; i < 100; i++ {
		if !s.add(i) {
			t.Fatalf("add(%d) said it was there", i)
		}
		if i == 50 {
			s.add(45) // touched: now among the most recent
		}
	}
	if s.len() != 8 || s.overflow() != 92 {
		t.Errorf("len %d, overflow %d; want 8 and 92", s.len(), s.overflow())
	}
	for i := 92; i < 100; i++ {
		if !s.has(i) {
			t.Errorf("%d, among the 8 newest, was dropped", i)
		}
	}
	if s.has(45) || s.has(0) {
		t.Error("old keys stayed")
	}
	if s.add(99) {
		t.Error("add(99) twice said new")
	}
	s.remove(99)
	if s.has(99) || s.len() != 7 {
		t.Error("remove left 99")
	}
}

// countingLookup answers every name at once and counts the calls.
type countingLookup struct {
	calls atomic.Int64
	mu    sync.Mutex
	asked map[string]int
}

func (c *countingLookup) Name(_ context.Context, _, psid string) (string, error) {
	c.mu.Lock()
	c.asked[psid]++
	c.mu.Unlock()
	c.calls.Add(1)
	return "", nil // no name: nothing is written
}

func (c *countingLookup) times(psid string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.asked[psid]
}

type namelessStore struct{}

func (namelessStore) Conversation(context.Context, store.ConvKey) (store.Conversation, error) {
	return store.Conversation{}, nil
}
func (namelessStore) SetName(context.Context, store.ConvKey, string) (store.Conversation, error) {
	return store.Conversation{}, nil
}

// The Namer remembers at most its bound of customers however many write,
// and a forgotten customer is looked up again.
func TestNamerMemoryIsBounded(t *testing.T) {
	lookup := &countingLookup{asked: map[string]int{}}
	n := NewNamer(lookup, namelessStore{}, nil)
	n.asked = newLRUSet[store.ConvKey](16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.Run(ctx)
	waitCalls := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for lookup.calls.Load() < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d lookups after 10 s, want %d", lookup.calls.Load(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for i := 0; i < 500; i++ {
		n.Want(store.ConvKey{PageID: "P", PSID: fmt.Sprint(i)})
		waitCalls(int64(i + 1))
	}
	if held, over := n.Remembered(); held != 16 || over != 500-16 {
		t.Errorf("held %d, overflow %d; want 16 and %d", held, over, 500-16)
	}
	// One lookup at a time, in order: once "next" is looked up, a second
	// lookup of "499" would have happened before it.
	recent := store.ConvKey{PageID: "P", PSID: "499"}
	n.Want(recent) // remembered: not asked again
	n.Want(store.ConvKey{PageID: "P", PSID: "next"})
	waitCalls(501)
	if got := lookup.times("499"); got != 1 {
		t.Errorf("499, remembered, was looked up %d times", got)
	}
	n.Forget(recent)
	n.Want(recent) // forgotten: asked again
	waitCalls(502)
	if got := lookup.times("499"); got != 2 {
		t.Errorf("499, forgotten, was looked up %d times in all, want 2", got)
	}
}

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
	if !h.unknownSeen.has(shortName(string(make([]byte, 1<<20)))) || len(shortName(string(make([]byte, 1<<20)))) > 70 {
		t.Error("the long name was not cut")
	}
}
