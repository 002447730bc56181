package inbox

import (
	"context"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Settled reports whether an item will not change on its own any more
// (an unknown one may still be settled by its echo, but nothing else).
func Settled(it store.OutboxItem) bool {
	return it.State.Done() && !(it.State == store.OutboxUnknown && it.ErrorKind == store.KindAmbiguous)
}

// Deliver queues s and follows it until it settles: sent, failed, or
// unknown for good. Queuing checks the window and refuses before anything
// reaches Meta, here or in the daemon. Leaving without an outcome (ctx
// ends, sending stops), it makes sure nothing of the message goes out
// later, from this process or another (issue 10, item 9), and returns the
// item as that left it. waiting is told once when an unknown item waits
// for Meta's echo to settle it.
func (o *Outbox) Deliver(ctx context.Context, s store.Send, waiting func(store.OutboxItem)) (store.OutboxItem, error) {
	feedCtx, endFeed := context.WithCancel(ctx)
	defer endFeed()
	changes, err := o.Subscribe(feedCtx)
	if err != nil {
		return store.OutboxItem{}, err
	}
	item, err := o.Send(ctx, s)
	if err != nil {
		return item, err
	}
	stop := o.Dispatch(ctx)
	defer stop()
	final, why, err := o.follow(ctx, changes, item.ID, waiting)
	if err == nil && why == "" && Settled(final) {
		return final, nil
	}
	stop()
	if why == "" && err != nil {
		why = "the command stopped before it was sent"
	}
	// The dispatcher's alert says sending is paused; for this command the
	// message is not waiting anywhere.
	why, _, _ = strings.Cut(why, "; sending is paused")
	return o.abandon(item.ID, why, err)
}

// abandon leaves nothing of an item that could be sent later: queued, it
// fails with why; waiting for its echo, it stops (store.Abandon). cause is
// the error that ended the wait, if any, returned when the item is still
// unsettled.
func (o *Outbox) abandon(id uint64, why string, cause error) (store.OutboxItem, error) {
	ctx, cancel := context.WithTimeout(context.Background(), DaemonGrace)
	defer cancel()
	var away time.Time
	for {
		it, err := o.Abandon(ctx, id, "not sent: "+why)
		if o.Away(err, &away) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err == nil && it.State == store.OutboxSending {
			// A daemon's send in flight finishes on its own: its outcome.
			it, err = o.waitSending(ctx, id)
		}
		if err == nil && !it.State.Done() {
			err = cause
		}
		return it, err
	}
}

// waitSending polls an item until it is no longer being sent.
func (o *Outbox) waitSending(ctx context.Context, id uint64) (store.OutboxItem, error) {
	for {
		it, err := o.Item(ctx, id)
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

// follow waits for an outbox item to settle: through the change feed, and
// by reading it after a resync and every second. An item put back in the
// queue, or left there, because sending stopped (an invalid token)
// settles too, with why saying so; one put back to be retried later does
// not. An unknown item waiting for its echo is followed until the echo
// settles it or the wait ends.
func (o *Outbox) follow(ctx context.Context, changes <-chan store.Change, id uint64, waiting func(store.OutboxItem)) (item store.OutboxItem, why string, err error) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var away time.Time
	told := false
	for {
		select {
		case <-ctx.Done():
			return item, "", ctx.Err()
		case ch, ok := <-changes:
			if !ok {
				changes = nil // the ticker carries on
				continue
			}
			if !worthReading(ch, id) {
				continue
			}
			if ch.Kind == store.OutboxChanged && Settled(*ch.Outbox) {
				return *ch.Outbox, "", nil
			}
		case <-tick.C:
		}
		if item, err = o.Item(ctx, id); o.Away(err, &away) {
			continue
		}
		if err != nil || Settled(item) {
			return item, "", err
		}
		switch {
		case item.State == store.OutboxQueued:
			if why := o.Blocked(ctx); why != "" {
				return item, why, nil
			}
		case item.State == store.OutboxUnknown && !told:
			told = true
			if waiting != nil {
				waiting(item)
			}
		}
	}
}

// worthReading says whether a change may have settled item id: a resync,
// the item settling, or the item back in the queue with a reason.
func worthReading(ch store.Change, id uint64) bool {
	if ch.Kind == store.Resync {
		return true
	}
	if ch.Kind != store.OutboxChanged || ch.Outbox == nil || ch.Outbox.ID != id {
		return false
	}
	return Settled(*ch.Outbox) || (ch.Outbox.State == store.OutboxQueued && ch.Outbox.Reason != "")
}
