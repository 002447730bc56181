package inbox

import (
	"context"
	"errors"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Recipients resolves whom a campaign goes to on pageID: the PSIDs given,
// or else every conversation of the filter (store.FilterAll when empty).
func Recipients(ctx context.Context, b Backend, pageID string, psids []string, filter store.Filter) ([]store.ConvKey, error) {
	if len(psids) > 0 {
		keys := make([]store.ConvKey, len(psids))
		for i, p := range psids {
			keys[i] = store.ConvKey{PageID: pageID, PSID: p}
		}
		return keys, nil
	}
	if filter == "" {
		filter = store.FilterAll
	}
	all, err := b.SelectAll(ctx, store.ListQuery{Filter: filter})
	if err != nil {
		return nil, err
	}
	keys := all[:0]
	for _, k := range all {
		if k.PageID == pageID {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// Ending is how following a campaign ended.
type Ending int

const (
	// Finished: nothing left in the queue or in flight, and every
	// maybe-sent recipient settled by its echo, sent once more or left
	// unknown for good. The campaign may still have been cancelled.
	Finished Ending = iota
	// StoppedOutside: someone else stopped it with recipients left (an
	// agent paused it in the TUI, or the daemon restarted under it).
	StoppedOutside
	// SendingStopped: the token stopped working; the campaign is paused.
	SendingStopped
	// Interrupted: the caller's context ended; the campaign is paused.
	Interrupted
)

// Progress is a campaign as it goes, for a progress line.
type Progress struct {
	store.Campaign
	Rate    float64 // recipients settled per second since following began
	Elapsed time.Duration
}

// Drive is how following a campaign ended: the campaign as it was left.
type Drive struct {
	Campaign store.Campaign
	Ending   Ending
	Why      string // SendingStopped: why sending stopped
}

// DriveOptions pace DriveCampaign.
type DriveOptions struct {
	Poll     time.Duration  // how often the campaign is read
	Every    time.Duration  // how often Progress is told while it runs
	Progress func(Progress) // may be nil
}

// DriveCampaign follows a campaign until it has nothing left in the queue
// or in flight; on the file, this process's dispatcher sends meanwhile.
// ctx ending (Ctrl-C), or a token that stops working, pauses the campaign:
// sends in flight are recorded first, and resuming continues it.
func (o *Outbox) DriveCampaign(ctx context.Context, id uint64, opt DriveOptions) (Drive, error) {
	// Calls must outlive Ctrl-C: what Meta answered is recorded, and the
	// campaign paused.
	bg := context.WithoutCancel(ctx)
	stop := o.Dispatch(ctx)
	defer stop()
	d := &driver{o: o, id: id, opt: opt, bg: bg, stop: stop, start: time.Now()}
	first, err := o.Campaign(bg, id)
	if err != nil {
		return Drive{}, err
	}
	d.base = first.Counts.Sent + first.Counts.Failed

	poll := time.NewTicker(opt.Poll)
	defer poll.Stop()
	lastTold := time.Now()
	var away time.Time
	for {
		c, err := o.Campaign(bg, id)
		switch {
		case o.Away(err, &away):
			// The daemon is restarting; the client reconnects.
		case err != nil:
			return Drive{}, err
		case c.Status != store.CampaignRunning && c.Counts.Sending == 0 && c.AwaitingEcho == 0:
			return d.finished()
		default:
			if why := o.Blocked(bg); why != "" {
				r, err := d.pause()
				r.Ending, r.Why = SendingStopped, why
				return r, err
			}
			if time.Since(lastTold) >= opt.Every {
				d.tell(c)
				lastTold = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			r, err := d.pause()
			r.Ending = Interrupted
			return r, err
		case <-poll.C:
		}
	}
}

// driver is one DriveCampaign under way.
type driver struct {
	o     *Outbox
	id    uint64
	opt   DriveOptions
	bg    context.Context
	stop  func()
	start time.Time
	base  int // settled before following began
}

func (d *driver) tell(c store.Campaign) {
	if d.opt.Progress == nil {
		return
	}
	elapsed := time.Since(d.start)
	rate := float64(c.Counts.Sent+c.Counts.Failed-d.base) / max(elapsed.Seconds(), 0.001)
	d.opt.Progress(Progress{Campaign: c, Rate: rate, Elapsed: elapsed})
}

// finished reads the campaign once this process's sends are recorded.
func (d *driver) finished() (Drive, error) {
	d.stop()
	c, err := d.o.Campaign(d.bg, d.id)
	if err != nil {
		return Drive{}, err
	}
	d.tell(c)
	if (c.Status == store.CampaignPaused || c.Status == store.CampaignInterrupted) && c.Counts.Queued > 0 {
		// Only with a daemon: an agent paused it in the TUI, or the
		// daemon restarted under it.
		return Drive{Campaign: c, Ending: StoppedOutside}, nil
	}
	return Drive{Campaign: c, Ending: Finished}, nil
}

// pause stops this process's sends, pauses the campaign if it still has
// recipients left, and waits for a daemon's sends in flight, so the counts
// are the final ones.
func (d *driver) pause() (Drive, error) {
	d.stop() // this process's sends in flight are recorded
	c, err := d.o.Campaign(d.bg, d.id)
	// Items in flight count as left to do: a stopping dispatcher may put
	// them back in the queue.
	if err == nil && c.Status == store.CampaignRunning && c.Counts.Queued+c.Counts.Sending > 0 {
		if c, err = d.o.SetCampaignStatus(d.bg, d.id, store.CampaignPaused); errors.Is(err, store.ErrInvalid) {
			c, err = d.o.Campaign(d.bg, d.id) // the daemon finished it meanwhile
		}
	}
	for deadline := time.Now().Add(DaemonGrace); err == nil && c.Counts.Sending > 0 && time.Now().Before(deadline); {
		time.Sleep(d.opt.Poll)
		c, err = d.o.Campaign(d.bg, d.id)
	}
	if err != nil {
		return Drive{}, err
	}
	d.tell(c)
	return Drive{Campaign: c}, nil
}
