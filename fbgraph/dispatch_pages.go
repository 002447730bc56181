package fbgraph

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// pageSkipper is an Outbox that can claim past the items of some Pages
// (store.Store): the items of a held Page then wait in the queue without
// holding up the other Pages' items behind them.
type pageSkipper interface {
	ClaimSkipping(ctx context.Context, max int, skip func(pageID string) bool) ([]store.OutboxItem, error)
}

// perPage reports whether the sender sends with one token per Page
// (*Pages): a refused token then holds back only its own Page.
func (d *Dispatcher) perPage() bool {
	pp, ok := d.send.(interface{ SendsPerPage() bool })
	return ok && pp.SendsPerPage()
}

// hold stops the sends of one Page; the first hold of a Page raises the
// alert.
func (d *Dispatcher) hold(pageID, why string) {
	d.blockMu.Lock()
	if d.held == nil {
		d.held = map[string]string{}
	}
	_, was := d.held[pageID]
	d.held[pageID] = why
	d.blockMu.Unlock()
	if !was {
		d.log.Error("sending stopped for one Page: "+why, "page", pageID)
		if d.opts.OnAlert != nil {
			d.opts.OnAlert("Page " + pageID + ": " + why)
		}
	}
}

// heldWhy is why the Page's sends are held ("" if they are not).
func (d *Dispatcher) heldWhy(pageID string) string {
	d.blockMu.Lock()
	defer d.blockMu.Unlock()
	return d.held[pageID]
}

// Held lists the Pages whose sends are held, and why.
func (d *Dispatcher) Held() map[string]string {
	d.blockMu.Lock()
	defer d.blockMu.Unlock()
	return maps.Clone(d.held)
}

// heldText is the holds in words, Pages sorted, for Blocked.
func heldText(held map[string]string) string {
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(held)) {
		parts = append(parts, "Page "+id+": "+held[id])
	}
	return strings.Join(parts, "; ")
}

// claim claims queued items past the held Pages' when the store can.
func (d *Dispatcher) claim(ctx context.Context, max int) ([]store.OutboxItem, error) {
	ps, ok := d.out.(pageSkipper)
	if !ok || len(d.Held()) == 0 {
		return d.out.Claim(ctx, max)
	}
	return ps.ClaimSkipping(ctx, max, func(pageID string) bool { return d.heldWhy(pageID) != "" })
}

// holdError holds the item's Page when err says its token is missing or
// refused, and reports whether it did (the item then goes back).
func (d *Dispatcher) holdError(item store.OutboxItem, err error) bool {
	page := item.ConvKey.PageID
	var nt *NoPageTokenError
	switch {
	case errors.As(err, &nt):
		d.hold(page, nt.Error())
	case ClassOf(err) == ClassTokenInvalid && d.perPage():
		d.hold(page, "the Page's access token is invalid or expired: connect it again; its sends are paused, nothing was lost")
	default:
		return false
	}
	d.putBack(item, d.heldWhy(page))
	return true
}

// probeHeld asks now and then whether each held Page can send again
// (ProbePage), and lets it go when it can.
func (d *Dispatcher) probeHeld(ctx context.Context) {
	if d.opts.ProbePage == nil {
		return
	}
	t := time.NewTicker(d.opts.ProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for page := range d.Held() {
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := d.opts.ProbePage(pctx, page)
			cancel()
			if err == nil {
				d.blockMu.Lock()
				delete(d.held, page)
				d.blockMu.Unlock()
				d.log.Info("the Page can send again: its sends resume", "page", page)
				d.Wake()
			}
		}
	}
}
