package fbgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Meta's attachment limits (PLATFORM-2.md §3): 25 MB for every type after
// encoding; images sent by URL 8 MB.
const (
	MaxUploadBytes   = 25 << 20
	MaxImageURLBytes = 8 << 20
)

// Upload is a file uploaded with the Attachment Upload API.
type Upload struct {
	AttachmentID string `json:"attachment_id"`
	Type         string `json:"type"` // image, video, audio, file
	MIME         string `json:"mime"`
	Size         int64  `json:"size"`
}

// AttachmentType is the Send API attachment type of a MIME type.
func AttachmentType(mimeType string) string {
	major, _, _ := strings.Cut(mimeType, "/")
	switch major {
	case "image", "video", "audio":
		return major
	}
	return "file"
}

// FileMIME is a file's MIME type: by extension, else sniffed from its
// first bytes (http.DetectContentType).
func FileMIME(name string, head []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return http.DetectContentType(head)
}

// CheckUploadSize refuses a file Meta would refuse, before any byte goes.
func CheckUploadSize(name string, size int64) error {
	switch {
	case size <= 0:
		return fmt.Errorf("upload %s: the file is empty", filepath.Base(name))
	case size > MaxUploadBytes:
		return fmt.Errorf("upload %s: %.1f MB is over Messenger's 25 MB limit", filepath.Base(name), float64(size)/(1<<20))
	}
	return nil
}

// UploadFile uploads the file at path as a reusable attachment and returns
// its attachment_id. The file is streamed (never held in memory whole);
// the filedata part carries the file's own MIME type, which Meta checks
// against the attachment type (2018047 otherwise).
func (c *Client) UploadFile(ctx context.Context, path string) (Upload, error) {
	var up Upload
	f, size, err := openUpload(path)
	if err != nil {
		return up, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	up.MIME = FileMIME(path, head[:n])
	up.Type, up.Size = AttachmentType(up.MIME), size
	// Uploading again is harmless (another id for the same bytes), so an
	// upload that may have arrived is retried too.
	err = c.retry(ctx, "upload", true, func() error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		var err error
		up.AttachmentID, err = c.uploadOnce(ctx, f, filepath.Base(path), up.MIME, up.Type)
		return err
	})
	return up, err
}

// openUpload opens the file at path for an upload, with its size,
// refusing one Meta would refuse before any byte goes.
func openUpload(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("upload: %w", err)
	}
	size, err := uploadSize(f, path)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, size, nil
}

func uploadSize(f *os.File, path string) (int64, error) {
	st, err := f.Stat()
	switch {
	case err != nil:
		return 0, fmt.Errorf("upload: %w", err)
	case !st.Mode().IsRegular():
		return 0, fmt.Errorf("upload %s: not a regular file", filepath.Base(path))
	}
	return st.Size(), CheckUploadSize(path, st.Size())
}

// uploadOnce posts one multipart upload: a message part with the
// attachment's type, and the filedata part written through a pipe.
func (c *Client) uploadOnce(ctx context.Context, r io.Reader, name, mimeType, typ string) (string, error) {
	const op = "upload"
	message, _ := json.Marshal(map[string]any{"attachment": map[string]any{"type": typ, "payload": map[string]any{"is_reusable": true}}})
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() { pw.CloseWithError(writeUpload(mw, message, r, name, mimeType)) }()
	defer pr.Close()
	u := c.base + "/" + c.version + "/me/message_attachments"
	if c.proof != "" {
		u += "?" + url.Values{"appsecret_proof": {c.proof}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, pr)
	if err != nil {
		return "", fmt.Errorf("graph %s: %w", op, redactErr(err))
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct {
		AttachmentID string `json:"attachment_id"`
	}
	if err := c.answer(ctx, op, req, &out, ""); err != nil {
		return "", err
	}
	if out.AttachmentID == "" {
		return "", &Error{Class: ClassUnknown, HTTPStatus: http.StatusOK, Op: op, Err: errors.New("answer has no attachment_id")}
	}
	return out.AttachmentID, nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

// writeUpload writes the multipart body. The filedata part is made with
// CreatePart, not CreateFormFile, whose application/octet-stream Meta
// refuses (PLATFORM-2.md §3, maciekmm#36).
func writeUpload(mw *multipart.Writer, message []byte, r io.Reader, name, mimeType string) error {
	if err := mw.WriteField("message", string(message)); err != nil {
		return err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="filedata"; filename="%s"`, quoteEscaper.Replace(name)))
	h.Set("Content-Type", mimeType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return err
	}
	return mw.Close()
}
