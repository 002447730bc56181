package tui

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// fakeCampaigns holds the fake backend's campaigns: enough state for the
// campaign screens, using the store's own eligibility rule.
type fakeCampaigns struct {
	list  []store.Campaign
	items map[uint64][]store.OutboxItem
	// editLedger, if set, changes what Eligibility answers.
	editLedger func(*store.Ledger)

	// Recorded calls, in order.
	selectAlls  []store.ListQuery
	eligibility [][]store.ConvKey
	starts      []startCall
	setStatuses []campStatusCall
	retries     []uint64
}

type startCall struct {
	Campaign store.Campaign
	Ledger   store.Ledger
}

type campStatusCall struct {
	ID     uint64
	Status store.CampaignStatus
}

// The campaign methods lock before begin: begin appends to the recorded
// calls, which every other method does under the lock too.

func (f *fakeBackend) SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.camps.selectAlls = append(f.camps.selectAlls, q)
	if err := f.begin(ctx, "SelectAll"); err != nil {
		return nil, err
	}
	s := strings.ToLower(strings.TrimSpace(q.Search))
	var keys []store.ConvKey
	for _, c := range teamScoped(f.sorted(q.Filter, f.now()), q) {
		if s != "" && !strings.Contains(strings.ToLower(c.Name), s) && !strings.Contains(c.PSID, s) &&
			!strings.Contains(strings.ToLower(c.LastMessage), s) {
			continue
		}
		keys = append(keys, c.ConvKey)
	}
	return keys, nil
}

func (f *fakeBackend) Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.camps.eligibility = append(f.camps.eligibility, slices.Clone(keys))
	if err := f.begin(ctx, "Eligibility"); err != nil {
		return store.Ledger{}, err
	}
	now := f.now()
	l := store.Ledger{At: now, MessagingType: store.Update}
	for _, k := range keys {
		l.PageID = k.PageID
		c, ok := f.convs[k]
		if !ok {
			continue
		}
		e := store.LedgerEntry{ConvKey: k, Name: c.Name, LastInbound: c.LastInboundTime}
		ok, kind, reason := store.CampaignCheck(*c, now)
		e.Kind, e.Reason = kind, reason
		switch {
		case ok:
			e.Left = store.WindowAt(c.LastInboundTime, now).Left
			l.Send = append(l.Send, e)
		case kind == store.SkipBlocked:
			l.Blocked = append(l.Blocked, e)
		default:
			l.Skip = append(l.Skip, e)
		}
	}
	if f.camps.editLedger != nil {
		f.camps.editLedger(&l)
	}
	return l, nil
}

func (f *fakeBackend) StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.camps.starts = append(f.camps.starts, startCall{c, l})
	if err := f.begin(ctx, "StartCampaign"); err != nil {
		return c, err
	}
	if f.camps.items == nil {
		f.camps.items = map[uint64][]store.OutboxItem{}
	}
	c.ID = uint64(len(f.camps.list) + 1)
	c.Status, c.CreatedAt, c.UpdatedAt = store.CampaignRunning, f.now(), f.now()
	var items []store.OutboxItem
	l = l.WithTemplate(c.Template) // as the store: those outside the window get the template
	for i, e := range l.Send {
		it := store.OutboxItem{ID: c.ID*1000 + uint64(i), ConvKey: e.ConvKey, CampaignID: c.ID, State: store.OutboxQueued, MessagingType: store.Update}
		if e.Via == store.Utility {
			it.MessagingType, it.Template = store.Utility, c.Template
		}
		items = append(items, it)
	}
	for i, e := range append(append([]store.LedgerEntry{}, l.Skip...), l.Blocked...) {
		items = append(items, store.OutboxItem{ID: c.ID*1000 + 500 + uint64(i), ConvKey: e.ConvKey, CampaignID: c.ID,
			State: store.OutboxSkipped, Reason: e.Reason, ErrorKind: e.Kind})
	}
	c.Counts = store.CampaignCounts{Total: len(items), Queued: len(l.Send), Skipped: len(l.Skip) + len(l.Blocked)}
	f.camps.list = append(f.camps.list, c)
	f.camps.items[c.ID] = items
	cc := c
	f.publishLocked([]store.Change{{Kind: store.CampaignProgress, Campaign: &cc}})
	return c, nil
}

