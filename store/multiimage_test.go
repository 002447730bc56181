package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func images(n int) []store.UploadedFile {
	out := make([]store.UploadedFile, n)
	for i := range out {
		out[i] = store.UploadedFile{AttachmentID: fmt.Sprint(100 + i), AttachmentType: "image", FileName: fmt.Sprintf("p%d.png", i), FileSize: int64(1000 * (i + 1))}
	}
	return out
}

// Several images are one queued message: the thread shows each with its
// name and size, the export row carries every attachment_id. More than
// 30, a non-image among them, or extra images after a non-image are
// refused.
func TestMultiImageInThreadAndExport(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, store.Event{Kind: store.EventMessage, PageID: page, PSID: "u1", MID: "m1", Text: "photos?", Time: at(0)})
	imgs := images(31)
	item, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), UploadedFile: imgs[0], Images: imgs[1:3]})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Message(ctx(), item.MessageID)
	if err != nil || len(m.Attachments) != 3 {
		t.Fatalf("message %+v %v", m, err)
	}
	if a := m.Attachments[2]; a.AttachmentID != "102" || a.Name != "p2.png" || a.Size != 3000 {
		t.Errorf("third image %+v", a)
	}
	pdf := store.UploadedFile{AttachmentID: "9", AttachmentType: "file"}
	for name, bad := range map[string]store.Send{
		"31 images":           {ConvKey: key("u1"), UploadedFile: imgs[0], Images: imgs[1:]},
		"a file among them":   {ConvKey: key("u1"), UploadedFile: imgs[0], Images: []store.UploadedFile{imgs[1], pdf}},
		"images after a file": {ConvKey: key("u1"), UploadedFile: pdf, Images: imgs[1:2]},
	} {
		if _, err := s.Enqueue(ctx(), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s queued: %v", name, err)
		}
	}
	var out bytes.Buffer
	if err := s.Export(ctx(), &out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"attachments":[{"type":"image","attachment_id":"100"},{"type":"image","attachment_id":"101"},{"type":"image","attachment_id":"102"}]`) {
		t.Errorf("export:\n%s", out.String())
	}
}

// FileSends keeps the order given: the text with the first send, the
// images together where the first stood (30 a message), other files alone.
func TestFileSends(t *testing.T) {
	imgs := images(32)
	pdf := store.UploadedFile{AttachmentID: "9", AttachmentType: "file"}
	files := append([]store.UploadedFile{pdf, imgs[0], pdf}, imgs[1:]...)
	sends := store.FileSends(store.Send{Text: "here", ReplyTo: "m1"}, files)
	var got []string
	for _, s := range sends {
		got = append(got, fmt.Sprintf("%s:%s+%d/%s", s.Text, s.AttachmentID, len(s.Images), s.ReplyTo))
	}
	if want := "[here:9+0/m1 :100+29/ :130+1/ :9+0/]"; fmt.Sprint(got) != want {
		t.Errorf("sends %v, want %s", got, want)
	}
}
