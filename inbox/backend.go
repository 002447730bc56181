// Package inbox is pageinbox's application service: the one Backend the
// TUI, the commands and the daemon's /ws clients all work against, and its
// store-backed implementation (Local), with what runs beside the store in
// the process that owns it (Service: the dispatcher, name lookups,
// presence, the system status), and the drivers that follow a send or a
// campaign to its end.
package inbox

import (
	"context"
	"errors"
	"io"

	"github.com/pageinbox/pageinbox/store"
)

// Backend is everything the rest of pageinbox asks of the inbox. It acts
// for one agent (drafts and presence are theirs). Every argument and
// result is plain data, so a remote implementation (the daemon's /ws
// client) carries it over the wire.
type Backend interface {
	Team
	// Conversations lists a filter, newest activity first, after a cursor;
	// with a query it searches names, PSIDs and last messages instead.
	Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error)
	Counts(ctx context.Context) (store.Counts, error)
	// PageCounts counts the filters within one Page ("" is every Page).
	PageCounts(ctx context.Context, pageID string) (store.Counts, error)
	Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error)
	// Pages lists the Pages the store serves: which one a command works on
	// when PAGE_ID is not set.
	Pages(ctx context.Context) ([]store.Page, error)

	// Send queues a reply; the policy is checked again when it is queued
	// and when it is sent.
	Send(ctx context.Context, s store.Send) (store.OutboxItem, error)
	// Item reads one outbox item: how a sender follows its message.
	Item(ctx context.Context, id uint64) (store.OutboxItem, error)
	// Resend sends an outbox item whose fate is unknown (it may have
	// arrived) again, as a new item: only ever the agent's decision.
	Resend(ctx context.Context, id uint64) (store.OutboxItem, error)
	// Abandon makes sure nothing of an item goes out later: a sender
	// giving up on it (store.Abandon).
	Abandon(ctx context.Context, id uint64, why string) (store.OutboxItem, error)

	MarkRead(ctx context.Context, key store.ConvKey) error
	SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error
	// SaveDraft and Draft keep this agent's own draft in a thread.
	SaveDraft(ctx context.Context, key store.ConvKey, draft string) error
	Draft(ctx context.Context, key store.ConvKey) (string, error)
	// Presence says which conversation this agent has open (the zero key:
	// none) and whether they are typing a reply there.
	Presence(ctx context.Context, key store.ConvKey, typing bool) error

	// React puts the Page's reaction on a customer's message (emoji "":
	// takes it off), recorded once Meta has taken it.
	React(ctx context.Context, key store.ConvKey, mid, emoji string) (store.Message, error)
	// Typing says the agent is typing a reply there (typing_on, throttled).
	Typing(ctx context.Context, key store.ConvKey) error
	// Upload takes a file's bytes from r to Meta's Attachment Upload API
	// (where the Page token is) and returns what a Send carries to send
	// it; progress (may be nil) hears how many bytes have gone.
	Upload(ctx context.Context, f UploadRequest, r io.Reader, progress func(sent int64)) (store.UploadedFile, error)
	// Templates lists a Page's Utility Message templates, every status;
	// one goes out by Send with Template set and messaging type UTILITY.
	Templates(ctx context.Context, pageID string) ([]store.Template, error)

	// Subscribe delivers committed changes until ctx ends, then closes.
	Subscribe(ctx context.Context) (<-chan store.Change, error)
	Status(ctx context.Context) (store.SystemStatus, error)

	// Campaigns.
	SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error)
	Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error)
	StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error)
	Campaign(ctx context.Context, id uint64) (store.Campaign, error)
	Campaigns(ctx context.Context) ([]store.Campaign, error)
	CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error)
	SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error)
	RetryFailed(ctx context.Context, id uint64) (int, error)
	CampaignReplies(ctx context.Context, id uint64) (int, error)
}

// Agents is an inbox that acts for whichever agent asks: what a daemon
// serves, one agent per connection or SSH session.
type Agents interface {
	Backend
	// As is the same inbox acting for agent: their drafts, their presence.
	As(agent store.Agent) Backend
}

var (
	// ErrSendingOff: there is no Page token, so nothing can be sent.
	ErrSendingOff = errors.New("sending is off: PAGE_ACCESS_TOKEN is not set")
	// ErrDisconnected: the daemon is not reachable right now; its client
	// keeps reconnecting in the background.
	ErrDisconnected = errors.New("not connected to the daemon")
)
