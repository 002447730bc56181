package inbox

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// Service is the inbox in the process that owns the store (serve, the
// local TUI): Local, with the dispatcher that sends, the name lookups and
// the presence board every session shares. As gives each agent their own
// Backend on it.
type Service struct {
	*Local
	st     *store.Store
	disp   *fbgraph.Dispatcher // nil without a token: sending is off
	graph  *fbgraph.Client     // the one Page's client; nil with several Pages
	pages  *fbgraph.Pages      // every Page's client
	names  *Namer
	labels *LabelSyncer
	log    *slog.Logger

	mu           sync.Mutex
	pageName     string         // learnt from the token in the background
	webhook      func() Webhook // the webhook this process serves, if any
	tokenWarning func() string

	stopped chan struct{} // closed when the dispatcher has recorded its last send
	woken   chan struct{} // closed when the wake timer has stopped
}

// Options are what a Service is started with.
type Options struct {
	// Graph is the Graph API client for the Page token; nil: messages are
	// received but nothing can be sent.
	Graph *fbgraph.Client
	// Pages, when it holds several Pages' tokens, is used instead of
	// Graph: each call goes with the token of its Page (pages.go).
	Pages *fbgraph.Pages
	// Agent is who uses the Service's own Backend (the local TUI).
	Agent store.Agent
	// Now is the wake timer's clock (tests); nil: time.Now.
	Now func() time.Time
	// MarkSeen sends mark_seen when a conversation is opened.
	MarkSeen bool
	// NoAutoAssign keeps a reply to an unassigned conversation from making
	// it the replier's.
	NoAutoAssign bool
	// NoTyping keeps typing_on from going out while agents type.
	NoTyping bool
	// TypingNow is the typing throttle's clock (tests); nil: time.Now.
	TypingNow func() time.Time
	Logger    *slog.Logger
	// TokenWarning says which Page token expires soon ("" if none), for
	// the status bar. May be nil.
	TokenWarning func() string
}

// Webhook is what the status bar says of the webhook this process serves.
type Webhook struct {
	Addr      string
	Events    uint64
	LastEvent time.Time
	// Unconnected names the Pages webhooks came for that have no token
	// here ("" if none).
	Unconnected string
}

// Start starts the dispatcher and the name lookups (with a token) on st
// until ctx ends; Wait then waits for the sends in flight.
func Start(ctx context.Context, st *store.Store, o Options) *Service {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{st: st, graph: o.Graph, log: log, woken: make(chan struct{}), tokenWarning: o.TokenWarning}
	s.Local = &Local{Store: st, Describe: s.describe, TokenProblem: s.tokenProblem, Agent: o.Agent, Owner: o.Agent.Name,
		Board: NewPresenceBoard(), NoAutoAssign: o.NoAutoAssign, SpoolDir: filepath.Dir(st.Path())}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	go func() { runWakes(ctx, st, now, log); close(s.woken) }()
	pages := pagesOf(o)
	if pages == nil {
		log.Warn("PAGE_ACCESS_TOKEN is not set: messages are received but nothing can be sent")
		return s
	}
	s.pages = pages
	s.startSending(st, o, log)
	if o.MarkSeen {
		s.Local.Seen = s.markSeen
	}
	s.Local.Reactor = func(ctx context.Context, key store.ConvKey, mid, emoji string) (string, error) {
		gc, err := s.pages.For(key.PageID)
		if err != nil {
			return "", err
		}
		return reactWithMeta(ctx, gc, key.PSID, mid, emoji)
	}
	if !o.NoTyping {
		tnow := o.TypingNow
		if tnow == nil {
			tnow = time.Now
		}
		t := &typingThrottle{st: st, now: tnow, log: log, last: map[store.ConvKey]time.Time{},
			send: func(ctx context.Context, key store.ConvKey) error {
				gc, err := s.pages.For(key.PageID)
				if err != nil {
					return err
				}
				return gc.SendAction(ctx, key.PSID, fbgraph.TypingOn)
			}}
		s.Local.TypingOn = t.typing
	}
	s.stopped = make(chan struct{})
	go func() { s.disp.Run(ctx); close(s.stopped) }()
	go s.names.Run(ctx)
	go s.labels.Run(ctx)
	if s.graph != nil {
		go s.learnPage(ctx)
	} else {
		go s.learnPages(ctx)
	}
	return s
}

// learnPage reads the Page's name and ID from the token, for the status
// bar and the store's Pages.
func (s *Service) learnPage(ctx context.Context) {
	me, err := s.graph.Me(ctx)
	if err != nil {
		s.log.Warn("reading the Page from the token failed", "err", err)
		return
	}
	s.mu.Lock()
	s.pageName = me.Name
	s.mu.Unlock()
	s.st.EnsurePages(ctx, []string{me.ID})
}

// Wait blocks until the dispatcher has stopped (its context ended) and
// recorded every send it had under way: only then may the store close,
// or those sends would be left unknown. The wake timer stops too.
func (s *Service) Wait() {
	<-s.woken
	if s.stopped != nil {
		<-s.stopped
	}
}

// LabelSync shares the agents' labels with Meta; nil without a token.
func (s *Service) LabelSync() *LabelSyncer { return s.labels }

// Names is the name lookup the webhook hands new customers to; nil
// without a token (a nil Namer looks nothing up).
func (s *Service) Names() *Namer { return s.names }

// ServeWebhook tells the status what the webhook this process serves has
// seen: stats is asked each time.
func (s *Service) ServeWebhook(stats func() Webhook) {
	s.mu.Lock()
	s.webhook = stats
	s.mu.Unlock()
}

func (s *Service) describe(_ context.Context, st *store.SystemStatus) {
	s.mu.Lock()
	st.PageName = s.pageName
	hook := s.webhook
	s.mu.Unlock()
	if hook != nil {
		w := hook()
		st.Webhook, st.Events, st.LastEvent = w.Addr, w.Events, w.LastEvent
		st.UnconnectedPages = w.Unconnected
	}
	st.Labels = s.labels.Notice()
	if s.tokenWarning != nil {
		st.TokenWarning = s.tokenWarning()
	}
	if s.disp != nil {
		st.Sending = s.disp.Blocked()
		st.TokenOK = st.Sending == ""
	}
}

func (s *Service) tokenProblem() string {
	if s.disp == nil {
		return ""
	}
	return s.disp.Blocked()
}

// markSeen sends mark_seen off the caller's path: a failure loses nothing.
func (s *Service) markSeen(key store.ConvKey) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gc, err := s.pages.For(key.PageID)
		if err == nil {
			err = gc.SendAction(ctx, key.PSID, fbgraph.MarkSeen)
		}
		if err != nil {
			s.log.Warn("mark_seen failed", "psid", key.PSID, "err", err)
		}
	}()
}

// SendStats are the dispatcher's outcomes, for /metrics; nil without one.
func (s *Service) SendStats() map[string]uint64 {
	if s.disp == nil {
		return nil
	}
	d := s.disp.Stats()
	return map[string]uint64{"sent": d.Sent, "failed": d.Failed, "skipped": d.Skipped, "unknown": d.Unknown, "resent": d.Resent}
}

// CampaignStats counts the recipients of running campaigns by state, for
// /metrics.
func (s *Service) CampaignStats() map[string]int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	list, err := s.st.Campaigns(ctx)
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

var _ Backend = (*Service)(nil)
