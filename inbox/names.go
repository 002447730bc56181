package inbox

import (
	"context"
	"log/slog"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/pageinbox/pageinbox/store"
)

// maxNamesAsked bounds the customers a Namer remembers having asked about:
// a busy Page meets millions in a daemon's life.
const maxNamesAsked = 100_000

// NameLookup fetches a customer's name (the Graph API's User Profile).
type NameLookup interface {
	Name(ctx context.Context, pageID, psid string) (string, error)
}

// NameStore is what the Namer needs of the store.
type NameStore interface {
	Conversation(ctx context.Context, key store.ConvKey) (store.Conversation, error)
	SetName(ctx context.Context, key store.ConvKey, name string) (store.Conversation, error)
}

// Namer looks up the names of new customers in the background, so the
// webhook's acknowledgement never waits on the Graph API. A nil Namer (no
// Page token) looks nothing up.
type Namer struct {
	lookup NameLookup
	st     NameStore
	log    *slog.Logger
	queue  chan store.ConvKey

	// asked: each customer once per run, so a failure is not retried in
	// a loop; bounded, the oldest are asked again if they write again.
	asked   *lru.Cache[store.ConvKey, struct{}]
	evicted atomic.Uint64
}

// NewNamer returns a Namer; call Run to start it.
func NewNamer(lookup NameLookup, st NameStore, log *slog.Logger) *Namer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return newNamer(lookup, st, log, maxNamesAsked)
}

func newNamer(lookup NameLookup, st NameStore, log *slog.Logger, bound int) *Namer {
	n := &Namer{lookup: lookup, st: st, log: log, queue: make(chan store.ConvKey, 1024)}
	n.asked, _ = lru.NewWithEvict(bound, func(store.ConvKey, struct{}) { n.evicted.Add(1) }) // errs only for a bound <= 0
	return n
}

// Want asks for key's name unless it was asked already. It never blocks:
// when the queue is full the request is dropped and made again by the
// customer's next message.
func (n *Namer) Want(key store.ConvKey) {
	if n == nil {
		return
	}
	if seen, _ := n.asked.ContainsOrAdd(key, struct{}{}); seen {
		return
	}
	select {
	case n.queue <- key:
	default:
		n.asked.Remove(key)
	}
}

// Forget drops what this run remembers of a customer (`pageinbox
// forget`): if they write again, their name is looked up again.
func (n *Namer) Forget(key store.ConvKey) {
	if n != nil {
		n.asked.Remove(key)
	}
}

// Remembered is how many customers the Namer holds, and how many it let
// go of to stay within its bound. A nil Namer (no token: no lookups)
// holds none.
func (n *Namer) Remembered() (held int, overflow uint64) {
	if n == nil {
		return 0, 0
	}
	return n.asked.Len(), n.evicted.Load()
}

// Run looks names up until ctx ends.
func (n *Namer) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case key := <-n.queue:
			n.resolve(ctx, key)
		}
	}
}

func (n *Namer) resolve(ctx context.Context, key store.ConvKey) {
	c, err := n.st.Conversation(ctx, key)
	if err != nil || c.Name != "" {
		return
	}
	name, err := n.lookup.Name(ctx, key.PageID, key.PSID)
	if err != nil {
		n.log.Warn("profile lookup failed", "psid", key.PSID, "err", err)
		return
	}
	if name == "" {
		return
	}
	if _, err := n.st.SetName(ctx, key, name); err != nil {
		n.log.Warn("saving a customer's name failed", "psid", key.PSID, "err", err)
	}
}
