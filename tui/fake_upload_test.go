package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// fakeUpload is a file the fake took: what it was told and the bytes.
type fakeUpload struct {
	Req   inbox.UploadRequest
	Bytes []byte
}

// Upload reads the bytes as the daemon would (refusing what Meta would
// refuse, checking the size said), reporting progress every 64 KB, and
// answers an attachment id of its own.
func (f *fakeBackend) Upload(ctx context.Context, req inbox.UploadRequest, r io.Reader, progress func(int64)) (store.UploadedFile, error) {
	f.mu.Lock()
	err := f.begin(ctx, "Upload")
	f.mu.Unlock()
	if err != nil {
		return store.UploadedFile{}, err
	}
	if err := inbox.CheckUploadSize(req.Name, req.Size); err != nil {
		return store.UploadedFile{}, fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	var buf bytes.Buffer
	chunk := make([]byte, 64<<10)
	for {
		n, err := r.Read(chunk)
		buf.Write(chunk[:n])
		if n > 0 && progress != nil {
			progress(int64(buf.Len()))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return store.UploadedFile{}, err
		}
	}
	if int64(buf.Len()) != req.Size {
		return store.UploadedFile{}, fmt.Errorf("%w: got %d bytes, the file said %d", store.ErrInvalid, buf.Len(), req.Size)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploaded = append(f.uploaded, fakeUpload{Req: req, Bytes: buf.Bytes()})
	head := buf.Bytes()[:min(512, buf.Len())]
	return store.UploadedFile{AttachmentID: fmt.Sprintf("att-%d", len(f.uploaded)),
		AttachmentType: inbox.FileKind(req.Name, head), FileName: req.Name, FileSize: req.Size}, nil
}

func (f *fakeBackend) uploads() []fakeUpload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.uploaded)
}
