package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pageinbox/pageinbox/store"
)

// What the commands ask of the Backend and the TUI does not: enough for
// the fake to be one, answered from the campaigns it holds.

func (f *fakeBackend) Pages(ctx context.Context) ([]store.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Pages"); err != nil {
		return nil, err
	}
	var pages []store.Page
	for key := range f.convs {
		if !slices.ContainsFunc(pages, func(p store.Page) bool { return p.ID == key.PageID }) {
			pages = append(pages, store.Page{ID: key.PageID, Name: f.pageNames[key.PageID]})
		}
	}
	slices.SortFunc(pages, func(a, b store.Page) int { return strings.Compare(a.ID, b.ID) })
	return pages, nil
}

func (f *fakeBackend) Campaign(ctx context.Context, id uint64) (store.Campaign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Campaign"); err != nil {
		return store.Campaign{}, err
	}
	i := f.campaignIndex(id)
	if i < 0 {
		return store.Campaign{}, fmt.Errorf("%w: campaign %d", store.ErrNotFound, id)
	}
	return f.camps.list[i], nil
}

func (f *fakeBackend) Item(ctx context.Context, id uint64) (store.OutboxItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Item"); err != nil {
		return store.OutboxItem{}, err
	}
	if it := f.itemLocked(id); it != nil {
		return *it, nil
	}
	return store.OutboxItem{}, fmt.Errorf("%w: outbox item %d", store.ErrNotFound, id)
}

// Abandon fails a queued campaign item with why, as the store does.
func (f *fakeBackend) Abandon(ctx context.Context, id uint64, why string) (store.OutboxItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Abandon"); err != nil {
		return store.OutboxItem{}, err
	}
	it := f.itemLocked(id)
	if it == nil {
		return store.OutboxItem{}, fmt.Errorf("%w: outbox item %d", store.ErrNotFound, id)
	}
	if it.State == store.OutboxQueued {
		it.State, it.Reason = store.OutboxFailed, why
	}
	return *it, nil
}

func (f *fakeBackend) itemLocked(id uint64) *store.OutboxItem {
	for _, items := range f.camps.items {
		for i := range items {
			if items[i].ID == id {
				return &items[i]
			}
		}
	}
	return nil
}
