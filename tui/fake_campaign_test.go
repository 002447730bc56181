package tui

import (
	"context"
	"fmt"

	"github.com/pageinbox/pageinbox/store"
)

// fakeCampaigns holds the fake backend's campaigns: enough state for the
// campaign screens, using the store's own eligibility rule.
type fakeCampaigns struct {
	list  []store.Campaign
	items map[uint64][]store.OutboxItem
}

func (f *fakeBackend) SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error) {
	if err := f.begin(ctx, "SelectAll"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []store.ConvKey
	for _, c := range f.sorted(q.Filter, f.now()) {
		keys = append(keys, c.ConvKey)
	}
	return keys, nil
}

func (f *fakeBackend) Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error) {
	if err := f.begin(ctx, "Eligibility"); err != nil {
		return store.Ledger{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
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
	return l, nil
}

func (f *fakeBackend) StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error) {
	if err := f.begin(ctx, "StartCampaign"); err != nil {
		return c, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.camps.items == nil {
		f.camps.items = map[uint64][]store.OutboxItem{}
	}
	c.ID = uint64(len(f.camps.list) + 1)
	c.Status, c.CreatedAt, c.UpdatedAt = store.CampaignRunning, f.now(), f.now()
	var items []store.OutboxItem
	for i, e := range l.Send {
		items = append(items, store.OutboxItem{ID: c.ID*1000 + uint64(i), ConvKey: e.ConvKey, CampaignID: c.ID, State: store.OutboxQueued, MessagingType: store.Update})
	}
	for i, e := range append(append([]store.LedgerEntry{}, l.Skip...), l.Blocked...) {
		items = append(items, store.OutboxItem{ID: c.ID*1000 + 500 + uint64(i), ConvKey: e.ConvKey, CampaignID: c.ID,
			State: store.OutboxSkipped, Reason: e.Reason, ErrorKind: e.Kind})
	}
	c.Counts = store.CampaignCounts{Total: len(items), Queued: len(l.Send), Skipped: len(l.Skip) + len(l.Blocked)}
	f.camps.list = append(f.camps.list, c)
	f.camps.items[c.ID] = items
	return c, nil
}

func (f *fakeBackend) Campaigns(ctx context.Context) ([]store.Campaign, error) {
	if err := f.begin(ctx, "Campaigns"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]store.Campaign, len(f.camps.list))
	for i, c := range f.camps.list {
		out[len(out)-1-i] = c // newest first
	}
	return out, nil
}

func (f *fakeBackend) CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error) {
	if err := f.begin(ctx, "CampaignItems"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.OutboxItem(nil), f.camps.items[id]...), nil
}

func (f *fakeBackend) SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error) {
	if err := f.begin(ctx, "SetCampaignStatus"); err != nil {
		return store.Campaign{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.camps.list {
		if f.camps.list[i].ID == id {
			f.camps.list[i].Status = st
			return f.camps.list[i], nil
		}
	}
	return store.Campaign{}, fmt.Errorf("campaign %d: %w", id, store.ErrNotFound)
}

func (f *fakeBackend) RetryFailed(ctx context.Context, id uint64) (int, error) {
	return 0, f.begin(ctx, "RetryFailed")
}

func (f *fakeBackend) CampaignReplies(ctx context.Context, id uint64) (int, error) {
	return 0, f.begin(ctx, "CampaignReplies")
}
