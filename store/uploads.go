package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// UploadMaxAge is how long a reusable attachment id is used: Meta expires
// ids 90 days after the upload (PLATFORM-2.md §3); a day's margin keeps a
// campaign that starts on day 89 from running into the expiry.
const UploadMaxAge = 89 * 24 * time.Hour

// Upload is a file uploaded to Meta for a Page as a reusable attachment.
type Upload struct {
	PageID       string    `json:"page_id"`
	SHA256       string    `json:"sha256"` // hex of the file's bytes
	AttachmentID string    `json:"attachment_id"`
	Type         string    `json:"type"` // image, video, audio, file
	UploadedAt   time.Time `json:"uploaded_at"`
}

// Fresh reports whether the id may still be used at now.
func (u Upload) Fresh(now time.Time) bool {
	return u.AttachmentID != "" && now.Sub(u.UploadedAt) < UploadMaxAge
}

// Upload is the Page's upload of the file with this hash (ErrNotFound if
// none).
func (s *Store) Upload(ctx context.Context, pageID, sha256Hex string) (Upload, error) {
	var u Upload
	err := s.view(ctx, func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bUploads), nameKey(pageID, sha256Hex), &u)
		if err == nil && !found {
			err = fmt.Errorf("store: upload %s: %w", sha256Hex, ErrNotFound)
		}
		return err
	})
	return u, err
}

// PutUpload records an upload, replacing an older one of the same file.
func (s *Store) PutUpload(ctx context.Context, u Upload) error {
	if u.PageID == "" || u.SHA256 == "" || u.AttachmentID == "" {
		return invalidf("upload needs a page, a hash and an attachment id")
	}
	return s.write(ctx, 1, func(w *wtx) error {
		return putJSON(w.bucket(bUploads), nameKey(u.PageID, u.SHA256), u)
	})
}

// DropUpload forgets an upload whose id Meta refused, so the file is
// uploaded again.
func (s *Store) DropUpload(ctx context.Context, pageID, sha256Hex string) error {
	return s.write(ctx, 1, func(w *wtx) error {
		return w.bucket(bUploads).Delete(nameKey(pageID, sha256Hex))
	})
}
