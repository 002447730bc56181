package fbgraph

import (
	"context"
	"errors"
	"fmt"

	"github.com/pageinbox/pageinbox/store"
)

// MaxImages is the most images one message carries (message.attachments,
// since 19 Mar 2025, PLATFORM-2.md §3).
const MaxImages = 30

// body is an attachment's JSON in a send.
func (a Attachment) body() map[string]any {
	payload := map[string]any{"url": a.URL, "is_reusable": a.IsReusable}
	if a.ID != "" {
		payload = map[string]any{"attachment_id": a.ID}
	}
	return map[string]any{"type": a.Type, "payload": payload}
}

// checkImages refuses a multi-image message Meta would refuse: images
// only, at most MaxImages, nothing else in the message.
func (m Message) checkImages() error {
	switch {
	case m.Text != "" || m.Attachment != nil || m.Template != nil:
		return errors.New("send: several images go without text, another attachment or a template")
	case len(m.Attachments) > MaxImages:
		return fmt.Errorf("send: %d images; Messenger takes at most %d in one message", len(m.Attachments), MaxImages)
	}
	for _, a := range m.Attachments {
		if a.Type != "image" {
			return fmt.Errorf("send: several attachments in one message must all be images, not %q", a.Type)
		}
		if (a.ID == "") == (a.URL == "") {
			return errors.New("send: each image goes by URL or by id")
		}
	}
	return nil
}

// imageParts are the messages of an item with several images: its text
// if any, then the images as one message (message.attachments), or one
// message each where the Page's multi-image send was refused.
func (d *Dispatcher) imageParts(item store.OutboxItem, msg Message) []Message {
	images := make([]Attachment, 0, 1+len(item.Images))
	for _, f := range append([]store.UploadedFile{item.UploadedFile}, item.Images...) {
		images = append(images, Attachment{Type: "image", ID: f.AttachmentID})
	}
	var parts []Message
	if msg.Text != "" {
		parts = append(parts, msg)
		msg = followUp(msg)
	}
	if d.multiImageRefused(item.PageID) {
		return append(parts, oneEach(msg, images)...)
	}
	msg.Attachments = images
	return append(parts, msg)
}

// oneEach is a multi-image message as one message per image.
func oneEach(msg Message, images []Attachment) []Message {
	out := make([]Message, len(images))
	for i, a := range images {
		m := msg
		m.Attachments, m.Attachment = nil, &a
		if i > 0 {
			m.ReplyTo = ""
		}
		out[i] = m
	}
	return out
}

// sendPart sends one message of an item. A multi-image message Meta
// refuses with a parameter error (nothing was sent) goes again as one
// message per image; once that works the Page is remembered as refusing
// the shape, and its later sends skip the attempt. An ambiguous answer is
// never sent again.
func (d *Dispatcher) sendPart(ctx context.Context, item store.OutboxItem, msg Message) (SendResult, error) {
	res, err := d.send.Send(ctx, msg)
	if err == nil || len(msg.Attachments) == 0 || !shapeRefused(err) {
		return res, err
	}
	each := oneEach(msg, msg.Attachments)
	if res, err = d.send.Send(ctx, each[0]); err != nil {
		return res, err
	}
	d.refuseMultiImage(item.PageID)
	d.log.Warn("outbox: Meta refused several images in one message; this Page's images now go one per message",
		"item", item.ID, "page", item.PageID)
	for _, m := range each[1:] {
		if _, err := d.send.Send(ctx, m); err != nil {
			d.log.Warn("outbox: an image of a multi-image send failed", "item", item.ID, "err", err)
		}
	}
	return res, nil
}

// shapeRefused: Meta answered a plain parameter error (code 100, no
// subcode), which proves nothing was sent. Subcoded errors (an unknown
// attachment_id, 2018074) are about the files, not the shape.
func shapeRefused(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && !ge.MaybeSent && ge.HTTPStatus/100 == 4 && ge.Code == 100 && ge.Subcode == 0
}

func (d *Dispatcher) multiImageRefused(pageID string) bool {
	_, ok := d.noMultiImage.Load(pageID)
	return ok
}

func (d *Dispatcher) refuseMultiImage(pageID string) { d.noMultiImage.Store(pageID, true) }
