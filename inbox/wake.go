package inbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// maxWakeWait bounds a sleep of the wake timer: a clock that jumps (a
// suspended laptop, an NTP step) is caught up with within a minute.
const maxWakeWait = time.Minute

// runWakes reopens snoozed conversations as their time comes: at once
// for what fell due while nothing ran (the snoozes are stored), then at
// each next snooze. A new snooze reaches it on the store's feed. It
// returns when ctx ends or the store closes.
func runWakes(ctx context.Context, st *store.Store, now func() time.Time, log *slog.Logger) {
	sub := st.Subscribe(64)
	defer sub.Close()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if woke, err := st.WakeDue(ctx, now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("waking snoozed conversations failed", "err", err)
		} else if len(woke) > 0 {
			log.Info("snoozes ended", "conversations", len(woke))
		}
		timer.Reset(untilNextWake(ctx, st, now()))
		if !waitWake(ctx, sub, timer) {
			return
		}
	}
}

// untilNextWake is how long to sleep before the next snooze falls due.
func untilNextWake(ctx context.Context, st *store.Store, now time.Time) time.Duration {
	next, err := st.NextWake(ctx)
	if err != nil || next.IsZero() {
		return maxWakeWait
	}
	return min(max(next.Sub(now), 0), maxWakeWait)
}

// waitWake waits for the timer or a change that may move the next wake
// (a snooze, or a Resync that may hide one); false when it is time to stop.
func waitWake(ctx context.Context, sub *store.Subscription, timer *time.Timer) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return true
		case c, ok := <-sub.C:
			if !ok {
				return false
			}
			if c.Kind == store.Resync || c.Conversation != nil && c.Conversation.Status == store.ConvSnoozed {
				if !timer.Stop() {
					<-timer.C
				}
				return true
			}
		}
	}
}
