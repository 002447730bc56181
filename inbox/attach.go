package inbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// Attach uploads the file at path for pageID and returns what a Send or a
// Campaign carries to send it. On the data file an upload is made once
// per content while its id is fresh (store uploads bucket); through a
// daemon this process cannot read that bucket, so every call uploads.
func (o *Outbox) Attach(ctx context.Context, pageID, path string) (f store.UploadedFile, reused bool, err error) {
	if o.Graph == nil {
		return f, false, errors.New("sending a file needs the Page token: the upload goes from this process")
	}
	var kept fbgraph.UploadStore = noUploads{}
	if l, ok := o.Backend.(*Local); ok {
		kept = l.Store
	}
	u := &fbgraph.Uploader{Client: o.Graph, Store: kept, PageID: pageID}
	up, reused, err := u.Attach(ctx, path)
	if err != nil {
		return f, false, err
	}
	f = store.UploadedFile{AttachmentID: up.AttachmentID, AttachmentType: up.Type, FileName: filepath.Base(path)}
	if st, err := os.Stat(path); err == nil {
		f.FileSize = st.Size() // for its chip; the upload already read it
	}
	if f.AttachmentType == "audio" || f.AttachmentType == "video" {
		f.DurationMS = mp4Duration(path).Milliseconds()
	}
	return f, reused, nil
}

// noUploads keeps nothing: every Attach uploads.
type noUploads struct{}

func (noUploads) Upload(_ context.Context, pageID, sum string) (store.Upload, error) {
	return store.Upload{}, fmt.Errorf("upload %s: %w", sum, store.ErrNotFound)
}

func (noUploads) PutUpload(context.Context, store.Upload) error { return nil }
