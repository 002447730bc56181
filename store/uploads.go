package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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

// ForgetAttachment drops the Page's upload whose id Meta refused
// (expired early, or not this Page's), so its file is uploaded again.
func (s *Store) ForgetAttachment(ctx context.Context, pageID, attachmentID string) error {
	return s.write(ctx, 1, func(w *wtx) error {
		var stale [][]byte
		b := w.bucket(bUploads)
		err := eachNamed(b, pageID, func(v []byte) error {
			var u Upload
			if json.Unmarshal(v, &u) == nil && u.AttachmentID == attachmentID {
				stale = append(stale, nameKey(u.PageID, u.SHA256))
			}
			return nil
		})
		for _, k := range stale {
			if err == nil {
				err = b.Delete(k)
			}
		}
		return err
	})
}

// UploadedFile is a file sent by the attachment_id of its upload
// (fbgraph.Uploader), after the text if there is one.
type UploadedFile struct {
	AttachmentID   string `json:"attachment_id,omitempty"`
	AttachmentType string `json:"attachment_type,omitempty"` // image, video, audio, file
	// FileName and FileSize describe the file uploaded (its chip shows
	// them); Meta's echoes carry neither.
	FileName string `json:"file_name,omitempty"`
	FileSize int64  `json:"file_size,omitempty"`
	// DurationMS: an audio or video file's length, when its header says
	// (MP4/M4A); 0 when unknown.
	DurationMS int64 `json:"duration_ms,omitempty"`
}

// IsAudioVisual: Meta allows audio and video sends 10 a second per Page.
func (f UploadedFile) IsAudioVisual() bool {
	return f.AttachmentType == "audio" || f.AttachmentType == "video"
}

// MaxImagesPerMessage: Meta takes at most 30 images in one message
// (message.attachments, since 19 Mar 2025).
const MaxImagesPerMessage = 30

// checkImages refuses extra images the multi-image message cannot carry:
// they follow an uploaded image, are images themselves, at most 30 in all.
func checkImages(first UploadedFile, images []UploadedFile) error {
	if len(images) == 0 {
		return nil
	}
	if first.AttachmentType != "image" {
		return invalidf("several files go in one message only when all are images")
	}
	if n := 1 + len(images); n > MaxImagesPerMessage {
		return invalidf("%d images; Messenger takes at most %d in one message", n, MaxImagesPerMessage)
	}
	for _, f := range images {
		if f.AttachmentType != "image" || f.AttachmentID == "" {
			return invalidf("several files go in one message only when all are uploaded images")
		}
	}
	return nil
}

// attachment is how an uploaded file shows in its thread.
func (f UploadedFile) attachment() Attachment {
	return Attachment{Type: f.AttachmentType, AttachmentID: f.AttachmentID, Name: f.FileName, Size: f.FileSize, DurationMS: f.DurationMS}
}

// checkContent refuses a message the Send API would refuse: text, an
// image URL, or an uploaded file (with or without text).
func checkContent(text, imageURL string, f UploadedFile) error {
	if f == (UploadedFile{}) {
		return CheckText(text, imageURL)
	}
	switch {
	case f.AttachmentID == "":
		return invalidf("uploaded file without an attachment id")
	case imageURL != "":
		return invalidf("an image URL and an uploaded file go in separate messages")
	}
	switch f.AttachmentType {
	case "image", "video", "audio", "file":
	default:
		return invalidf("attachment type %q", f.AttachmentType)
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return CheckText(text, "")
}

// FileSends are the sends of a reply with files, in the order given:
// the text goes with the first send; the images go together, several to a
// message (at most MaxImagesPerMessage) where the first image stood, and
// every other file alone.
func FileSends(base Send, files []UploadedFile) []Send {
	var groups [][]UploadedFile
	imagesAt := -1
	for _, f := range files {
		switch {
		case f.AttachmentType != "image":
			groups = append(groups, []UploadedFile{f})
		case imagesAt < 0:
			imagesAt = len(groups)
			groups = append(groups, []UploadedFile{f})
		default:
			groups[imagesAt] = append(groups[imagesAt], f)
		}
	}
	var out []Send
	for i, g := range groups {
		for len(g) > 0 {
			n := 1
			if i == imagesAt {
				n = min(len(g), MaxImagesPerMessage)
			}
			s := base
			if len(out) > 0 {
				s.Text, s.ImageURL, s.ReplyTo = "", "", ""
			}
			s.UploadedFile, s.Images = g[0], nil
			if n > 1 {
				s.Images = slices.Clone(g[1:n])
			}
			out = append(out, s)
			g = g[n:]
		}
	}
	return out
}
