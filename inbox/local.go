package inbox

import (
	"context"
	"errors"

	"github.com/pageinbox/pageinbox/store"
)

// Local is the Backend when this process owns the store. What only the
// owner of the dispatcher and the webhook knows comes through the hooks.
// It acts for Agent; As is the same store and board for another agent.
type Local struct {
	Store *store.Store
	// Wake tells the dispatcher a send was queued. nil: sending is off,
	// and Send says so.
	Wake func()
	// Describe fills in the status of the webhook, the Graph API and the
	// dispatcher. nil: a bare local status.
	Describe func(ctx context.Context, s *store.SystemStatus)
	// Seen is told when a conversation is opened (mark_seen). May be nil.
	Seen func(key store.ConvKey)
	// TokenProblem says why the Page's token cannot send ("" if it can):
	// the campaign ledger then blocks everyone.
	TokenProblem func() string
	// LedgerOnly makes Eligibility the store's ledger alone, for a caller
	// that asks Meta about the token itself (a command on the file).
	LedgerOnly bool
	// Agent is who uses this backend; Board is shared by every session of
	// the process, so each sees where the others are.
	Agent store.Agent
	Board *PresenceBoard
	// Owner is the name of whoever runs this process (the local user):
	// beside the named agents, the one a conversation may be assigned to.
	Owner string
	// LabelsChanged is told the labels an agent put on a conversation or
	// took off (to share them with Meta's Page Inbox). May be nil. Changes
	// the store applies from Meta never come here.
	LabelsChanged func(key store.ConvKey, added, removed []string)
	// NoAutoAssign keeps a reply to an unassigned conversation from making
	// it the replier's.
	NoAutoAssign bool
	// Reactor sends the Page's reaction on a message to Meta (emoji "":
	// unreact) and says which emoji Meta took. nil: sending is off.
	Reactor func(ctx context.Context, key store.ConvKey, mid, emoji string) (string, error)
	// TypingOn is told an agent is typing in a conversation (the Service
	// throttles typing_on). May be nil: typing indicators are off.
	TypingOn func(ctx context.Context, key store.ConvKey)
	// SSHAgents names the agents of the keys allowed in over SSH (their
	// authorized_keys comments); nil: none.
	SSHAgents func() []string
	// Uploader uploads a file with the Page token (inbox.PagesUploads). nil:
	// sending is off, and Upload says so.
	Uploader UploadFunc
	// SpoolDir holds uploads while they go to Meta ("": the system's
	// temporary directory).
	SpoolDir string
}

var _ Agents = (*Local)(nil)

func (b *Local) Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error) {
	return b.Store.List(ctx, q)
}

func (b *Local) Counts(ctx context.Context) (store.Counts, error) { return b.Store.AllCounts(ctx) }

func (b *Local) PageCounts(ctx context.Context, pageID string) (store.Counts, error) {
	return b.Store.PageCounts(ctx, pageID)
}

func (b *Local) Pages(ctx context.Context) ([]store.Page, error) { return b.Store.Pages(ctx) }

func (b *Local) Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error) {
	return b.Store.Thread(ctx, key, before, limit)
}

func (b *Local) Send(ctx context.Context, s store.Send) (store.OutboxItem, error) {
	if b.Wake == nil {
		return store.OutboxItem{}, ErrSendingOff
	}
	s.Agent, s.Claim = b.Agent.Name, !b.NoAutoAssign // attribution, whatever a client said
	item, err := b.Store.Enqueue(ctx, s)
	if err == nil {
		b.Wake()
	}
	return item, err
}

func (b *Local) MarkRead(ctx context.Context, key store.ConvKey) error {
	if _, err := b.Store.MarkRead(ctx, key); err != nil {
		return err
	}
	if b.Seen != nil {
		b.Seen(key)
	}
	return nil
}

func (b *Local) SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error {
	_, err := b.Store.SetStatus(ctx, key, st)
	return err
}

