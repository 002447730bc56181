package inboxtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// AcceptUploads is an inbox.UploadFunc standing in for Meta taking the
// file: the id is the bytes' hash, the type the file's.
func AcceptUploads(_ context.Context, pageID, path string) (store.Upload, bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return store.Upload{}, false, err
	}
	sum := sha256.Sum256(b)
	id := hex.EncodeToString(sum[:8])
	typ := fbgraph.AttachmentType(fbgraph.FileMIME(filepath.Base(path), b[:min(512, len(b))]))
	return store.Upload{PageID: pageID, SHA256: hex.EncodeToString(sum[:]), AttachmentID: id, Type: typ}, false, nil
}

var _ inbox.UploadFunc = AcceptUploads

// A file is uploaded (its type from its name and bytes, progress up to
// its size) and then sent by its attachment id alone, queued with it; a
// file over Meta's 25 MB is refused before its bytes are read.
func uploadThenSend(t *testing.T, w World) {
	ctx := context.Background()
	w.Receive(key("u1"), "send me the chart", w.Now.Add(-time.Hour))
	data := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 300<<10)...)
	var last int64
	f, err := w.Backend.Upload(ctx, inbox.UploadRequest{PageID: Page, Name: "chart.png", Size: int64(len(data))},
		bytes.NewReader(data), func(n int64) { last = n })
	if err != nil || f.AttachmentID == "" || f.AttachmentType != "image" {
		t.Fatalf("Upload = %+v, %v; want an image's attachment id", f, err)
	}
	if f.FileName != "chart.png" || f.FileSize != int64(len(data)) {
		t.Errorf("Upload = %+v; want the file's name and size for its chip", f)
	}
	if last != int64(len(data)) {
		t.Errorf("progress ended at %d of %d", last, len(data))
	}
	item, err := w.Backend.Send(ctx, store.Send{ConvKey: key("u1"), MessagingType: store.Response, UploadedFile: f})
	if err != nil || item.State != store.OutboxQueued || item.UploadedFile != f {
		t.Errorf("send by attachment id: %+v, %v", item, err)
	}
	big := inbox.UploadRequest{PageID: Page, Name: "film.mp4", Size: fbgraph.MaxUploadBytes + 1}
	unread := &countingReader{}
	if _, err := w.Backend.Upload(ctx, big, unread, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a file over 25 MB: %v, want ErrInvalid", err)
	}
	if unread.n != 0 {
		t.Errorf("%d bytes of a refused file were read", unread.n)
	}
}

// countingReader is an endless file that counts what was read of it.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Reader = (*countingReader)(nil)
