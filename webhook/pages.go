package webhook

import (
	"sync"

	"github.com/pageinbox/pageinbox/store"
)

// maxUnconnectedPages bounds the Page ids remembered as not connected:
// they come from outside (a signed body still names any id).
const maxUnconnectedPages = 64

// unconnected remembers the Page ids webhooks named that no token is
// connected for, with how many events each brought. Their events are
// stored all the same (the raw body is in the journal too), under their
// own Page: nothing is dropped, and the Page shows up in the status,
// doctor and /metrics until it is connected.
type unconnected struct {
	mu     sync.Mutex
	counts map[string]uint64
	order  []string // first seen first
	events uint64
}

// note counts events of the Page pageID; it reports whether the Page is
// new (to be logged once).
func (u *unconnected) note(pageID string, n int) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.events += uint64(n)
	if u.counts == nil {
		u.counts = map[string]uint64{}
	}
	if _, ok := u.counts[pageID]; ok {
		u.counts[pageID] += uint64(n)
		return false
	}
	if len(u.order) >= maxUnconnectedPages {
		return false // counted in events, not named
	}
	u.counts[pageID] = uint64(n)
	u.order = append(u.order, pageID)
	return true
}

// UnconnectedPage is a Page id webhooks named that has no token here.
type UnconnectedPage struct {
	ID     string
	Events uint64
}

// UnconnectedPages lists the Pages webhooks named that are not connected
// (Config.Connected), first seen first, with their event counts.
func (h *Handler) UnconnectedPages() []UnconnectedPage {
	u := &h.unconnected
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]UnconnectedPage, 0, len(u.order))
	for _, id := range u.order {
		out = append(out, UnconnectedPage{ID: id, Events: u.counts[id]})
	}
	return out
}

// screenPages counts and logs (once per Page) the stored events of Pages
// that are not connected. Nothing is refused: they are stored under
// their Page, and replies to them wait for its token.
func (h *Handler) screenPages(events []store.Event) {
	if h.cfg.Connected == nil {
		return
	}
	// Nothing to allocate while every Page is connected: the usual POST.
	for _, e := range events {
		if !h.cfg.Connected(e.PageID) && h.unconnected.note(e.PageID, 1) {
			h.log.Warn("webhook: events for a Page that is not connected: stored and journaled; replies wait for its token (pageinbox pages connect)",
				"page", e.PageID)
		}
	}
}

func (u *unconnected) total() uint64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.events
}
