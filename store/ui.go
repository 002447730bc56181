package store

import (
	"context"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The plain types an inbox UI exchanges with whatever runs the store,
// locally or over the wire. They live here so that both sides can name
// them without importing the UI.

// ListQuery selects a page of the conversation list.
type ListQuery struct {
	Filter Filter `json:"filter"`
	Search string `json:"search,omitempty"` // empty: the whole filter, paged
	After  Cursor `json:"after,omitempty"`
	Limit  int    `json:"limit,omitempty"`
	// Assignee, Unassigned and Label narrow the filter to one agent's
	// conversations, nobody's, or those carrying a label; each walks an
	// index of its own (team_list.go), so a first screen is a seek.
	Assignee   string `json:"assignee,omitempty"`
	Unassigned bool   `json:"unassigned,omitempty"`
	Label      string `json:"label,omitempty"`
	// PageID narrows the list, its search and select-all to one Page
	// (act_page); "" is every Page.
	PageID string `json:"page_id,omitempty"`
}

// Counts are the sizes of the list's filters: one field per entry of
// Filters (Of reads it by name).
type Counts struct {
	All    int `json:"all"`
	Unread int `json:"unread"`
	Window int `json:"window"`
	Done   int `json:"done"`
}

// SystemStatus is what a UI shows about the system around the store. The
// store does not fill it; whoever runs the webhook and the dispatcher does.
type SystemStatus struct {
	Mode      string    `json:"mode"`              // "local" or "attached to ADDR"
	Webhook   string    `json:"webhook,omitempty"` // listening address
	Events    uint64    `json:"events"`            // webhook events received since start
	LastEvent time.Time `json:"last_event"`
	PageName  string    `json:"page_name,omitempty"`
	TokenOK   bool      `json:"token_ok"`
	// TokenWarning says which Page token expires soon or has expired
	// ("" if none): the status bar shows it in place of "token ok".
	TokenWarning string `json:"token_warning,omitempty"`
	Sending      string `json:"sending,omitempty"` // why sending is paused; "" while it runs
	Queued       int    `json:"queued"`
	Connected    bool   `json:"connected"` // false while a remote UI reconnects
	// Labels says why labels stay in pageinbox and are not shared with
	// Meta's Page Inbox (with the link to fix it, if there is one).
	Labels string `json:"labels,omitempty"`
	// UnconnectedPages names the Pages webhooks came for that have no
	// token here: their events are stored, but nothing can answer them.
	UnconnectedPages string `json:"unconnected_pages,omitempty"`
}

// List answers a ListQuery: a page of a filter, or a search.
func (s *Store) List(ctx context.Context, q ListQuery) (ConversationPage, error) {
	if q.Search != "" {
		convs, err := s.SearchQuery(ctx, q, max(q.Limit, 200))
		return ConversationPage{Conversations: convs}, err
	}
	if q.team() {
		return s.listTeam(ctx, q)
	}
	return s.Conversations(ctx, q.Filter, q.After, q.Limit)
}

// AllCounts counts every filter.
func (s *Store) AllCounts(ctx context.Context) (Counts, error) {
	var c Counts
	var err error
	for i := range Filters {
		f := &Filters[i]
		if *f.count(&c), err = s.Count(ctx, f.ID); err != nil {
			return c, err
		}
	}
	return c, nil
}

// PageCounts counts every filter within one Page ("" is AllCounts).
// The indexed filters' counts are kept per Page; the window filter reads
// the Page's last 24 h.
func (s *Store) PageCounts(ctx context.Context, pageID string) (Counts, error) {
	if pageID == "" {
		return s.AllCounts(ctx)
	}
	if err := checkPageID(pageID); err != nil {
		return Counts{}, err
	}
	var c Counts
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bCounts)
		for i := range Filters {
			if f := &Filters[i]; f.indexed {
				if v := b.Get(pageCountKey(countKey(f.ID), pageID)); len(v) == 8 {
					*f.count(&c) = int(binary.BigEndian.Uint64(v))
				}
			}
		}
		return nil
	})
	for i := range Filters {
		if f := &Filters[i]; err == nil && !f.indexed {
			*f.count(&c), err = s.countList(ctx, ListQuery{Filter: f.ID, PageID: pageID})
		}
	}
	return c, err
}

// countList counts a listing a page at a time, so that no read
// transaction runs long.
func (s *Store) countList(ctx context.Context, q ListQuery) (int, error) {
	n := 0
	for q.Limit = 1000; ; {
		p, err := s.List(ctx, q)
		if err != nil {
			return 0, err
		}
		n += len(p.Conversations)
		if p.Next == "" {
			return n, nil
		}
		q.After = p.Next
	}
}

// Agent is a person using an inbox UI: the ID tells sessions apart, the
// name is what others see.
type Agent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Presence is who has a conversation open, and who is typing a reply
// there: so two agents do not answer the same customer twice.
type Presence struct {
	Key    ConvKey         `json:"key"`
	Agents []AgentPresence `json:"agents"`
}

// AgentPresence is one agent in a conversation.
type AgentPresence struct {
	Agent
	Typing bool `json:"typing,omitempty"`
}

// Announce publishes a change that is not stored (presence) to every
// subscriber, in order with the committed ones.
func (s *Store) Announce(c Change) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.feed.publish([]Change{c})
}
