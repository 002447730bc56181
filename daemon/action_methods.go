package daemon

import (
	"context"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// reactParams: the Page's reaction on a message (emoji "": take it off).
type reactParams struct {
	Key   store.ConvKey `json:"key"`
	MID   string        `json:"mid"`
	Emoji string        `json:"emoji,omitempty"`
}

var (
	mReact  = method[reactParams, store.Message]{"react", react}
	mTyping = method[keyParams, ok]{"typing", typing}
)

func react(b inbox.Backend, ctx context.Context, p reactParams) (store.Message, error) {
	return b.React(ctx, p.Key, p.MID, p.Emoji)
}

func typing(b inbox.Backend, ctx context.Context, p keyParams) (ok, error) {
	return done(b.Typing(ctx, p.Key))
}

func (c *Client) React(ctx context.Context, key store.ConvKey, mid, emoji string) (store.Message, error) {
	return call(ctx, c, mReact, reactParams{Key: key, MID: mid, Emoji: emoji})
}

func (c *Client) Typing(ctx context.Context, key store.ConvKey) error {
	_, err := call(ctx, c, mTyping, keyParams{Key: key})
	return err
}
