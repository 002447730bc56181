package daemon

import (
	"context"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// The Client is an inbox.Backend: each method is one entry of the method
// table (Subscribe and Status in client.go add what only a client knows).

var _ inbox.Backend = (*Client)(nil)

func (c *Client) Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error) {
	return call(ctx, c, mList, q)
}

func (c *Client) Counts(ctx context.Context) (store.Counts, error) {
	return call(ctx, c, mCounts, none{})
}

func (c *Client) PageCounts(ctx context.Context, pageID string) (store.Counts, error) {
	return call(ctx, c, mPageCounts, pageParams{PageID: pageID})
}

func (c *Client) Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error) {
	return call(ctx, c, mThread, threadParams{Key: key, Before: before, Limit: limit})
}

func (c *Client) Pages(ctx context.Context) ([]store.Page, error) {
	return call(ctx, c, mPages, none{})
}

func (c *Client) Send(ctx context.Context, s store.Send) (store.OutboxItem, error) {
	return call(ctx, c, mSend, s)
}

func (c *Client) Item(ctx context.Context, id uint64) (store.OutboxItem, error) {
	return call(ctx, c, mItem, campaignParams{ID: id})
}

func (c *Client) Resend(ctx context.Context, id uint64) (store.OutboxItem, error) {
	return call(ctx, c, mResend, campaignParams{ID: id})
}

func (c *Client) Abandon(ctx context.Context, id uint64, why string) (store.OutboxItem, error) {
	return call(ctx, c, mAbandon, campaignParams{ID: id, Why: why})
}

func (c *Client) MarkRead(ctx context.Context, key store.ConvKey) error {
	_, err := call(ctx, c, mMarkRead, keyParams{Key: key})
	return err
}

func (c *Client) SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error {
	_, err := call(ctx, c, mSetStatus, keyParams{Key: key, Status: st})
	return err
}

func (c *Client) SaveDraft(ctx context.Context, key store.ConvKey, draft string) error {
	_, err := call(ctx, c, mSaveDraft, keyParams{Key: key, Draft: draft})
	return err
}

func (c *Client) Draft(ctx context.Context, key store.ConvKey) (string, error) {
	return call(ctx, c, mDraft, keyParams{Key: key})
}

func (c *Client) Presence(ctx context.Context, key store.ConvKey, typing bool) error {
	_, err := call(ctx, c, mPresence, keyParams{Key: key, Typing: typing})
	return err
}

func (c *Client) SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error) {
	return call(ctx, c, mSelectAll, q)
}

func (c *Client) Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error) {
	return call(ctx, c, mEligibility, keys)
}

func (c *Client) StartCampaign(ctx context.Context, camp store.Campaign, l store.Ledger) (store.Campaign, error) {
	return call(ctx, c, mStartCampaign, campaignParams{Campaign: camp, Ledger: l})
}

func (c *Client) Campaign(ctx context.Context, id uint64) (store.Campaign, error) {
	return call(ctx, c, mCampaign, campaignParams{ID: id})
}

func (c *Client) Campaigns(ctx context.Context) ([]store.Campaign, error) {
	return call(ctx, c, mCampaigns, none{})
}

func (c *Client) CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error) {
	return call(ctx, c, mCampaignItems, campaignParams{ID: id})
}

func (c *Client) SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error) {
	return call(ctx, c, mSetCampaignStatus, campaignParams{ID: id, Status: st})
}

func (c *Client) RetryFailed(ctx context.Context, id uint64) (int, error) {
	return call(ctx, c, mRetryFailed, campaignParams{ID: id})
}

func (c *Client) CampaignReplies(ctx context.Context, id uint64) (int, error) {
	return call(ctx, c, mCampaignReplies, campaignParams{ID: id})
}
