package fbgraph

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/pageinbox/pageinbox/store"
)

// Outbox is what the dispatcher needs of the store.
type Outbox interface {
	Claim(ctx context.Context, max int) ([]store.OutboxItem, error)
	Complete(ctx context.Context, id uint64, res store.Result) error
	Release(ctx context.Context, id uint64, why string) error
	Conversation(ctx context.Context, key store.ConvKey) (store.Conversation, error)
	// SweepUnechoed ends the echo wait of unknown items older than wait:
	// each goes once more or stays unknown (store.Store.SweepUnechoed).
	SweepUnechoed(ctx context.Context, wait time.Duration) (store.EchoSweep, error)
}

// Sender sends one message; *Client is one.
type Sender interface {
	Send(ctx context.Context, m Message) (SendResult, error)
}

// DispatcherOptions configure a Dispatcher.
type DispatcherOptions struct {
	// Rate is the sustained sends per second. Meta allows 300/s per Page
	// for text; the default 100/s stays well clear of it (and of the
	// 40/s "high-volume inbox" mode only for long bursts).
	Rate float64
	// Burst is how many sends may go at once after a quiet spell. Default 10.
	Burst int
	// MediaRate paces sends of audio and video, which Meta allows 10/s
	// per Page (PLATFORM-2.md §3), on top of Rate. Default 10.
	MediaRate float64
	// Concurrency bounds sends in flight, which is also the most items a
	// crash can leave unknown. Default 8.
	Concurrency int
	// Poll is how often an idle dispatcher looks for work it was not woken
	// for. Default 1 s.
	Poll   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
	// OnAlert is told, once, when sending stops for a reason a person must
	// fix (an invalid token).
	OnAlert func(msg string)
	// EchoWait is how long a send whose answer proved nothing (a 502 from
	// an edge, a cut, a timeout) waits for the echo that settles it before
	// it may go once more. Default DefaultEchoWait. Negative: no echo can
	// reach this process (nothing receives the webhook), so such a send is
	// left unknown at once, for a person to decide.
	EchoWait time.Duration
	// Sweep is how often the echo waits are looked at. Default 1 s.
	Sweep time.Duration
	// Probe, when set, is asked while sending is stopped for an invalid
	// token whether the token works again (nil: it does); sending then
	// resumes by itself. ProbeEvery defaults to 30 s.
	Probe      func(ctx context.Context) error
	ProbeEvery time.Duration
	// ProbePage, when set, is asked every ProbeEvery whether a Page whose
	// sends are held (no token, or its token refused) can send again.
	ProbePage func(ctx context.Context, pageID string) error
}

// DefaultEchoWait is how long an ambiguous send waits for its echo.
const DefaultEchoWait = 60 * time.Second

// Dispatcher sends the outbox through the Send API: it claims queued
// items, re-checks the messaging window at send time, paces calls with a
// token bucket and records each outcome. It never sends an item twice:
// only a claimed item is sent, and only once.
type Dispatcher struct {
	out     Outbox
	send    Sender
	limiter *rate.Limiter
	media   *rate.Limiter // audio and video sends, on top of limiter
	slots   chan struct{}
	wake    chan struct{}
	opts    DispatcherOptions
	log     *slog.Logger

	blockMu sync.Mutex
	blocked string            // why sending stopped; "" while running
	unblock chan struct{}     // closed by Unblock
	held    map[string]string // Page id -> why its sends are held (dispatch_pages.go)

	rateMu       sync.Mutex
	lastThrottle time.Time

	sent, failed, skipped, unknown, resent atomic.Uint64

	// noMultiImage holds the Pages whose multi-image sends Meta refused
	// (page id -> true), for the life of the process.
	noMultiImage sync.Map
}

