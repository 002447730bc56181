package webhook_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// wanted records the customers the handler asks names for.
type wanted struct {
	mu   sync.Mutex
	keys []store.ConvKey
}

func (w *wanted) Want(key store.ConvKey) {
	w.mu.Lock()
	w.keys = append(w.keys, key)
	w.mu.Unlock()
}

// Every stored message hands its customer to Names (the Namer asks Meta
// once per customer), after the store has it.
func TestHandlerAsksNewCustomersNames(t *testing.T) {
	st := openStore(t)
	names := &wanted{}
	h := webhook.New(st, webhook.Config{AppSecret: secret, Now: func() time.Time { return now }, Names: names})
	for i, psid := range []string{"u1", "u1", "u2"} {
		body := textPOST(psid, "m-"+psid+string(rune('a'+i)), "hi", now)
		if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
			t.Fatalf("POST: %d", w.Code)
		}
	}
	names.mu.Lock()
	defer names.mu.Unlock()
	want := []store.ConvKey{{PageID: pageID, PSID: "u1"}, {PageID: pageID, PSID: "u1"}, {PageID: pageID, PSID: "u2"}}
	if !slices.Equal(names.keys, want) {
		t.Errorf("names asked for %v, want %v", names.keys, want)
	}
}
