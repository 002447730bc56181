package fbgraph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// UploadStore keeps the Page's reusable attachment ids (store.Store).
type UploadStore interface {
	Upload(ctx context.Context, pageID, sha256Hex string) (store.Upload, error)
	PutUpload(ctx context.Context, u store.Upload) error
}

// Uploader uploads a file once per Page and content: the same bytes sent
// again go by the attachment_id already stored, until it is too old
// (store.UploadMaxAge) and the file is uploaded again.
type Uploader struct {
	Client *Client
	Store  UploadStore
	PageID string
	Now    func() time.Time // default time.Now
}

// Attach returns a fresh attachment id for the file at path, uploading it
// only if none is stored; reused says no upload was made.
func (u *Uploader) Attach(ctx context.Context, path string) (up store.Upload, reused bool, err error) {
	now := time.Now
	if u.Now != nil {
		now = u.Now
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return up, false, err
	}
	up, err = u.Store.Upload(ctx, u.PageID, sum)
	switch {
	case err == nil && up.Fresh(now()):
		return up, true, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return up, false, err
	}
	res, err := u.Client.UploadFile(ctx, path)
	if err != nil {
		return up, false, err
	}
	up = store.Upload{PageID: u.PageID, SHA256: sum, AttachmentID: res.AttachmentID, Type: res.Type, UploadedAt: now()}
	if err := u.Store.PutUpload(ctx, up); err != nil {
		// The upload worked; only its reuse is lost.
		return up, false, fmt.Errorf("upload %s: recording the attachment id: %w", path, err)
	}
	return up, false, nil
}

// fileSHA256 hashes a file as a stream, after checking its size.
func fileSHA256(path string) (string, error) {
	f, _, err := openUpload(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
