package inbox

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// TypingEvery is how often at most typing_on goes out per conversation:
// Meta shows it for 20 s, so once per 10 s keeps it up while an agent types.
const TypingEvery = 10 * time.Second

// React puts the Page's reaction (emoji) on a message of key's thread, or
// takes it off (emoji ""). It is recorded in the store, and so shown to
// every session, only after Meta took it.
func (b *Local) React(ctx context.Context, key store.ConvKey, mid, emoji string) (store.Message, error) {
	if b.Reactor == nil {
		return store.Message{}, ErrSendingOff
	}
	took, err := b.Reactor(ctx, key, mid, emoji)
	if err != nil {
		return store.Message{}, err
	}
	return b.Store.SetPageReaction(ctx, key, mid, took)
}

// Typing says this agent is typing a reply in key's conversation; the
// process owning the dispatcher decides whether typing_on goes out.
func (b *Local) Typing(ctx context.Context, key store.ConvKey) error {
	if b.TypingOn != nil {
		b.TypingOn(ctx, key)
	}
	return nil
}

// typingThrottle lets typing_on out at most once per TypingEvery per
// conversation, and only inside the messaging window. One per Service:
// every session shares it.
type typingThrottle struct {
	st   *store.Store
	now  func() time.Time
	send func(ctx context.Context, key store.ConvKey) error
	log  *slog.Logger

	mu   sync.Mutex
	last map[store.ConvKey]time.Time
}

// typing sends typing_on for key unless one went out less than
// TypingEvery ago or the window is closed. A failure loses nothing.
func (t *typingThrottle) typing(ctx context.Context, key store.ConvKey) {
	conv, err := t.st.Conversation(ctx, key)
	if err != nil {
		return
	}
	now := t.now()
	if d := store.CheckSend(conv.LastInboundTime, now, store.Response, ""); !d.Allowed {
		return
	}
	t.mu.Lock()
	if last, ok := t.last[key]; ok && now.Sub(last) < TypingEvery {
		t.mu.Unlock()
		return
	}
	if len(t.last) >= 1024 { // forget conversations long past the throttle
		for k, at := range t.last {
			if now.Sub(at) >= TypingEvery {
				delete(t.last, k)
			}
		}
	}
	t.last[key] = now
	t.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := t.send(ctx, key); err != nil {
		t.log.Warn("typing_on failed", "psid", key.PSID, "err", err)
	}
}

// reactWithMeta sends a reaction (emoji "": unreact) and returns the
// emoji Meta took. Instagram is reported to refuse "❤️" with U+FE0F and
// take bare "❤" (PLATFORM-2 §4, UNCLEAR on Messenger): a reaction refused
// as invalid that carries U+FE0F is sent once more without it.
func reactWithMeta(ctx context.Context, gc *fbgraph.Client, psid, mid, emoji string) (string, error) {
	if emoji == "" {
		return "", gc.Unreact(ctx, psid, mid)
	}
	err := gc.React(ctx, psid, mid, emoji)
	bare := strings.ReplaceAll(emoji, "\uFE0F", "")
	var fe *fbgraph.Error
	if err != nil && bare != emoji && bare != "" && errors.As(err, &fe) && fe.HTTPStatus == http.StatusBadRequest && fe.Code == 100 {
		if again := gc.React(ctx, psid, mid, bare); again == nil {
			return bare, nil
		}
	}
	return emoji, err
}