// SaveDraft keeps the draft as this agent's (by name, so it survives
// restarts and is never another agent's).
func (b *Local) SaveDraft(ctx context.Context, key store.ConvKey, draft string) error {
	return b.Store.SaveDraft(ctx, b.Agent.Name, key, draft)
}

func (b *Local) Draft(ctx context.Context, key store.ConvKey) (string, error) {
	return b.Store.Draft(ctx, b.Agent.Name, key)
}

func (b *Local) Subscribe(ctx context.Context) (<-chan store.Change, error) {
	// A TUI reads in bursts; a daemon's fan-out reads as fast as it can.
	// 8192 changes are a few seconds of a busy inbox (and 600 KB).
	sub := b.Store.Subscribe(8192)
	go func() {
		<-ctx.Done()
		sub.Close()
	}()
	return sub.C, nil
}

func (b *Local) Status(ctx context.Context) (store.SystemStatus, error) {
	s := store.SystemStatus{Mode: "local", Connected: true}
	if b.Wake == nil {
		s.Sending = ErrSendingOff.Error()
	}
	if b.Describe != nil {
		b.Describe(ctx, &s)
	}
	n, err := b.Store.Queued(ctx)
	s.Queued = n
	return s, err
}

func (b *Local) SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error) {
	return b.Store.ConversationKeys(ctx, q)
}

func (b *Local) Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error) {
	if len(keys) == 0 {
		return store.Ledger{}, errors.New("no recipients selected")
	}
	l, err := b.Store.Eligibility(ctx, keys[0].PageID, keys)
	if b.LedgerOnly {
		return l, err
	}
	if err == nil && b.TokenProblem != nil {
		if why := b.TokenProblem(); why != "" {
			l = l.WithTokenProblem(why)
		}
	}
	if err == nil && b.Wake == nil {
		l = l.WithTokenProblem(ErrSendingOff.Error())
	}
	return l, err
}

func (b *Local) StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error) {
	if b.Wake == nil {
		return c, ErrSendingOff
	}
	got, err := b.Store.CreateCampaignFromLedger(ctx, c, l)
	if err == nil {
		b.Wake()
	}
	return got, err
}

func (b *Local) Campaign(ctx context.Context, id uint64) (store.Campaign, error) {
	return b.Store.Campaign(ctx, id)
}

func (b *Local) Campaigns(ctx context.Context) ([]store.Campaign, error) {
	return b.Store.Campaigns(ctx)
}

func (b *Local) CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error) {
	return b.Store.CampaignItems(ctx, id)
}

func (b *Local) SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error) {
	c, err := b.Store.SetCampaignStatus(ctx, id, st)
	if err == nil && st == store.CampaignRunning && b.Wake != nil {
		b.Wake()
	}
	return c, err
}

func (b *Local) RetryFailed(ctx context.Context, id uint64) (int, error) {
	n, err := b.Store.RetryFailed(ctx, id)
	if err == nil && n > 0 && b.Wake != nil {
		b.Wake()
	}
	return n, err
}

func (b *Local) CampaignReplies(ctx context.Context, id uint64) (int, error) {
	return b.Store.CampaignReplies(ctx, id)
}

func (b *Local) Item(ctx context.Context, id uint64) (store.OutboxItem, error) {
	return b.Store.Item(ctx, id)
}

// Resend sends an unknown item again, as the agent's own decision.
func (b *Local) Resend(ctx context.Context, id uint64) (store.OutboxItem, error) {
	if b.Wake == nil {
		return store.OutboxItem{}, ErrSendingOff
	}
	item, err := b.Store.Resend(ctx, id)
	if err == nil {
		b.Wake()
	}
	return item, err
}

// Abandon makes sure nothing of an item goes out later (store.Abandon).
func (b *Local) Abandon(ctx context.Context, id uint64, why string) (store.OutboxItem, error) {
	return b.Store.Abandon(ctx, id, why)
}