// NewDispatcher returns a Dispatcher; Run starts it.
func NewDispatcher(out Outbox, send Sender, o DispatcherOptions) *Dispatcher {
	if o.Rate <= 0 {
		o.Rate = 100
	}
	if o.Burst <= 0 {
		o.Burst = 10
	}
	if o.MediaRate <= 0 {
		o.MediaRate = 10
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.EchoWait == 0 {
		o.EchoWait = DefaultEchoWait
	}
	if o.Sweep <= 0 {
		o.Sweep = time.Second
	}
	if o.ProbeEvery <= 0 {
		o.ProbeEvery = 30 * time.Second
	}
	return &Dispatcher{out: out, send: send, limiter: rate.NewLimiter(rate.Limit(o.Rate), o.Burst),
		media: rate.NewLimiter(rate.Limit(o.MediaRate), 1),
		slots: make(chan struct{}, o.Concurrency), wake: make(chan struct{}, 1), opts: o, log: o.Logger}
}

// Wake tells the dispatcher new items are queued. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// DispatchStats count outcomes since start. Unknown: Meta's answer did
// not prove a refusal (or a crash); Resent: sent once more after no echo.
type DispatchStats struct{ Sent, Failed, Skipped, Unknown, Resent uint64 }

// Stats reads the counters.
func (d *Dispatcher) Stats() DispatchStats {
	return DispatchStats{Sent: d.sent.Load(), Failed: d.failed.Load(), Skipped: d.skipped.Load(),
		Unknown: d.unknown.Load(), Resent: d.resent.Load()}
}

// Run sends until ctx ends, then waits for sends in flight to be recorded.
func (d *Dispatcher) Run(ctx context.Context) error {
	var inflight sync.WaitGroup
	defer inflight.Wait()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep() // before the wait: Run may end while ctx goes on (the store closed)
	inflight.Add(1)
	go func() { defer inflight.Done(); d.sweep(sweepCtx) }()
	inflight.Add(1)
	go func() { defer inflight.Done(); d.probeHeld(sweepCtx) }()
	for {
		if err := d.waitUnblocked(ctx); err != nil {
			return nil
		}
		d.recoverRate()
		// Take a free slot before claiming, so claimed items are sent at once.
		select {
		case d.slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		free := 1
		for free < cap(d.slots) && free < max(1, int(d.limiter.Tokens())) {
			select {
			case d.slots <- struct{}{}:
				free++
				continue
			default:
			}
			break
		}
		items, err := d.claim(ctx, free)
		if err != nil {
			d.release(free)
			if ctx.Err() != nil || errors.Is(err, store.ErrClosed) {
				return nil
			}
			d.log.Error("outbox: claim failed", "err", err)
			if !d.idle(ctx) {
				return nil
			}
			continue
		}
		d.release(free - len(items))
		for _, item := range items {
			inflight.Add(1)
			go func(item store.OutboxItem) {
				defer inflight.Done()
				defer d.release(1)
				d.dispatch(ctx, item)
			}(item)
		}
		if len(items) == 0 && !d.idle(ctx) {
			return nil
		}
	}
}

func (d *Dispatcher) release(n int) {
	for i := 0; i < n; i++ {
		<-d.slots
	}
}

// idle waits for a wake-up or the poll interval; false when ctx ended.
func (d *Dispatcher) idle(ctx context.Context) bool {
	t := time.NewTimer(d.opts.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-d.wake:
	case <-t.C:
	}
	return true
}

// dispatch sends one claimed item and records what happened. Outcomes are
// recorded with a context of their own: a shutdown must not lose the
// answer Meta already gave.
func (d *Dispatcher) dispatch(ctx context.Context, item store.OutboxItem) {
	record := func(res store.Result) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := d.out.Complete(rctx, item.ID, res); err != nil {
			d.log.Error("outbox: recording a send failed; the item stays in sending and becomes unknown on restart",
				"item", item.ID, "err", err)
		}
	}
	conv, err := d.out.Conversation(ctx, item.ConvKey)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		// Stopping (Ctrl-C on a campaign) or the store failing, before
		// anything was sent: the item goes back to the queue untouched.
		d.putBack(item, "stopped before sending")
		return
	}
	if err != nil {
		record(store.Result{Failed: true, Reason: "conversation not found", ErrorKind: "no_conversation"})
		d.failed.Add(1)
		return
	}
	now := d.opts.Now()
	if item.CampaignID != 0 {
		// A campaign's text goes only to people inside the 24 h window (as
		// UPDATE, never tagged), its template (UTILITY) to anyone who wrote,
		// both only if not found unreachable by an earlier send. A text's
		// window may have closed since the campaign was confirmed: it is
		// skipped, never turned into a template here.
		if ok, kind, reason := store.CampaignItemCheck(conv, now, item.MessagingType); !ok {
			record(store.Result{Skipped: true, Reason: reason, ErrorKind: kind})
			d.skipped.Add(1)
			return
		}
	}
	// The window may have closed since the item was queued.
	if dec := store.CheckSend(conv.LastInboundTime, now, item.MessagingType, item.Tag); !dec.Allowed {
		if item.CampaignID != 0 {
			record(store.Result{Skipped: true, Reason: dec.Reason, ErrorKind: ClassOutsideWindow.String()})
			d.skipped.Add(1)
		} else {
			record(store.Result{Failed: true, Reason: "not sent: " + dec.Reason, ErrorKind: ClassOutsideWindow.String()})
			d.failed.Add(1)
		}
		return
	}
	if err := d.pace(ctx, item); err != nil {
		d.putBack(item, "shutting down before sending")
		return
	}
	if why := cmp.Or(d.stopped(), d.heldWhy(item.ConvKey.PageID)); why != "" {
		d.putBack(item, why)
		return
	}
	msg := Message{PageID: item.ConvKey.PageID, PSID: item.PSID, Text: item.Text, MessagingType: string(item.MessagingType), Tag: item.Tag,
		Metadata: store.SendMetadata(item.ID), ReplyTo: item.ReplyTo}
	// A send under way finishes even when Run is stopping: cutting it off
	// would leave its outcome unknown.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	res, err := d.sendItem(sendCtx, item, msg)
	if err == nil {
		record(store.Result{MID: res.MessageID})
		d.sent.Add(1)
		return
	}
	d.settleError(item, err, record)
}

