package daemon

import (
	"context"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// pageParams names one Page.
type pageParams struct {
	PageID string `json:"page_id"`
}

// mTemplates lists a Page's Utility templates; one is sent by `send`
// with its "template" and messaging type UTILITY.
var mTemplates = method[pageParams, []store.Template]{"templates", templates}

// templateMethods are added to the dispatch table (methods.go).
var templateMethods = []handler{mTemplates}

func templates(b inbox.Backend, ctx context.Context, p pageParams) ([]store.Template, error) {
	return b.Templates(ctx, p.PageID)
}

func (c *Client) Templates(ctx context.Context, pageID string) ([]store.Template, error) {
	return call(ctx, c, mTemplates, pageParams{PageID: pageID})
}
