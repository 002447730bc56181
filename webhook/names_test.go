package webhook_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
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

func TestNamerFillsNamesInTheBackground(t *testing.T) {
	st := openStore(t)
	lookup := &fakeLookup{calls: map[string]int{}, block: make(chan struct{})}
	namer := webhook.NewNamer(lookup, st, nil)
	h := webhook.New(st, webhook.Config{AppSecret: secret, Now: func() time.Time { return now }, Names: namer})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go namer.Run(ctx)

	// The lookup is blocked: the POST must still be acknowledged.
	for _, psid := range []string{"u1", "u1", "ghost"} {
		body := textPOST(psid, "m-"+psid+time.Now().String(), "hi", now)
		if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
			t.Fatalf("POST with a blocked lookup: %d", w.Code)
		}
	}
	close(lookup.block)
	key := store.ConvKey{PageID: pageID, PSID: "u1"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _ := st.Conversation(ctx, key)
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
}
