package store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// An upload is kept per Page and content, survives a reopen, and is
// fresh for 89 days only; a refused id can be dropped.
func TestUploadsKeptPerPageAndContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox.db")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	st, err := store.Open(path, store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	up := store.Upload{PageID: "p1", SHA256: "abc", AttachmentID: "777", Type: "image", UploadedAt: now}
	if err := st.PutUpload(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := st.PutUpload(ctx, store.Upload{PageID: "p1", SHA256: "abc"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an upload without an id: %v", err)
	}
	st.Close()
	if st, err = store.Open(path, store.Options{}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Upload(ctx, "p1", "abc")
	if err != nil || got != up {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	if _, err := st.Upload(ctx, "p2", "abc"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another Page's upload: %v", err)
	}
	if !got.Fresh(now.Add(88*24*time.Hour)) || got.Fresh(now.Add(89*24*time.Hour)) {
		t.Error("freshness is not 89 days")
	}
	if err := st.DropUpload(ctx, "p1", "abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Upload(ctx, "p1", "abc"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after drop: %v", err)
	}
}

// A file sent by attachment_id shows in its thread and in the export
// under that id.
func TestUploadedFileInThreadAndExport(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, store.Event{Kind: store.EventMessage, PageID: page, PSID: "u1", MID: "m1", Text: "invoice?", Time: at(0)})
	f := store.UploadedFile{AttachmentID: "1857777774821032", AttachmentType: "file"}
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), UploadedFile: f}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []store.UploadedFile{{AttachmentType: "file"}, {AttachmentID: "1", AttachmentType: "sticker"}} {
		if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), UploadedFile: bad}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%+v queued: %v", bad, err)
		}
	}
	if _, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), ImageURL: "https://x.example/a.png", UploadedFile: f}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an image URL and a file in one message: %v", err)
	}
	var out bytes.Buffer
	if err := s.Export(ctx(), &out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"attachments":[{"type":"file","attachment_id":"1857777774821032"}]`) {
		t.Errorf("export:\n%s", out.String())
	}
}