// sendItem sends an item's messages in order. The Send API takes text or
// attachments, not both: an item's file or images follow its text as
// messages of their own. The first message's answer is the item's; those
// that follow are best-effort (the item counts as sent either way).
func (d *Dispatcher) sendItem(ctx context.Context, item store.OutboxItem, msg Message) (SendResult, error) {
	parts := []Message{msg}
	att := itemAttachment(item)
	switch {
	case item.Template != nil:
		parts[0].Text, parts[0].Template = "", templateOf(item.Template)
	case len(item.Images) > 0:
		parts = d.imageParts(item, msg)
	case att != nil && msg.Text == "":
		parts[0].Attachment = att
	case att != nil:
		next := followUp(msg)
		next.Attachment = att
		parts = append(parts, next)
	}
	res, err := d.sendPart(ctx, item, parts[0])
	if err != nil {
		return res, err
	}
	for _, p := range parts[1:] {
		if _, err := d.sendPart(ctx, item, p); err != nil {
			d.log.Warn("outbox: an attachment after a sent text failed", "item", item.ID, "err", err)
		}
	}
	return res, nil
}

// followUp is a message that follows the item's first: no text, no reply_to.
func followUp(msg Message) Message {
	msg.Text, msg.ReplyTo = "", ""
	return msg
}

// settleError records what a send's error means for its item: held back
// (token, throttling), unknown (the answer proved nothing), skipped or
// failed (Meta refused it).
func (d *Dispatcher) settleError(item store.OutboxItem, err error, record func(store.Result)) {
	class := ClassOf(err)
	var ge *Error
	if d.holdError(item, err) {
		return
	}
	if class == ClassTokenInvalid {
		// Meta refused before sending anything: stop everything, keep the item.
		d.block(ErrTokenReason)
		d.putBack(item, ErrTokenReason)
		return
	}
	if class == ClassRateLimited && item.Attempts < maxRateLimitedAttempts {
		// Meta refused it, so it was not sent: slow down and try it again
		// later instead of failing it.
		d.throttled()
		d.putBack(item, "rate limited by Meta; will retry")
		return
	}
	reason := err.Error()
	if errors.As(err, &ge) {
		reason = ge.Reason()
		// The answer does not prove Meta refused it (we gave up mid-call,
		// an edge answered 5xx, a yes we could not read): Meta may have
		// the message. It is recorded unknown, never failed, so nothing
		// (Retry failed included) sends it blindly again; its echo settles it.
		if ge.MaybeSent || ge.HTTPStatus/100 == 2 {
			kind := store.KindAmbiguous
			if d.opts.EchoWait < 0 {
				kind = store.KindNoEcho
			}
			// Counted first: once recorded, its echo may settle it at once.
			d.unknown.Add(1)
			record(store.Result{Unknown: true, Reason: "may have been sent: " + ge.Ambiguity(), ErrorKind: kind})
			return
		}
		if ge.Code == 100 && ge.Subcode == subcodeAttachmentGone && item.AttachmentID != "" {
			reason = d.attachmentGone(item)
		}
		if class == ClassOutsideWindow && item.CampaignID != 0 {
			// Meta's clock closed the window before ours did: not sent,
			// and a campaign recipient outside the window is skipped.
			record(store.Result{Skipped: true, Reason: "refused by Meta: " + reason, ErrorKind: class.String()})
			d.skipped.Add(1)
			return
		}
	}
	// Meta answered with an error: the message was refused, not sent, so
	// a retryable failure can safely be re-queued later (store.RetryFailed).
	record(store.Result{Failed: true, Reason: reason, ErrorKind: class.String(), Retryable: class.Retryable()})
	d.failed.Add(1)
}

// maxRateLimitedAttempts bounds how often one item goes back to the queue
// because Meta throttled it; after that it fails (retryable).
const maxRateLimitedAttempts = 5

// throttled halves the send rate after Meta throttled us; recover raises
// it back while Meta stays quiet (additive increase, multiplicative
// decrease).
func (d *Dispatcher) throttled() {
	d.rateMu.Lock()
	defer d.rateMu.Unlock()
	if time.Since(d.lastThrottle) < time.Second {
		return // one cut per second, however many sends saw the same limit
	}
	d.lastThrottle = time.Now()
	d.limiter.SetLimit(max(1, d.limiter.Limit()/2))
	d.log.Warn("Meta is throttling sends; halving the rate", "rate", float64(d.limiter.Limit()))
}

func (d *Dispatcher) recoverRate() {
	d.rateMu.Lock()
	defer d.rateMu.Unlock()
	full := rate.Limit(d.opts.Rate)
	if d.limiter.Limit() >= full || time.Since(d.lastThrottle) < 5*time.Second {
		return
	}
	d.limiter.SetLimit(min(full, d.limiter.Limit()+full/10))
}

// ErrTokenReason is the one alert an invalid token raises.
const ErrTokenReason = "the Page access token is invalid or expired: get a new one and set PAGE_ACCESS_TOKEN; sending is paused, nothing was lost"

func (d *Dispatcher) putBack(item store.OutboxItem, why string) {
	rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.out.Release(rctx, item.ID, why); err != nil {
		d.log.Error("outbox: putting an unsent item back failed", "item", item.ID, "err", err)
	}
}
