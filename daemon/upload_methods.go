package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// An attached client has no Page token, so a file it sends comes to the
// daemon in bounded chunks (upload_begin, upload_chunk in order,
// upload_end with the bytes' sha256), into a temporary file under the
// data dir, and goes to Meta from here. The file is removed when the
// upload ends, is aborted, or the connection goes.
const (
	// MaxUploadChunk bounds one upload_chunk's bytes (before base64).
	MaxUploadChunk = 1 << 20
	// maxUploadsInFlight bounds the uploads one connection has open.
	maxUploadsInFlight = 3
	// uploadEndTimeout bounds upload_end, which waits for Meta to take
	// up to 25 MB (other requests get 30 s).
	uploadEndTimeout = 5 * time.Minute
)

type (
	uploadParams struct {
		Upload uint64 `json:"upload,omitempty"`
		Offset int64  `json:"offset,omitempty"`
		Data   []byte `json:"data,omitempty"` // base64 on the wire
		SHA256 string `json:"sha256,omitempty"`
	}
	uploadBegun struct {
		Upload   uint64 `json:"upload"`
		MaxChunk int    `json:"max_chunk"`
	}
)

var (
	mUploadBegin = method[inbox.UploadRequest, uploadBegun]{"upload_begin", uploadBegin}
	mUploadChunk = method[uploadParams, ok]{"upload_chunk", uploadChunk}
	mUploadEnd   = method[uploadParams, store.UploadedFile]{"upload_end", uploadEnd}
	mUploadAbort = method[uploadParams, ok]{"upload_abort", uploadAbort}

	uploadMethods = []handler{mUploadBegin, mUploadChunk, mUploadEnd, mUploadAbort}
)

// uploads are one connection's uploads under way.
type uploads struct {
	dir  string
	mu   sync.Mutex
	next uint64
	open map[uint64]*upload
}

// upload is one file arriving.
type upload struct {
	mu       sync.Mutex
	req      inbox.UploadRequest
	file     *os.File
	received int64
	sum      hash.Hash
}

func newUploads(dir string) *uploads { return &uploads{dir: dir, open: map[uint64]*upload{}} }

type uploadsKey struct{}

func withUploads(ctx context.Context, u *uploads) context.Context {
	return context.WithValue(ctx, uploadsKey{}, u)
}

func uploadsOf(ctx context.Context) (*uploads, error) {
	u, _ := ctx.Value(uploadsKey{}).(*uploads)
	if u == nil {
		return nil, errors.Join(errBadRequest, errors.New("uploads need a /ws connection"))
	}
	return u, nil
}

func uploadBegin(_ inbox.Backend, ctx context.Context, req inbox.UploadRequest) (uploadBegun, error) {
	us, err := uploadsOf(ctx)
	if err != nil {
		return uploadBegun{}, err
	}
	if err := fbgraph.CheckUploadSize(inbox.UploadName(req.Name), req.Size); err != nil {
		return uploadBegun{}, fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	if len(us.open) >= maxUploadsInFlight {
		return uploadBegun{}, fmt.Errorf("%w: %d uploads are already under way on this connection", store.ErrInvalid, len(us.open))
	}
	f, err := os.CreateTemp(us.dir, "ws-upload-*")
	if err != nil {
		return uploadBegun{}, fmt.Errorf("upload: %w", err)
	}
	us.next++
	us.open[us.next] = &upload{req: req, file: f, sum: sha256.New()}
	return uploadBegun{Upload: us.next, MaxChunk: MaxUploadChunk}, nil
}

func uploadChunk(_ inbox.Backend, ctx context.Context, p uploadParams) (ok, error) {
	up, err := openUpload(ctx, p.Upload)
	if err != nil {
		return ok{}, err
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	switch {
	case len(p.Data) > MaxUploadChunk:
		return ok{}, fmt.Errorf("%w: a chunk carries at most %d bytes", store.ErrInvalid, MaxUploadChunk)
	case p.Offset != up.received:
		return ok{}, fmt.Errorf("%w: chunk at %d, expected %d", store.ErrInvalid, p.Offset, up.received)
	case up.received+int64(len(p.Data)) > up.req.Size:
		return ok{}, fmt.Errorf("%w: more bytes than the %d announced", store.ErrInvalid, up.req.Size)
	}
	if _, err := up.file.Write(p.Data); err != nil {
		return ok{}, fmt.Errorf("upload: %w", err)
	}
	up.sum.Write(p.Data)
	up.received += int64(len(p.Data))
	return ok{}, nil
}

// uploadEnd checks the bytes and hands them to the agent's Backend,
// which uploads them with the Page token (reusing an id it has for them).
func uploadEnd(b inbox.Backend, ctx context.Context, p uploadParams) (store.UploadedFile, error) {
	us, err := uploadsOf(ctx)
	if err != nil {
		return store.UploadedFile{}, err
	}
	up := us.take(p.Upload)
	if up == nil {
		return store.UploadedFile{}, fmt.Errorf("%w: no upload %d under way", store.ErrNotFound, p.Upload)
	}
	defer up.remove()
	up.mu.Lock()
	defer up.mu.Unlock()
	sum := hex.EncodeToString(up.sum.Sum(nil))
	switch {
	case up.received != up.req.Size:
		return store.UploadedFile{}, fmt.Errorf("%w: %d of %d bytes arrived", store.ErrInvalid, up.received, up.req.Size)
	case !strings.EqualFold(p.SHA256, sum):
		return store.UploadedFile{}, fmt.Errorf("%w: the bytes received do not match their sha256", store.ErrInvalid)
	}
	if _, err := up.file.Seek(0, 0); err != nil {
		return store.UploadedFile{}, fmt.Errorf("upload: %w", err)
	}
	req := up.req
	req.SHA256 = sum
	return b.Upload(ctx, req, up.file, nil)
}

func uploadAbort(_ inbox.Backend, ctx context.Context, p uploadParams) (ok, error) {
	us, err := uploadsOf(ctx)
	if err != nil {
		return ok{}, err
	}
	if up := us.take(p.Upload); up != nil {
		up.remove()
	}
	return ok{}, nil
}

func openUpload(ctx context.Context, id uint64) (*upload, error) {
	us, err := uploadsOf(ctx)
	if err != nil {
		return nil, err
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	up := us.open[id]
	if up == nil {
		return nil, fmt.Errorf("%w: no upload %d under way", store.ErrNotFound, id)
	}
	return up, nil
}

// take removes an upload from those under way and returns it.
func (us *uploads) take(id uint64) *upload {
	us.mu.Lock()
	defer us.mu.Unlock()
	up := us.open[id]
	delete(us.open, id)
	return up
}

// closeAll removes every file still arriving: the connection is gone.
func (us *uploads) closeAll() {
	us.mu.Lock()
	open := us.open
	us.open = map[uint64]*upload{}
	us.mu.Unlock()
	for _, up := range open {
		up.remove()
	}
}

func (up *upload) remove() {
	up.file.Close()
	os.Remove(up.file.Name())
}
