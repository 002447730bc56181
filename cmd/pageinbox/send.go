package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
	"github.com/pageinbox/pageinbox/webhook"
)

// setupSend sends one message to one customer through the outbox, so it is
// recorded and checked like a reply from the TUI. While a daemon serves the
// data dir the message goes through it; otherwise this process opens the
// file and sends it itself.
func setupSend(fs *flag.FlagSet) runFunc {
	to := fs.String("to", "", "the customer's `PSID`")
	text := fs.String("text", "", "message `TEXT` (under 2000 characters)")
	tag := fs.String("tag", "", "`TAG` for a human reply outside the 24 h window: HUMAN_AGENT (within 7 days)")
	image := fs.String("image", "", "image `URL` to send (after the text, if any)")
	return func(ctx context.Context, env cmdEnv) error {
		if *to == "" || (*text == "" && *image == "") {
			return errors.New("send needs --to PSID and --text TEXT (or --image URL)")
		}
		// Without a daemon nothing in this process receives the webhook: an
		// echo cannot settle an ambiguous answer here, so none is waited for.
		ob, err := openOutbox(ctx, env.cfg, "send", true, fbgraph.DispatcherOptions{Logger: newLogger(env.cfg), EchoWait: -1})
		if err != nil {
			return err
		}
		defer ob.close()
		pageID, err := ob.page(ctx, env.cfg)
		if err != nil {
			return ob.explain(err)
		}
		mt := store.Response
		if *tag != "" {
			mt = store.MessageTag
		}
		feedCtx, endFeed := context.WithCancel(ctx)
		defer endFeed()
		changes, err := ob.Subscribe(feedCtx)
		if err != nil {
			return err
		}
		// Queuing checks the window and refuses before anything reaches
		// Meta, here or in the daemon.
		item, err := ob.Send(ctx, store.Send{ConvKey: store.ConvKey{PageID: pageID, PSID: *to},
			Text: *text, ImageURL: *image, MessagingType: mt, Tag: *tag})
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no conversation with %s on page %s: Messenger lets a Page write only to people who wrote first", *to, pageID)
		}
		if err != nil {
			return ob.explain(err)
		}
		stop := ob.dispatch(ctx)
		defer stop()
		final, why, err := waitOutcome(ctx, ob, changes, item.ID, env)
		if err != nil || why != "" || !settled(final) {
			// Leaving without an outcome: nothing of it may go out later,
			// from this process or another (item 9 of issue 10).
			stop()
			if why == "" && err != nil {
				why = "the command stopped before it was sent"
			}
			// The dispatcher's alert says sending is paused; for this
			// command the message is not waiting anywhere.
			why, _, _ = strings.Cut(why, "; sending is paused")
			final, err = abandon(ob, item.ID, why, err)
			if err != nil {
				return ob.explain(err)
			}
		}
		return sendOutcome(env, final)
	}
}

// settled reports whether an item will not change on its own any more
// (an unknown one may still be settled by its echo, but nothing else).
func settled(it store.OutboxItem) bool {
	return it.State.Done() && !(it.State == store.OutboxUnknown && it.ErrorKind == store.KindAmbiguous)
}

// abandon leaves nothing of an item that could be sent later: queued, it
// fails with why; waiting for its echo, it stops (store.Abandon). cause is
// the error that ended the wait, if any, returned when the item is
// still unsettled.
func abandon(ob *outbox, id uint64, why string, cause error) (store.OutboxItem, error) {
	ctx, cancel := context.WithTimeout(context.Background(), daemonGrace)
	defer cancel()
	var away time.Time
	for {
		it, err := ob.Abandon(ctx, id, "not sent: "+why)
		if ob.away(err, &away) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err == nil && it.State == store.OutboxSending {
			// A daemon's send in flight finishes on its own: its outcome.
			it, err = waitSettled(ctx, ob, id)
		}
		if err == nil && !it.State.Done() {
			err = cause
		}
		return it, err
	}
}

