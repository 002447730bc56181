package inbox

import (
	"context"

	"github.com/pageinbox/pageinbox/store"
)

// Templates lists a Page's Utility Message templates as last synced
// (`pageinbox templates sync`), every status: only the approved UTILITY
// ones can be sent (store.Template.Sendable).
func (b *Local) Templates(ctx context.Context, pageID string) ([]store.Template, error) {
	return b.Store.Templates(ctx, pageID)
}
