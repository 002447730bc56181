package fbgraph

import (
	"context"
	"time"
)

// Stopping and resuming: an invalid token stops all sending (block),
// a person or the Probe resumes it (Unblock).

// Blocked reports why sending has stopped ("" while it runs), or which
// Pages' sends are held and why.
func (d *Dispatcher) Blocked() string {
	d.blockMu.Lock()
	defer d.blockMu.Unlock()
	if d.blocked != "" {
		return d.blocked
	}
	return heldText(d.held)
}

// stopped is why all sending stopped ("" while it runs).
func (d *Dispatcher) stopped() string {
	d.blockMu.Lock()
	defer d.blockMu.Unlock()
	return d.blocked
}

// Unblock resumes sending after the cause was fixed (a new token).
func (d *Dispatcher) Unblock() {
	d.blockMu.Lock()
	defer d.blockMu.Unlock()
	if d.blocked != "" {
		d.blocked = ""
		close(d.unblock)
	}
	d.held = nil
	d.Wake()
}

// block stops sending; only the first cause raises the alert.
func (d *Dispatcher) block(why string) {
	d.blockMu.Lock()
	first := d.blocked == ""
	if first {
		d.blocked = why
		d.unblock = make(chan struct{})
	}
	d.blockMu.Unlock()
	if first {
		d.log.Error("sending stopped: " + why)
		if d.opts.OnAlert != nil {
			d.opts.OnAlert(why)
		}
	}
}

// waitUnblocked waits until sending may go on: Unblock, or the Probe
// finding the token works again.
func (d *Dispatcher) waitUnblocked(ctx context.Context) error {
	d.blockMu.Lock()
	ch := d.unblock
	blocked := d.blocked != ""
	d.blockMu.Unlock()
	if !blocked {
		return nil
	}
	var probe <-chan time.Time
	if d.opts.Probe != nil {
		t := time.NewTicker(d.opts.ProbeEvery)
		defer t.Stop()
		probe = t.C
	}
	for {
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-probe:
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := d.opts.Probe(pctx)
			cancel()
			if err == nil {
				d.log.Info("the Page token works again: sending resumes")
				d.Unblock()
				return nil
			}
		}
	}
}
