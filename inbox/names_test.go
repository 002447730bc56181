package inbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
)

type fakeLookup struct {
	mu    sync.Mutex
	calls map[string]int
	block chan struct{}
}

func (f *fakeLookup) Name(ctx context.Context, pageID, psid string) (string, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	f.calls[psid]++
	f.mu.Unlock()
	if psid == "ghost" {
		return "", errors.New("(#100) no profile")
	}
	return "Name of " + psid, nil
}

// Want never waits for the Graph API: the names arrive in the background,
// each customer is asked about once, and a failed lookup names nobody.
func TestNamerFillsNamesInTheBackground(t *testing.T) {
	st := openStore(t, "u1", "ghost")
	lookup := &fakeLookup{calls: map[string]int{}, block: make(chan struct{})}
	namer := inbox.NewNamer(lookup, st, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go namer.Run(ctx)

	// The lookup is blocked: Want must still return at once.
	for _, psid := range []string{"u1", "u1", "ghost"} {
		namer.Want(key(psid))
	}
	close(lookup.block)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _ := st.Conversation(ctx, key("u1"))
		if c.Name == "Name of u1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("name never arrived: %+v", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
	lookup.mu.Lock()
	defer lookup.mu.Unlock()
	if lookup.calls["u1"] != 1 {
		t.Errorf("u1 looked up %d times, want 1", lookup.calls["u1"])
	}
	if c, _ := st.Conversation(ctx, key("ghost")); c.Name != "" {
		t.Errorf("a failed lookup named ghost %q", c.Name)
	}
}

// Without a Page token there is no Namer; the webhook may still ask it.
func TestNilNamerLooksNothingUp(t *testing.T) {
	var n *inbox.Namer
	n.Want(key("u1"))
	n.Forget(key("u1"))
}
