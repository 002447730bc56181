package fbgraph

import (
	"context"
	"errors"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// A send whose answer proved nothing is recorded unknown and waits for its
// echo (the webhook's copy of what the Page sent, carrying the outbox id
// in its metadata), which settles it in the store. The dispatcher only
// ends the waits that are over: see store.Store.SweepUnechoed for who goes
// once more and who stays unknown.

// sweep ends the echo waits that are over, until ctx ends.
func (d *Dispatcher) sweep(ctx context.Context) {
	wait := d.opts.EchoWait
	if wait < 0 {
		// Nothing of ours waits here; another process's leftovers are
		// judged by the usual wait.
		wait = DefaultEchoWait
	}
	t := time.NewTicker(d.opts.Sweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := d.out.SweepUnechoed(ctx, wait)
		switch {
		case err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrClosed):
			d.log.Error("outbox: ending echo waits failed", "err", err)
		case res.Resent > 0:
			d.log.Warn("sends that may not have arrived go once more: no echo came for them, though echoes of other sends did", "items", res.Resent)
			d.resent.Add(uint64(res.Resent))
			d.Wake()
		case res.GaveUp > 0:
			d.log.Warn("sends that may have arrived stay unknown: no echo came to settle them; a person decides", "items", res.GaveUp)
		}
	}
}
