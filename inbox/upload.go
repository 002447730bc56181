package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// UploadRequest is a file to upload for a Page: its name (the extension
// gives its MIME type, else its first bytes do) and its size, checked
// against Meta's limit before any byte moves.
type UploadRequest struct {
	PageID string `json:"page_id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	// SHA256 (hex), if set, is checked against the bytes received.
	SHA256 string `json:"sha256,omitempty"`
}

// UploadFunc uploads the file at path for pageID with the Page token, by
// an attachment id already stored for the same bytes while it is fresh
// (fbgraph.Uploader.Attach).
type UploadFunc func(ctx context.Context, pageID, path string) (store.Upload, bool, error)

// Upload spools r (f.Size bytes) to a file of its own under SpoolDir and
// uploads it from there: the Uploader hashes it for reuse and streams it
// to Meta. progress (may be nil) hears the bytes read from r.
func (b *Local) Upload(ctx context.Context, f UploadRequest, r io.Reader, progress func(sent int64)) (store.UploadedFile, error) {
	if b.Uploader == nil {
		return store.UploadedFile{}, ErrSendingOff
	}
	path, cleanup, err := Spool(b.SpoolDir, f, r, progress)
	if err != nil {
		return store.UploadedFile{}, err
	}
	defer cleanup()
	up, _, err := b.Uploader(ctx, f.PageID, path)
	if err != nil {
		return store.UploadedFile{}, err
	}
	// The name and size go with the send for its chip, as send --file's do.
	uf := store.UploadedFile{AttachmentID: up.AttachmentID, AttachmentType: up.Type,
		FileName: filepath.Base(filepath.Clean("/" + f.Name)), FileSize: f.Size}
	if uf.AttachmentType == "audio" || uf.AttachmentType == "video" {
		uf.DurationMS = mp4Duration(path).Milliseconds()
	}
	return uf, nil
}

// Spool copies exactly f.Size bytes of r into a new directory under dir
// ("": the system's), in a file named as f.Name's base (its extension
// gives the MIME type), checking the size limit first and f.SHA256 if
// set. cleanup removes the directory.
func Spool(dir string, f UploadRequest, r io.Reader, progress func(sent int64)) (path string, cleanup func(), err error) {
	name := UploadName(f.Name)
	if err := fbgraph.CheckUploadSize(name, f.Size); err != nil {
		return "", nil, fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	tmp, err := os.MkdirTemp(dir, "upload-")
	if err != nil {
		return "", nil, fmt.Errorf("upload %s: %w", name, err)
	}
	cleanup = func() { os.RemoveAll(tmp) }
	path = filepath.Join(tmp, name)
	if err := spoolTo(path, f, r, progress); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("upload %s: %w", name, err)
	}
	return path, cleanup, nil
}

func spoolTo(path string, f UploadRequest, r io.Reader, progress func(sent int64)) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	w := io.MultiWriter(out, h)
	if progress != nil {
		w = &progressWriter{w: w, report: progress}
	}
	n, err := io.Copy(w, io.LimitReader(r, f.Size+1))
	switch {
	case err != nil:
		return err
	case n != f.Size:
		return fmt.Errorf("%w: got %d bytes, the file said %d", store.ErrInvalid, n, f.Size)
	case f.SHA256 != "" && !strings.EqualFold(f.SHA256, hex.EncodeToString(h.Sum(nil))):
		return fmt.Errorf("%w: the bytes received do not match their sha256", store.ErrInvalid)
	}
	return out.Close()
}

// UploadName is the file name an upload keeps: the base of what the
// agent named, never a path.
func UploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == ".." || name == "" {
		return "file"
	}
	return name
}

// progressWriter reports the bytes written so far.
type progressWriter struct {
	w      io.Writer
	n      int64
	report func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	p.report(p.n)
	return n, err
}

// CheckUploadSize refuses a file Meta would refuse for its size, before
// any byte is read (fbgraph's limits): what the TUI checks on attaching.
func CheckUploadSize(name string, size int64) error { return fbgraph.CheckUploadSize(name, size) }

// FileKind is the Send API type a file goes as (image, video, audio,
// file), by its name's extension, else by its first bytes.
func FileKind(name string, head []byte) string {
	return fbgraph.AttachmentType(fbgraph.FileMIME(name, head))
}
