package daemon

import (
	"context"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

var _ inbox.Team = (*Client)(nil)

func (c *Client) Assign(ctx context.Context, key store.ConvKey, agent string) (store.Conversation, error) {
	return call(ctx, c, mAssign, teamParams{Key: key, Agent: agent})
}

func (c *Client) SetState(ctx context.Context, key store.ConvKey, st store.ConvStatus, until time.Time) (store.Conversation, error) {
	return call(ctx, c, mSetState, teamParams{Key: key, State: st, Until: until})
}

func (c *Client) ToggleLabel(ctx context.Context, key store.ConvKey, label string) (store.Conversation, error) {
	return call(ctx, c, mToggleLabel, teamParams{Key: key, Label: label})
}

func (c *Client) SetLabels(ctx context.Context, key store.ConvKey, add, remove []string) (store.Conversation, error) {
	return call(ctx, c, mSetLabels, teamParams{Key: key, Add: add, Remove: remove})
}

func (c *Client) Labels(ctx context.Context, pageID string) ([]store.Label, error) {
	return call(ctx, c, mLabels, teamParams{PageID: pageID})
}

func (c *Client) AddNote(ctx context.Context, key store.ConvKey, text string) (store.Note, error) {
	return call(ctx, c, mAddNote, teamParams{Key: key, Text: text})
}

func (c *Client) Notes(ctx context.Context, key store.ConvKey) ([]store.Note, error) {
	return call(ctx, c, mNotes, teamParams{Key: key})
}

func (c *Client) Replies(ctx context.Context, pageID string) ([]store.SavedReply, error) {
	return call(ctx, c, mReplies, teamParams{PageID: pageID})
}

func (c *Client) SaveReply(ctx context.Context, r store.SavedReply) (store.SavedReply, error) {
	return call(ctx, c, mSaveReply, teamParams{PageID: r.PageID, Shortcut: r.Shortcut, Text: r.Text})
}

func (c *Client) DeleteReply(ctx context.Context, pageID, shortcut string) error {
	_, err := call(ctx, c, mDeleteReply, teamParams{PageID: pageID, Shortcut: shortcut})
	return err
}

func (c *Client) Agents(ctx context.Context) ([]string, error) {
	return call(ctx, c, mAgents, teamParams{})
}

func (c *Client) Contact(ctx context.Context, key store.ConvKey) (inbox.Contact, error) {
	return call(ctx, c, mContact, teamParams{Key: key})
}