func (f *fakeBackend) Campaigns(ctx context.Context) ([]store.Campaign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Campaigns"); err != nil {
		return nil, err
	}
	out := make([]store.Campaign, len(f.camps.list))
	for i, c := range f.camps.list {
		out[len(out)-1-i] = c // newest first
	}
	return out, nil
}

func (f *fakeBackend) CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "CampaignItems"); err != nil {
		return nil, err
	}
	items := append([]store.OutboxItem(nil), f.camps.items[id]...)
	for i := range items { // as the store does: the customer's name for display
		if c, ok := f.convs[items[i].ConvKey]; ok {
			items[i].Name = c.Name
		}
	}
	return items, nil
}

// SetCampaignStatus follows the store: a finished campaign is refused,
// cancelling skips what is still queued, resuming with nothing left
// finishes it, and the new state is published.
func (f *fakeBackend) SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.camps.setStatuses = append(f.camps.setStatuses, campStatusCall{id, st})
	if err := f.begin(ctx, "SetCampaignStatus"); err != nil {
		return store.Campaign{}, err
	}
	i := f.campaignIndex(id)
	if i < 0 {
		return store.Campaign{}, fmt.Errorf("campaign %d: %w", id, store.ErrNotFound)
	}
	c := &f.camps.list[i]
	if c.Status == store.CampaignDone || c.Status == store.CampaignCancelled {
		return *c, fmt.Errorf("%w: campaign %d is %s", store.ErrInvalid, id, c.Status)
	}
	var changes []store.Change
	if st == store.CampaignCancelled {
		items := f.camps.items[id]
		for j := range items {
			if items[j].State == store.OutboxQueued {
				items[j].State, items[j].Reason, items[j].ErrorKind = store.OutboxSkipped, "campaign cancelled", "cancelled"
				it := items[j]
				changes = append(changes, store.Change{Kind: store.OutboxChanged, Outbox: &it})
			}
		}
	}
	c.Status, c.UpdatedAt = st, f.now()
	c.Counts = countItems(f.camps.items[id])
	if st == store.CampaignRunning && c.Counts.Queued == 0 && c.Counts.Sending == 0 {
		c.Status = store.CampaignDone
	}
	cc := *c
	f.publishLocked(append(changes, store.Change{Kind: store.CampaignProgress, Campaign: &cc}))
	return cc, nil
}

// RetryFailed re-queues the retryable failures, as the store does.
func (f *fakeBackend) RetryFailed(ctx context.Context, id uint64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.camps.retries = append(f.camps.retries, id)
	if err := f.begin(ctx, "RetryFailed"); err != nil {
		return 0, err
	}
	i := f.campaignIndex(id)
	if i < 0 {
		return 0, fmt.Errorf("campaign %d: %w", id, store.ErrNotFound)
	}
	n := 0
	var changes []store.Change
	items := f.camps.items[id]
	for j := range items {
		if items[j].State == store.OutboxFailed && items[j].Retryable {
			items[j].State, items[j].Reason, items[j].ErrorKind, items[j].Retryable = store.OutboxQueued, "", "", false
			it := items[j]
			changes = append(changes, store.Change{Kind: store.OutboxChanged, Outbox: &it})
			n++
		}
	}
	if n > 0 {
		c := &f.camps.list[i]
		c.Status, c.Counts, c.UpdatedAt = store.CampaignRunning, countItems(items), f.now()
		cc := *c
		f.publishLocked(append(changes, store.Change{Kind: store.CampaignProgress, Campaign: &cc}))
	}
	return n, nil
}

