package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// localBackend is the TUI's Backend when everything runs in this process:
// the store, the dispatcher and the webhook.
type localBackend struct {
	st       *store.Store
	disp     *fbgraph.Dispatcher // nil without a token: sending is off
	hook     *webhook.Handler    // nil without a webhook
	graph    *fbgraph.Client
	names    *webhook.Namer // nil without a token
	listen   string
	markSeen bool

	mu       sync.Mutex
	pageName string // learnt from the token in the background
	log      *slog.Logger
}

// startCore starts what a process owning the store runs beside it: the
// dispatcher and the profile lookups (when there is a token). serve and
// the local TUI share it.
func startCore(ctx context.Context, cfg config, st *store.Store, log *slog.Logger) *localBackend {
	b := &localBackend{st: st, log: log, markSeen: os.Getenv("PAGEINBOX_MARK_SEEN") == "1"}
	if cfg.PageAccessToken.Reveal() == "" {
		log.Warn("PAGE_ACCESS_TOKEN is not set: messages are received but nothing can be sent")
		return b
	}
	gc := fbgraph.New(fbgraph.Options{BaseURL: cfg.GraphURL, Version: cfg.GraphVersion,
		PageToken: cfg.PageAccessToken.Reveal(), AppSecret: cfg.AppSecret.Reveal(), Logger: log})
	b.graph = gc
	b.disp = fbgraph.NewDispatcher(st, gc, fbgraph.DispatcherOptions{Logger: log})
	b.names = webhook.NewNamer(gc, st, log)
	go b.disp.Run(ctx)
	go b.names.Run(ctx)
	go func() {
		if me, err := gc.Me(ctx); err == nil {
			b.setPageName(me.Name)
			st.EnsurePages(ctx, []string{me.ID})
		} else {
			log.Warn("reading the Page from the token failed", "err", err)
		}
	}()
	return b
}

// sendStats are the dispatcher's outcomes, for /metrics.
func (b *localBackend) sendStats() map[string]uint64 {
	if b.disp == nil {
		return nil
	}
	s := b.disp.Stats()
	return map[string]uint64{"sent": s.Sent, "failed": s.Failed, "skipped": s.Skipped}
}

func (b *localBackend) setPageName(name string) {
	b.mu.Lock()
	b.pageName = name
	b.mu.Unlock()
}

func (b *localBackend) Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error) {
	return b.st.List(ctx, q)
}

func (b *localBackend) Counts(ctx context.Context) (store.Counts, error) { return b.st.AllCounts(ctx) }

func (b *localBackend) Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error) {
	return b.st.Thread(ctx, key, before, limit)
}

func (b *localBackend) Send(ctx context.Context, s store.Send) (store.OutboxItem, error) {
	if b.disp == nil {
		return store.OutboxItem{}, errors.New("sending is off: PAGE_ACCESS_TOKEN is not set")
	}
	item, err := b.st.Enqueue(ctx, s)
	if err == nil {
		b.disp.Wake()
	}
	return item, err
}

func (b *localBackend) MarkRead(ctx context.Context, key store.ConvKey) error {
	if _, err := b.st.MarkRead(ctx, key); err != nil {
		return err
	}
	if b.markSeen && b.graph != nil {
		// Best effort, off the caller's path: a failed mark_seen loses nothing.
		go func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := b.graph.SendAction(sctx, key.PSID, fbgraph.MarkSeen); err != nil {
				b.log.Warn("mark_seen failed", "psid", key.PSID, "err", err)
			}
		}()
	}
	return nil
}

func (b *localBackend) SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error {
	_, err := b.st.SetStatus(ctx, key, st)
	return err
}

func (b *localBackend) SaveDraft(ctx context.Context, key store.ConvKey, draft string) error {
	_, err := b.st.SaveDraft(ctx, key, draft)
	return err
}

func (b *localBackend) Subscribe(ctx context.Context) (<-chan store.Change, error) {
	sub := b.st.Subscribe(4096)
	go func() {
		<-ctx.Done()
		sub.Close()
	}()
	return sub.C, nil
}

func (b *localBackend) Status(ctx context.Context) (store.SystemStatus, error) {
	b.mu.Lock()
	s := store.SystemStatus{Mode: "local", Webhook: b.listen, PageName: b.pageName, Connected: true}
	b.mu.Unlock()
	if b.hook != nil {
		hs := b.hook.Stats()
		s.Events, s.LastEvent = hs.Events, hs.LastEvent
	}
	switch {
	case b.disp == nil:
		s.Sending = "sending is off: PAGE_ACCESS_TOKEN is not set"
	default:
		s.Sending = b.disp.Blocked()
		s.TokenOK = s.Sending == ""
	}
	n, err := b.st.Queued(ctx)
	s.Queued = n
	return s, err
}
