package store

import (
	"sync"
)

// ChangeKind says what a Change reports.
type ChangeKind string

const (
	ConversationUpdated ChangeKind = "conversation"
	MessageAdded        ChangeKind = "message_added"
	MessageChanged      ChangeKind = "message_changed" // status, reactions, edits
	MessageRemoved      ChangeKind = "message_removed" // a duplicate folded into our own send
	OutboxChanged       ChangeKind = "outbox"
	CampaignProgress    ChangeKind = "campaign"
	PageUpdated         ChangeKind = "page"
	PresenceChanged     ChangeKind = "presence" // announced, never stored
	NoteAdded           ChangeKind = "note"
	LabelsChanged       ChangeKind = "labels"  // a Page's label set
	RepliesChanged      ChangeKind = "replies" // a Page's saved replies
	// Resync: the subscriber fell behind and changes were dropped; reload
	// everything that is on screen.
	Resync ChangeKind = "resync"
)

// Change is one committed change, with a snapshot of what changed so a
// subscriber rarely needs to read the store.
type Change struct {
	Seq          uint64        `json:"seq"`
	Kind         ChangeKind    `json:"kind"`
	Conversation *Conversation `json:"conversation,omitempty"`
	Message      *Message      `json:"message,omitempty"`
	Outbox       *OutboxItem   `json:"outbox,omitempty"`
	Campaign     *Campaign     `json:"campaign,omitempty"`
	Page         *Page         `json:"page,omitempty"`
	Presence     *Presence     `json:"presence,omitempty"`
	Note         *Note         `json:"note,omitempty"`
	PageID       string        `json:"page_id,omitempty"` // of labels and replies
	PSID         string        `json:"psid,omitempty"`    // of LabelPending
}

// Subscription delivers changes in commit order. When its buffer is full
// the publisher empties it and leaves a single Resync: a slow reader costs
// itself a reload and never blocks a writer.
type Subscription struct {
	C    <-chan Change
	c    chan Change
	feed *feed
}

// Close stops delivery. It is safe to call twice.
func (sub *Subscription) Close() { sub.feed.remove(sub) }

type feed struct {
	mu   sync.Mutex
	seq  uint64
	subs map[*Subscription]struct{}
}

// Subscribe returns changes committed from now on. buffer <= 0 means 256.
func (s *Store) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = 256
	}
	c := make(chan Change, buffer)
	sub := &Subscription{C: c, c: c, feed: &s.feed}
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	if s.feed.subs == nil {
		s.feed.subs = make(map[*Subscription]struct{})
	}
	if s.closed.Load() {
		close(c)
		return sub
	}
	s.feed.subs[sub] = struct{}{}
	return sub
}

func (f *feed) remove(sub *Subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[sub]; ok {
		delete(f.subs, sub)
		close(sub.c)
	}
}

func (f *feed) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		close(sub.c)
	}
	f.subs = nil
}

// publish hands committed changes to every subscriber without blocking.
func (f *feed) publish(changes []Change) {
	if len(changes) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range changes {
		f.seq++
		changes[i].Seq = f.seq
	}
	for sub := range f.subs {
		for _, ch := range changes {
			select {
			case sub.c <- ch:
				continue
			default:
			}
			// Full: drop what is queued and leave one Resync in its place.
		drain:
			for {
				select {
				case <-sub.c:
				default:
					break drain
				}
			}
			sub.c <- Change{Seq: f.seq, Kind: Resync}
			break
		}
	}
}
