package fbgraph

import (
	"context"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// subcodeAttachmentGone: Meta does not know the attachment_id for this
// Page (expired, or another Page's).
const subcodeAttachmentGone = 2018074

// attachmentGone forgets the refused id where the outbox keeps uploads,
// so the file is uploaded again next time, and says so.
func (d *Dispatcher) attachmentGone(item store.OutboxItem) string {
	if f, ok := d.out.(interface {
		ForgetAttachment(ctx context.Context, pageID, attachmentID string) error
	}); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.ForgetAttachment(ctx, item.PageID, item.AttachmentID); err != nil {
			d.log.Warn("outbox: forgetting a refused attachment id failed", "item", item.ID, "err", err)
		}
	}
	return "Meta no longer knows the uploaded file (its attachment_id expired or is not this Page's): send the file again and it is uploaded again"
}

// pace waits for the send's turn: audio and video keep to their own rate
// as well as the dispatcher's.
func (d *Dispatcher) pace(ctx context.Context, item store.OutboxItem) error {
	if item.IsAudioVisual() {
		if err := d.media.Wait(ctx); err != nil {
			return err
		}
	}
	return d.limiter.Wait(ctx)
}

// itemAttachment is the item's image URL or uploaded file, nil if none.
func itemAttachment(item store.OutboxItem) *Attachment {
	switch {
	case item.AttachmentID != "":
		return &Attachment{Type: item.AttachmentType, ID: item.AttachmentID}
	case item.ImageURL != "":
		return &Attachment{Type: "image", URL: item.ImageURL, IsReusable: true}
	}
	return nil
}