func (f *fakeBackend) CampaignReplies(ctx context.Context, id uint64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return 0, f.begin(ctx, "CampaignReplies")
}

// --- driving campaigns from a test, as the dispatcher would

func (f *fakeBackend) campaignIndex(id uint64) int {
	return slices.IndexFunc(f.camps.list, func(c store.Campaign) bool { return c.ID == id })
}

// countItems is a campaign's counts from its recipients' states.
func countItems(items []store.OutboxItem) store.CampaignCounts {
	n := store.CampaignCounts{Total: len(items)}
	for _, it := range items {
		switch it.State {
		case store.OutboxQueued:
			n.Queued++
		case store.OutboxSending:
			n.Sending++
		case store.OutboxSent:
			n.Sent++
		case store.OutboxFailed:
			n.Failed++
		case store.OutboxSkipped:
			n.Skipped++
		case store.OutboxUnknown:
			n.Unknown++
		}
	}
	return n
}

// addCampaign puts a finished or running campaign in the history, its
// counts taken from the items (which get the campaign's id).
func (f *fakeBackend) addCampaign(c store.Campaign, items ...store.OutboxItem) store.Campaign {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.camps.items == nil {
		f.camps.items = map[uint64][]store.OutboxItem{}
	}
	c.ID = uint64(len(f.camps.list) + 1)
	for i := range items {
		items[i].CampaignID = c.ID
		if items[i].ID == 0 {
			items[i].ID = c.ID*1000 + uint64(i)
		}
		if items[i].MessagingType == "" {
			items[i].MessagingType = store.Update
		}
	}
	c.Counts = countItems(items)
	f.camps.list = append(f.camps.list, c)
	f.camps.items[c.ID] = items
	return c
}

// progress changes a campaign's recipients with fn, as the dispatcher
// does, and publishes what the store would: an OutboxChanged for every
// recipient whose state changed, then the campaign's new counts. edit
// may also change the campaign (its status, its times).
func (f *fakeBackend) progress(id uint64, fn func(items []store.OutboxItem), edit ...func(*store.Campaign)) store.Campaign {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.campaignIndex(id)
	items := f.camps.items[id]
	before := slices.Clone(items)
	fn(items)
	var changes []store.Change
	for j := range items {
		if !reflect.DeepEqual(items[j], before[j]) { // an item carries a slice (Images)
			items[j].UpdatedAt = f.now()
			it := items[j]
			changes = append(changes, store.Change{Kind: store.OutboxChanged, Outbox: &it})
		}
	}
	c := &f.camps.list[i]
	c.Counts, c.UpdatedAt = countItems(items), f.now()
	if c.Counts.Queued == 0 && c.Counts.Sending == 0 && c.Status == store.CampaignRunning {
		c.Status = store.CampaignDone
	}
	for _, e := range edit {
		e(c)
	}
	cc := *c
	f.publishLocked(append(changes, store.Change{Kind: store.CampaignProgress, Campaign: &cc}))
	return cc
}

// block marks a conversation unreachable, as a send answered "unavailable"
// would.
func (f *fakeBackend) block(key store.ConvKey, reason string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.convs[key]
	c.Blocked, c.BlockedAt = reason, at
}

// --- reading what the TUI did

func (f *fakeBackend) selectAllCalls() []store.ListQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.camps.selectAlls)
}

func (f *fakeBackend) eligibilityCalls() [][]store.ConvKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.camps.eligibility)
}

func (f *fakeBackend) startCalls() []startCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.camps.starts)
}

func (f *fakeBackend) campStatusCalls() []campStatusCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.camps.setStatuses)
}

func (f *fakeBackend) retryCalls() []uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.camps.retries)
}

func (f *fakeBackend) campaign(id uint64) store.Campaign {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.camps.list[f.campaignIndex(id)]
}
