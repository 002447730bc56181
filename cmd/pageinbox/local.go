package main

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// core is what a process that owns the store runs beside it: the
// dispatcher, the profile lookups and (set by the caller) the webhook.
// Its embedded inbox.Local is the Backend of a local TUI, and the API the
// daemon serves to attached ones.
type core struct {
	*inbox.Local
	st     *store.Store
	disp   *fbgraph.Dispatcher // nil without a token: sending is off
	graph  *fbgraph.Client
	names  *webhook.Namer
	hook   *webhook.Handler
	listen string
	log    *slog.Logger

	mu       sync.Mutex
	pageName string // learnt from the token in the background

	stopped chan struct{} // closed when the dispatcher has recorded its last send
}

// wait blocks until the dispatcher has stopped (its context ended) and
// recorded every send it had under way: only then may the store close,
// or those sends would be left unknown.
func (c *core) wait() {
	if c.stopped != nil {
		<-c.stopped
	}
}

// startCore starts the dispatcher and the profile lookups (when there is
// a token). serve and the local TUI share it.
func startCore(ctx context.Context, cfg config, st *store.Store, log *slog.Logger) *core {
	c := &core{st: st, log: log}
	c.Local = &inbox.Local{Store: st, Describe: c.describe, TokenProblem: c.tokenProblem,
		Agent: thisAgent(), Board: inbox.NewPresenceBoard()}
	if cfg.PageAccessToken.Reveal() == "" {
		log.Warn("PAGE_ACCESS_TOKEN is not set: messages are received but nothing can be sent")
		return c
	}
	gc := fbgraph.New(fbgraph.Options{BaseURL: cfg.GraphURL, Version: cfg.GraphVersion,
		PageToken: cfg.PageAccessToken.Reveal(), AppSecret: cfg.AppSecret.Reveal(), Logger: log})
	c.graph = gc
	// While a refused token holds the replies back, Meta is asked now and
	// then whether it works again; they go out as soon as it does.
	probe := func(ctx context.Context) error { _, err := gc.Me(ctx); return err }
	c.disp = fbgraph.NewDispatcher(st, gc, fbgraph.DispatcherOptions{Logger: log, Probe: probe})
	c.names = webhook.NewNamer(gc, st, log)
	c.Local.Wake = c.disp.Wake
	if os.Getenv("PAGEINBOX_MARK_SEEN") == "1" {
		c.Local.Seen = c.markSeen
	}
	c.stopped = make(chan struct{})
	go func() { c.disp.Run(ctx); close(c.stopped) }()
	go c.names.Run(ctx)
	go func() {
		if me, err := gc.Me(ctx); err == nil {
			c.mu.Lock()
			c.pageName = me.Name
			c.mu.Unlock()
			st.EnsurePages(ctx, []string{me.ID})
		} else {
			log.Warn("reading the Page from the token failed", "err", err)
		}
	}()
	return c
}

func (c *core) describe(_ context.Context, s *store.SystemStatus) {
	c.mu.Lock()
	s.PageName = c.pageName
	c.mu.Unlock()
	s.Webhook = c.listen
	if c.hook != nil {
		hs := c.hook.Stats()
		s.Events, s.LastEvent = hs.Events, hs.LastEvent
	}
	if c.disp != nil {
		s.Sending = c.disp.Blocked()
		s.TokenOK = s.Sending == ""
	}
}

func (c *core) tokenProblem() string {
	if c.disp == nil {
		return ""
	}
	return c.disp.Blocked()
}

// markSeen sends mark_seen off the caller's path: a failure loses nothing.
func (c *core) markSeen(key store.ConvKey) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.graph.SendAction(ctx, key.PSID, fbgraph.MarkSeen); err != nil {
			c.log.Warn("mark_seen failed", "psid", key.PSID, "err", err)
		}
	}()
}

// sendStats are the dispatcher's outcomes, for /metrics.
func (c *core) sendStats() map[string]uint64 {
	if c.disp == nil {
		return nil
	}
	s := c.disp.Stats()
	return map[string]uint64{"sent": s.Sent, "failed": s.Failed, "skipped": s.Skipped, "unknown": s.Unknown, "resent": s.Resent}
}

// campaignStats counts the recipients of running campaigns by state, for
// /metrics.
func (c *core) campaignStats() map[string]int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	list, err := c.st.Campaigns(ctx)
	if err != nil {
		return nil
	}
	out := map[string]int{"queued": 0, "sent": 0, "failed": 0, "skipped": 0, "unknown": 0}
	for _, camp := range list {
		if camp.Status != store.CampaignRunning {
			continue
		}
		n := camp.Counts
		out["queued"] += n.Queued + n.Sending
		out["sent"] += n.Sent
		out["failed"] += n.Failed
		out["skipped"] += n.Skipped
		out["unknown"] += n.Unknown
	}
	return out
}
