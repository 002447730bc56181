package fbtest

import (
	"fmt"
	"mime/multipart"
	"testing"
	"time"
)

func imagesMsg(payloads ...map[string]any) map[string]any {
	atts := make([]any, len(payloads))
	for i, p := range payloads {
		atts[i] = map[string]any{"type": "image", "payload": p}
	}
	return map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE",
		"message": map[string]any{"attachments": atts, "metadata": "pageinbox:9"}}
}

// message.attachments: up to 30 images by url or by an attachment_id the
// Page owns are one message, recorded image by image; a non-image, 31
// images, an unknown id or text beside them are refused as Meta does, and
// RefuseMultiImageByID refuses the by-id shape with a plain #100 while
// URLs still go.
func TestMultiImageSend(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	s.Inbound(psid, time.Now())
	_, _, id := postUpload(t, s, func(mw *multipart.Writer) {
		mw.WriteField("message", imageMessage)
		filePart(mw, "a.png", "image/png", []byte("\x89PNG\r\n\x1a\n fake"))
	})
	byURL := func(i int) map[string]any { return map[string]any{"url": fmt.Sprintf("https://cdn.example/%d.png", i)} }
	byID := map[string]any{"attachment_id": id}

	a := send(t, s, imagesMsg(byURL(1), byID, byURL(2)))
	sent := s.SentTo(psid)
	if a.status != 200 || a.str("message_id") == "" || len(sent) != 1 {
		t.Fatalf("three images: %s, %d recorded", a.raw, len(sent))
	}
	if got := sent[0].Images; len(got) != 3 || got[1].ID != id || got[0].URL != "https://cdn.example/1.png" || sent[0].AttachmentType != "image" {
		t.Fatalf("recorded %+v", sent[0])
	}

	thirtyOne := make([]map[string]any, 31)
	for i := range thirtyOne {
		thirtyOne[i] = byURL(i)
	}
	withText := imagesMsg(byURL(1), byURL(2))
	withText["message"].(map[string]any)["text"] = "look"
	notImage := imagesMsg(byURL(1))
	notImage["message"].(map[string]any)["attachments"].([]any)[0].(map[string]any)["type"] = "file"
	for _, c := range []struct {
		name          string
		body          map[string]any
		code, subcode int
	}{
		{"31 images", imagesMsg(thirtyOne...), 100, 0},
		{"a file among them", notImage, 100, 0},
		{"an unknown id", imagesMsg(byURL(1), map[string]any{"attachment_id": "999"}), 100, 2018074},
		{"text beside them", withText, 100, 0},
	} {
		if a := send(t, s, c.body); a.status != 400 || a.code() != c.code || a.subcode() != c.subcode {
			t.Errorf("%s: %s", c.name, a.raw)
		}
	}
	if a := send(t, s, imagesMsg(thirtyOne[:30]...)); a.status != 200 {
		t.Errorf("30 images refused: %s", a.raw)
	}

	s.RefuseMultiImageByID(true)
	if a := send(t, s, imagesMsg(byID, byURL(3))); a.status != 400 || a.code() != 100 || a.subcode() != 0 {
		t.Errorf("by id with the knob: %s", a.raw)
	}
	if a := send(t, s, imagesMsg(byURL(3), byURL(4))); a.status != 200 {
		t.Errorf("by URL with the knob: %s", a.raw)
	}
	if n := len(s.SentTo(psid)); n != 3 {
		t.Errorf("%d messages recorded, want 3 (refusals record nothing)", n)
	}
}
