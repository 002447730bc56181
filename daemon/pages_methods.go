package daemon

import (
	"context"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// mPageCounts (pageParams, template_methods.go) is counts within one Page: the TUI's tabs once a Page is
// chosen (P). The list itself narrows by ListQuery.PageID on "list".
var mPageCounts = method[pageParams, store.Counts]{"page_counts", pageCounts}

func pageCounts(b inbox.Backend, ctx context.Context, p pageParams) (store.Counts, error) {
	return b.PageCounts(ctx, p.PageID)
}