// waitSettled polls an item until it has an outcome.
func waitSettled(ctx context.Context, ob *outbox, id uint64) (store.OutboxItem, error) {
	for {
		it, err := ob.Item(ctx, id)
		if err != nil || it.State != store.OutboxSending {
			return it, err
		}
		select {
		case <-ctx.Done():
			return it, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sendOutcome prints how a send ended and turns it into the exit status:
// 0 sent (Meta's mid on stdout), 1 not sent, 3 maybe sent.
func sendOutcome(env cmdEnv, it store.OutboxItem) error {
	switch it.State {
	case store.OutboxSent:
		fmt.Fprintln(env.stdout, inert.Line(it.MID))
		fmt.Fprintln(env.stderr, "sent")
		return nil
	case store.OutboxUnknown:
		return &exitStatus{code: exitUnknown, err: fmt.Errorf("unknown: %s; "+
			"nothing settled whether it arrived, and it will not be sent again by itself: look at the conversation before sending it again", it.Reason)}
	}
	reason := it.Reason
	if !strings.HasPrefix(reason, "not sent") {
		reason = "not sent: " + reason
	}
	if it.ErrorKind == "not_sent" {
		reason += "; nothing of it stays queued: send it again when that is fixed"
	}
	return fmt.Errorf("failed: %s", reason)
}

// waitOutcome follows an outbox item until it settles: through the change
// feed, and by reading it after a resync and every second. An item put
// back in the queue, or left there, because sending stopped (an invalid
// token) settles too, with why saying so; one put back to be retried
// later does not. An unknown item waiting for its echo is followed until
// the echo settles it or the wait ends (a note says so).
func waitOutcome(ctx context.Context, ob *outbox, changes <-chan store.Change, id uint64, env cmdEnv) (item store.OutboxItem, why string, err error) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var away time.Time
	noted := false
	for {
		select {
		case <-ctx.Done():
			return item, "", ctx.Err()
		case ch, ok := <-changes:
			if !ok {
				changes = nil // the ticker carries on
				continue
			}
			if ch.Kind == store.OutboxChanged && ch.Outbox != nil && ch.Outbox.ID == id {
				if settled(*ch.Outbox) {
					return *ch.Outbox, "", nil
				}
				if ch.Outbox.State != store.OutboxQueued || ch.Outbox.Reason == "" {
					continue
				}
			} else if ch.Kind != store.Resync {
				continue
			}
		case <-tick.C:
		}
		if item, err = ob.Item(ctx, id); ob.away(err, &away) {
			continue
		}
		if err != nil || settled(item) {
			return item, "", err
		}
		switch {
		case item.State == store.OutboxQueued:
			if why := ob.blocked(ctx); why != "" {
				return item, why, nil
			}
		case item.State == store.OutboxUnknown && !noted:
			noted = true
			fmt.Fprintf(env.stderr, "%s: waiting for Meta's echo to tell whether it arrived (up to a minute; ctrl+c stops waiting)\n", inert.Line(item.Reason))
		}
	}
}

// backend is what send, campaign and campaigns need of the data. Two
// things provide it: *webhook.Client, when a daemon owns the data file
// and its dispatcher sends, and *fileBackend, the file opened by this
// process with a dispatcher of its own. The commands are written once,
// against it.
type backend interface {
	Pages(ctx context.Context) ([]store.Page, error)
	Send(ctx context.Context, s store.Send) (store.OutboxItem, error)
	Item(ctx context.Context, id uint64) (store.OutboxItem, error)
	Abandon(ctx context.Context, id uint64, why string) (store.OutboxItem, error)
	Subscribe(ctx context.Context) (<-chan store.Change, error)
	Status(ctx context.Context) (store.SystemStatus, error)
	SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error)
	Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error)
	StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error)
	Campaign(ctx context.Context, id uint64) (store.Campaign, error)
	Campaigns(ctx context.Context) ([]store.Campaign, error)
	CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error)
	SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error)
	RetryFailed(ctx context.Context, id uint64) (int, error)
	CampaignReplies(ctx context.Context, id uint64) (int, error)
}

var (
	_ backend = (*webhook.Client)(nil)
	_ backend = (*fileBackend)(nil)
)

// fileBackend is the data file opened by this process: the store-backed
// Backend the daemon serves too (inbox.Local), and a dispatcher that runs
// only while a command waits for its sends.
type fileBackend struct {
	*inbox.Local
	st   *store.Store
	disp *fbgraph.Dispatcher // nil without a token: nothing can be sent
}

// Eligibility is the store's ledger alone: the command asks Meta about the
// token itself (outbox.tokenProblem), with or without one.
func (b *fileBackend) Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error) {
	if len(keys) == 0 {
		return store.Ledger{}, errors.New("no recipients selected")
	}
	return b.st.Eligibility(ctx, keys[0].PageID, keys)
}

