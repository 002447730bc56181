package tui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// fakeTeam is the fake's side of inbox.Team: states, assignment, labels,
// notes and saved replies kept in memory, published like the store does
// (a conversation change for every conversation that moved).
type fakeTeam struct {
	labels  map[string][]store.Label       // by Page
	notes   map[store.ConvKey][]store.Note // oldest first
	replies map[string][]store.SavedReply  // by Page
	agents  []string                       // named agents besides "me"
}

func (f *fakeBackend) team() *fakeTeam {
	if f.teamData == nil {
		f.teamData = &fakeTeam{labels: map[string][]store.Label{}, notes: map[store.ConvKey][]store.Note{},
			replies: map[string][]store.SavedReply{}}
	}
	return f.teamData
}

func (f *fakeBackend) teamUpdate(ctx context.Context, call string, key store.ConvKey, fn func(*store.Conversation)) (store.Conversation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, call); err != nil {
		return store.Conversation{}, err
	}
	if err := f.update(key, fn); err != nil {
		return store.Conversation{}, err
	}
	return *f.convs[key], nil
}

// Agents are those the test named (team().agents) and the assignees.
func (f *fakeBackend) Agents(ctx context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Agents"); err != nil {
		return nil, err
	}
	names := slices.Clone(f.team().agents)
	for _, c := range f.convs {
		if c.Assignee != "" {
			names = append(names, c.Assignee)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

func (f *fakeBackend) Assign(ctx context.Context, key store.ConvKey, agent string) (store.Conversation, error) {
	return f.teamUpdate(ctx, "Assign", key, func(c *store.Conversation) { c.Assignee = agent })
}

func (f *fakeBackend) SetState(ctx context.Context, key store.ConvKey, st store.ConvStatus, until time.Time) (store.Conversation, error) {
	if st == store.ConvSnoozed && until.IsZero() {
		return store.Conversation{}, fmt.Errorf("%w: a snooze needs a time", store.ErrInvalid)
	}
	return f.teamUpdate(ctx, "SetState", key, func(c *store.Conversation) {
		c.Status, c.SnoozedUntil = st, time.Time{}
		if st == store.ConvSnoozed {
			c.SnoozedUntil = until
		}
	})
}

func (f *fakeBackend) ToggleLabel(ctx context.Context, key store.ConvKey, label string) (store.Conversation, error) {
	return f.teamUpdate(ctx, "ToggleLabel", key, func(c *store.Conversation) {
		names := c.Labels.Names()
		if i := slices.Index(names, label); i >= 0 {
			names = slices.Delete(names, i, i+1)
		} else {
			names = append(names, label)
			f.team().ensureLabel(c.PageID, label)
		}
		c.Labels = store.Labels(names...)
	})
}

func (f *fakeBackend) SetLabels(ctx context.Context, key store.ConvKey, add, remove []string) (store.Conversation, error) {
	return f.teamUpdate(ctx, "SetLabels", key, func(c *store.Conversation) {
		names := slices.DeleteFunc(c.Labels.Names(), func(n string) bool { return slices.Contains(remove, n) })
		for _, n := range add {
			f.team().ensureLabel(c.PageID, n)
		}
		c.Labels = store.Labels(append(names, add...)...)
	})
}

func (t *fakeTeam) ensureLabel(page, name string) {
	if !slices.ContainsFunc(t.labels[page], func(l store.Label) bool { return l.Name == name }) {
		t.labels[page] = append(t.labels[page], store.Label{PageID: page, Name: name, Color: "#5f87af"})
	}
}

func (f *fakeBackend) Labels(ctx context.Context, pageID string) ([]store.Label, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Labels"); err != nil {
		return nil, err
	}
	return slices.Clone(f.team().labels[pageID]), nil
}

func (f *fakeBackend) AddNote(ctx context.Context, key store.ConvKey, text string) (store.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "AddNote"); err != nil {
		return store.Note{}, err
	}
	if _, ok := f.convs[key]; !ok {
		return store.Note{}, fmt.Errorf("%w: conversation %s", store.ErrNotFound, key)
	}
	n := store.Note{ConvKey: key, Author: "me", Time: f.now(), Text: text}
	f.team().notes[key] = append(f.team().notes[key], n)
	f.publishLocked([]store.Change{{Kind: store.NoteAdded, Note: &n}})
	return n, nil
}

func (f *fakeBackend) Notes(ctx context.Context, key store.ConvKey) ([]store.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Notes"); err != nil {
		return nil, err
	}
	return slices.Clone(f.team().notes[key]), nil
}

func (f *fakeBackend) Replies(ctx context.Context, pageID string) ([]store.SavedReply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Replies"); err != nil {
		return nil, err
	}
	return slices.Clone(f.team().replies[pageID]), nil
}

func (f *fakeBackend) SaveReply(ctx context.Context, r store.SavedReply) (store.SavedReply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "SaveReply"); err != nil {
		return store.SavedReply{}, err
	}
	r.Author, r.Updated = "me", f.now()
	rs := slices.DeleteFunc(f.team().replies[r.PageID], func(o store.SavedReply) bool { return o.Shortcut == r.Shortcut })
	f.team().replies[r.PageID] = append(rs, r)
	return r, nil
}

func (f *fakeBackend) DeleteReply(ctx context.Context, pageID, shortcut string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "DeleteReply"); err != nil {
		return err
	}
	f.team().replies[pageID] = slices.DeleteFunc(f.team().replies[pageID], func(o store.SavedReply) bool { return o.Shortcut == shortcut })
	return nil
}

func (f *fakeBackend) Contact(ctx context.Context, key store.ConvKey) (inbox.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Contact"); err != nil {
		return inbox.Contact{}, err
	}
	c, ok := f.convs[key]
	if !ok {
		return inbox.Contact{}, fmt.Errorf("%w: conversation %s", store.ErrNotFound, key)
	}
	ct := inbox.Contact{Conversation: *c, Notes: slices.Clone(f.team().notes[key])}
	for _, m := range f.msgs[key] {
		if ct.FirstSeen.IsZero() || m.Time.Before(ct.FirstSeen) {
			ct.FirstSeen = m.Time
		}
		if m.Direction == store.In {
			ct.Inbound++
		} else {
			ct.Outbound++
		}
	}
	ct.Window = store.WindowAt(c.LastInboundTime, f.now())
	for i := len(f.camps.list) - 1; i >= 0; i-- { // newest first, as the store
		camp := f.camps.list[i]
		for _, it := range f.camps.items[camp.ID] {
			if it.ConvKey == key {
				ct.Campaigns = append(ct.Campaigns, store.CampaignReceipt{CampaignID: camp.ID, Title: camp.Title,
					Time: it.UpdatedAt, State: it.State, Reason: it.Reason})
			}
		}
	}
	return ct, nil
}
