package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Team is the team's triage of the inbox: states, assignment, labels,
// private notes, saved replies and the contact pane. It acts for one agent
// (the author of a note). Every Backend has it.
type Team interface {
	// Agents are the names a conversation may be assigned to: the owner,
	// the named agents (`agents add`) and the SSH keys' agents, sorted.
	Agents(ctx context.Context) ([]string, error)
	Assign(ctx context.Context, key store.ConvKey, agent string) (store.Conversation, error)
	// SetState moves a conversation to open, done, or snoozed until a time.
	SetState(ctx context.Context, key store.ConvKey, st store.ConvStatus, until time.Time) (store.Conversation, error)
	ToggleLabel(ctx context.Context, key store.ConvKey, label string) (store.Conversation, error)
	// SetLabels adds and removes labels; a new name creates the label.
	SetLabels(ctx context.Context, key store.ConvKey, add, remove []string) (store.Conversation, error)
	Labels(ctx context.Context, pageID string) ([]store.Label, error)
	AddNote(ctx context.Context, key store.ConvKey, text string) (store.Note, error)
	Notes(ctx context.Context, key store.ConvKey) ([]store.Note, error)
	Replies(ctx context.Context, pageID string) ([]store.SavedReply, error)
	SaveReply(ctx context.Context, r store.SavedReply) (store.SavedReply, error)
	DeleteReply(ctx context.Context, pageID, shortcut string) error
	Contact(ctx context.Context, key store.ConvKey) (Contact, error)
}

// Contact is what the contact pane shows of a customer.
type Contact struct {
	store.Conversation
	FirstSeen time.Time    `json:"first_seen,omitzero"`
	Inbound   int          `json:"inbound"`
	Outbound  int          `json:"outbound"`
	Window    store.Window `json:"window"`
	Notes     []store.Note `json:"notes,omitempty"`
	// Campaigns are the campaigns the customer was a recipient of, newest
	// first, with how each went for them.
	Campaigns []store.CampaignReceipt `json:"campaigns,omitempty"`
}

var _ Team = (*Local)(nil)

// Assign gives the conversation to a named agent or the owner, or ("")
// to nobody; any other name is refused with the names it could be.
func (b *Local) Assign(ctx context.Context, key store.ConvKey, agent string) (store.Conversation, error) {
	if agent != "" {
		known, err := b.assignable(ctx)
		if err != nil {
			return store.Conversation{}, err
		}
		if !slices.Contains(known, agent) {
			return store.Conversation{}, fmt.Errorf("%w: unknown agent %q: assign to one of %s (pageinbox agents add NAME makes one), or unassign",
				store.ErrInvalid, agent, strings.Join(known, ", "))
		}
	}
	return b.Store.Assign(ctx, key, agent)
}

func (b *Local) Agents(ctx context.Context) ([]string, error) { return b.assignable(ctx) }

// assignable are the names a conversation may be assigned to: the owner,
// the named agents and those SSHAgents names, sorted.
func (b *Local) assignable(ctx context.Context) ([]string, error) {
	list, err := b.Store.Agents(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	if b.Owner != "" {
		names = append(names, b.Owner)
	}
	if b.SSHAgents != nil {
		names = append(names, b.SSHAgents()...)
	}
	for _, a := range list {
		names = append(names, a.Name)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

func (b *Local) SetState(ctx context.Context, key store.ConvKey, st store.ConvStatus, until time.Time) (store.Conversation, error) {
	return b.Store.SetState(ctx, key, st, until)
}

func (b *Local) ToggleLabel(ctx context.Context, key store.ConvKey, label string) (store.Conversation, error) {
	return b.labelsChange(ctx, key, func() (store.Conversation, error) { return b.Store.ToggleLabel(ctx, key, label) })
}

func (b *Local) SetLabels(ctx context.Context, key store.ConvKey, add, remove []string) (store.Conversation, error) {
	return b.labelsChange(ctx, key, func() (store.Conversation, error) { return b.Store.ChangeLabels(ctx, key, add, remove) })
}

// labelsChange makes an agent's change to a conversation's labels and
// tells LabelsChanged what it added and removed.
func (b *Local) labelsChange(ctx context.Context, key store.ConvKey, change func() (store.Conversation, error)) (store.Conversation, error) {
	if b.LabelsChanged == nil {
		return change()
	}
	before, err := b.Store.Conversation(ctx, key)
	if err != nil {
		return before, err
	}
	after, err := change()
	if err != nil {
		return after, err
	}
	var added, removed []string
	for _, n := range after.Labels.Names() {
		if !before.Labels.Has(n) {
			added = append(added, n)
		}
	}
	for _, n := range before.Labels.Names() {
		if !after.Labels.Has(n) {
			removed = append(removed, n)
		}
	}
	if len(added)+len(removed) > 0 {
		b.LabelsChanged(key, added, removed)
	}
	return after, nil
}

func (b *Local) Labels(ctx context.Context, pageID string) ([]store.Label, error) {
	return b.Store.Labels(ctx, pageID)
}

// AddNote writes the note as this backend's agent.
func (b *Local) AddNote(ctx context.Context, key store.ConvKey, text string) (store.Note, error) {
	return b.Store.AddNote(ctx, key, b.Agent.Name, text)
}

func (b *Local) Notes(ctx context.Context, key store.ConvKey) ([]store.Note, error) {
	return b.Store.Notes(ctx, key)
}

func (b *Local) Replies(ctx context.Context, pageID string) ([]store.SavedReply, error) {
	return b.Store.Replies(ctx, pageID)
}

func (b *Local) SaveReply(ctx context.Context, r store.SavedReply) (store.SavedReply, error) {
	r.Author = b.Agent.Name
	return b.Store.SaveReply(ctx, r)
}

func (b *Local) DeleteReply(ctx context.Context, pageID, shortcut string) error {
	return b.Store.DeleteReply(ctx, pageID, shortcut)
}

// Contact gathers the conversation, its message counts, its window, its
// notes and the campaigns it received.
func (b *Local) Contact(ctx context.Context, key store.ConvKey) (Contact, error) {
	var c Contact
	conv, err := b.Store.Conversation(ctx, key)
	if err != nil {
		return c, err
	}
	c.Conversation = conv
	c.Window = store.WindowAt(conv.LastInboundTime, time.Now())
	var before store.Cursor
	for {
		p, err := b.Store.Thread(ctx, key, before, 500)
		if err != nil {
			return c, err
		}
		for _, m := range p.Messages {
			if m.Direction == store.In {
				c.Inbound++
			} else {
				c.Outbound++
			}
			if c.FirstSeen.IsZero() || m.Time.Before(c.FirstSeen) {
				c.FirstSeen = m.Time
			}
		}
		if before = p.Before; before == "" {
			break
		}
	}
	if c.Notes, err = b.Store.Notes(ctx, key); err != nil {
		return c, err
	}
	c.Campaigns, err = b.Store.ConversationCampaigns(ctx, key)
	return c, err
}
