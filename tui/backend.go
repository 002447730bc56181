// Package tui is pageinbox's terminal interface: a live conversation
// list, the open thread, a compose pane and a status bar, in Bubble Tea.
// It talks to a Backend, never to the store's file: the same models run
// in-process, attached to a daemon, or served over SSH.
package tui

import (
	"context"

	"github.com/pageinbox/pageinbox/store"
)

// Backend is everything the TUI asks of the rest of pageinbox. Every
// argument and result is plain data, so a remote implementation can carry
// it over the wire.
type Backend interface {
	// Conversations lists a filter, newest activity first, after a cursor;
	// with a query it searches names, PSIDs and last messages instead.
	Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error)
	Counts(ctx context.Context) (store.Counts, error)
	Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error)
	// Send queues a reply; the policy is checked again when it is queued
	// and when it is sent.
	Send(ctx context.Context, s store.Send) (store.OutboxItem, error)
	// Resend sends an outbox item whose fate is unknown (it may have
	// arrived) again, as a new item: only ever the agent's decision.
	Resend(ctx context.Context, id uint64) (store.OutboxItem, error)
	MarkRead(ctx context.Context, key store.ConvKey) error
	SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error
	// SaveDraft and Draft keep this agent's own draft in a thread.
	SaveDraft(ctx context.Context, key store.ConvKey, draft string) error
	Draft(ctx context.Context, key store.ConvKey) (string, error)
	// Subscribe delivers committed changes until ctx ends, then closes.
	Subscribe(ctx context.Context) (<-chan store.Change, error)
	Status(ctx context.Context) (store.SystemStatus, error)

	// Presence says which conversation this agent has open (the zero key:
	// none) and whether they are typing a reply there.
	Presence(ctx context.Context, key store.ConvKey, typing bool) error

	// Campaigns.
	SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error)
	Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error)
	StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error)
	Campaigns(ctx context.Context) ([]store.Campaign, error)
	CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error)
	SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error)
	RetryFailed(ctx context.Context, id uint64) (int, error)
	CampaignReplies(ctx context.Context, id uint64) (int, error)
}
