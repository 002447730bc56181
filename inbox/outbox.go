package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// DaemonGrace is how long a command waits for a daemon that went away
// (restarting) before giving up on it.
var DaemonGrace = 30 * time.Second

// Outbox is how a command (send, campaign, campaigns) reaches the inbox
// and follows what it sends. Two things provide it: the daemon serving
// the data dir, whose dispatcher sends all the time, and the data file
// opened by this process, with a dispatcher that runs only while the
// command waits for its sends. The commands are written once, against it.
type Outbox struct {
	Backend
	// Daemon is the daemon's address; "" when this process has the file.
	Daemon string
	// Graph is this process's Graph API client; nil without a token.
	Graph *fbgraph.Client
	disp  *fbgraph.Dispatcher // on the file, with a token
}

// ThroughDaemon is the Outbox of a daemon's client b, at addr.
func ThroughDaemon(b Backend, addr string, gc *fbgraph.Client) *Outbox {
	return &Outbox{Backend: b, Daemon: addr, Graph: gc}
}

// OnFile is the Outbox of the data file st, opened by this process for
// agent. With a Graph client its own dispatcher sends (see Dispatch);
// without one nothing can be sent.
func OnFile(st *store.Store, agent store.Agent, gc *fbgraph.Client, opts fbgraph.DispatcherOptions) *Outbox {
	// The ledger is the store's alone: the command asks Meta about the
	// token itself (TokenProblem), with or without one.
	l := &Local{Store: st, Agent: agent, LedgerOnly: true}
	o := &Outbox{Backend: l, Graph: gc}
	if gc != nil {
		d := fbgraph.NewDispatcher(st, gc, opts)
		o.disp, l.Wake = d, d.Wake
		l.Describe = func(_ context.Context, s *store.SystemStatus) {
			s.Sending = d.Blocked()
			s.TokenOK = s.Sending == ""
		}
	}
	return o
}

// Dispatch starts sending what is queued: this process's dispatcher when
// it has the file (the daemon's runs all the time). stop ends it once the
// sends in flight are recorded; it may be called more than once.
func (o *Outbox) Dispatch(ctx context.Context) (stop func()) {
	if o.disp == nil {
		return func() {}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		o.disp.Run(runCtx)
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

// Blocked says why sending has stopped ("" while it runs), as the
// dispatcher doing the sending sees it.
func (o *Outbox) Blocked(ctx context.Context) string {
	s, err := o.Status(ctx)
	if err != nil {
		return ""
	}
	return s.Sending
}

// TokenProblem says why the Page token cannot send ("" if it can). On the
// file, Meta is asked (GET /me); note says when there was no token to ask
// with. Through a daemon, the daemon's dispatcher knows.
func (o *Outbox) TokenProblem(ctx context.Context) (why, note string, err error) {
	if o.Daemon != "" {
		s, err := o.Status(ctx)
		return s.Sending, "", err
	}
	if o.Graph == nil {
		return "", "PAGE_ACCESS_TOKEN is not set: the token was not checked", nil
	}
	why, err = CheckToken(ctx, o.Graph)
	return why, "", err
}

// Page is the Page to work on: pageID (PAGE_ID) if set, else the only
// Page the data knows, else the token's own (GET /me).
func (o *Outbox) Page(ctx context.Context, pageID string) (string, error) {
	return ResolvePage(ctx, pageID, o, o.Graph)
}

// Away reports whether err is the daemon being briefly away (restarting;
// its client reconnects by itself) and worth waiting out. since is when
// it went; a success resets it.
func (o *Outbox) Away(err error, since *time.Time) bool {
	if err == nil {
		*since = time.Time{}
		return false
	}
	if o.Daemon == "" || !errors.Is(err, ErrDisconnected) {
		return false
	}
	if since.IsZero() {
		*since = time.Now()
	}
	return time.Since(*since) < DaemonGrace
}

// Explain names the daemon in an error that is about losing it.
func (o *Outbox) Explain(err error) error {
	if o.Daemon != "" && errors.Is(err, ErrDisconnected) {
		return fmt.Errorf("the daemon at %s stopped answering: %w; what it had queued is sent once it is back", o.Daemon, err)
	}
	return err
}

// CheckToken asks Meta whether the Page token works. An invalid token is
// the ledger's "blocked" reason, not an error.
func CheckToken(ctx context.Context, gc *fbgraph.Client) (problem string, err error) {
	if _, err := gc.Me(ctx); err != nil {
		if errors.Is(err, fbgraph.ErrTokenInvalid) {
			return fbgraph.ErrTokenReason, nil
		}
		return "", fmt.Errorf("checking the Page token: %w", err)
	}
	return "", nil
}

// PageLister lists the Pages the data knows (a Backend, or the store).
type PageLister interface {
	Pages(ctx context.Context) ([]store.Page, error)
}

// ResolvePage finds the Page to work on: pageID (PAGE_ID) if set, else
// the only Page pages knows (pages may be nil), else the token's own Page
// (GET /me; gc may be nil).
func ResolvePage(ctx context.Context, pageID string, pages PageLister, gc *fbgraph.Client) (string, error) {
	if pageID != "" {
		return pageByName(ctx, pageID, pages), nil
	}
	if pages != nil {
		list, err := pages.Pages(ctx)
		if err != nil {
			return "", err
		}
		if len(list) == 1 {
			return list[0].ID, nil
		}
	}
	if gc == nil {
		return "", errors.New("which Page? set PAGE_ID")
	}
	me, err := gc.Me(ctx)
	if err != nil {
		return "", fmt.Errorf("learning the Page from the token: %w", err)
	}
	return me.ID, nil
}
