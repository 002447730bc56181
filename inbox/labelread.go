package inbox

import (
	"context"
	"fmt"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// LabelsRead is what SyncLabels did: the conversations whose labels Meta
// was asked for, and those Meta had no person for (skipped).
type LabelsRead struct {
	Conversations, Skipped int
}

// SyncLabels reads back every stored PSID's labels on the Page from Meta
// and merges them into its conversation (ReadBackLabels): `pageinbox
// sync`. When the Page or token cannot use Meta's labels it stops at the
// first answer saying so and returns that error (fbgraph.LabelsUnavailable
// is true of it): labels then stay as they are.
func SyncLabels(ctx context.Context, api LabelAPI, st *store.Store, pageID string) (LabelsRead, error) {
	var n LabelsRead
	if pageID == "" {
		return n, nil // no Page: nothing to read (an empty PageID would list every Page)
	}
	keys, err := st.ConversationKeys(ctx, store.ListQuery{Filter: store.FilterAll, PageID: pageID})
	if err != nil {
		return n, err
	}
	for _, key := range keys {
		_, err := ReadBackLabels(ctx, api, st, key)
		switch {
		case err == nil:
			n.Conversations++
		case fbgraph.ClassOf(err) == fbgraph.ClassInvalid:
			n.Skipped++ // Meta has no such person for the Page (or no labels for them)
		default:
			return n, fmt.Errorf("labels of %s: %w", key.PSID, err)
		}
	}
	return n, nil
}