// outbox is how a command reaches the data, and the little that differs
// between the two ways: who sends, and who knows whether the token works.
type outbox struct {
	backend
	daemon string          // the daemon's address; "" when this process has the file
	file   *fileBackend    // nil with a daemon
	gc     *fbgraph.Client // this process's Graph client; nil without a token
	close  func()
}

// daemonGrace is how long a command waits for a daemon that went away
// (restarting) before giving up on it.
var daemonGrace = 30 * time.Second

// openOutbox reaches the data dir: through the daemon serving it (or
// --server), else by opening the file. Opening the file needs the Page
// token when the command will send (needToken); the daemon has its own.
func openOutbox(ctx context.Context, cfg config, owner string, needToken bool, opts fbgraph.DispatcherOptions) (*outbox, error) {
	gc, gcErr := newGraphClient(cfg)
	if gcErr != nil {
		gc = nil
	}
	if daemonURL(cfg) != "" {
		c, err := attach(ctx, cfg, thisAgent())
		if err != nil {
			return nil, err
		}
		if c != nil {
			return &outbox{backend: c, daemon: c.Addr(), gc: gc, close: func() { c.Close() }}, nil
		}
	}
	if gcErr != nil && needToken {
		return nil, gcErr
	}
	st, err := openStore(cfg, owner, time.Second)
	if err != nil {
		return nil, err
	}
	fb := &fileBackend{Local: &inbox.Local{Store: st, Agent: thisAgent()}, st: st}
	if gc != nil {
		d := fbgraph.NewDispatcher(st, gc, opts)
		fb.disp, fb.Local.Wake = d, d.Wake
		fb.Local.Describe = func(_ context.Context, s *store.SystemStatus) {
			s.Sending = d.Blocked()
			s.TokenOK = s.Sending == ""
		}
	}
	return &outbox{backend: fb, file: fb, gc: gc, close: func() { st.Close() }}, nil
}

// dispatch starts sending what is queued: this process's dispatcher when
// it has the file (the daemon's runs all the time). stop ends it once the
// sends in flight are recorded; it may be called more than once.
func (o *outbox) dispatch(ctx context.Context) (stop func()) {
	if o.file == nil || o.file.disp == nil {
		return func() {}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		o.file.disp.Run(runCtx)
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

// blocked says why sending has stopped ("" while it runs), as the
// dispatcher doing the sending sees it.
func (o *outbox) blocked(ctx context.Context) string {
	s, err := o.Status(ctx)
	if err != nil {
		return ""
	}
	return s.Sending
}

// tokenProblem says why the Page token cannot send ("" if it can). With
// the file, Meta is asked (GET /me); note says when there was no token to
// ask with. With a daemon, the daemon's dispatcher knows.
func (o *outbox) tokenProblem(ctx context.Context) (why, note string, err error) {
	if o.daemon != "" {
		s, err := o.Status(ctx)
		return s.Sending, "", err
	}
	if o.gc == nil {
		return "", "PAGE_ACCESS_TOKEN is not set: the token was not checked", nil
	}
	why, err = checkToken(ctx, o.gc)
	return why, "", err
}

// page is the Page to work on: PAGE_ID, else the only Page the data
// knows, else the token's own (GET /me).
func (o *outbox) page(ctx context.Context, cfg config) (string, error) {
	if cfg.PageID == "" {
		pages, err := o.Pages(ctx)
		if err != nil {
			return "", err
		}
		if len(pages) == 1 {
			return pages[0].ID, nil
		}
	}
	return resolvePage(ctx, cfg, nil, o.gc)
}

// away reports whether err is the daemon being briefly away (restarting;
// the client reconnects by itself) and worth waiting out. since is when
// it went; a success resets it.
func (o *outbox) away(err error, since *time.Time) bool {
	if err == nil {
		*since = time.Time{}
		return false
	}
	if o.daemon == "" || !errors.Is(err, webhook.ErrDisconnected) {
		return false
	}
	if since.IsZero() {
		*since = time.Now()
	}
	return time.Since(*since) < daemonGrace
}

// explain names the daemon in an error that is about losing it.
func (o *outbox) explain(err error) error {
	if o.daemon != "" && errors.Is(err, webhook.ErrDisconnected) {
		return fmt.Errorf("the daemon at %s stopped answering: %w; what it had queued is sent once it is back", o.daemon, err)
	}
	return err
}
