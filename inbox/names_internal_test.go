package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

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
	n := newNamer(lookup, namelessStore{}, slog.New(slog.DiscardHandler), 16)
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
