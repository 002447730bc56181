package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// clientChunk is the size of the chunks the client sends: small enough
// that other requests interleave, large enough that a 25 MB file is a
// hundred round trips.
const clientChunk = 256 << 10

// Upload sends the file's bytes to the daemon in chunks, in order, and
// the daemon uploads them to Meta with its Page token. Anything that
// fails aborts the upload, so the daemon removes what had arrived.
func (c *Client) Upload(ctx context.Context, f inbox.UploadRequest, r io.Reader, progress func(sent int64)) (store.UploadedFile, error) {
	begun, err := call(ctx, c, mUploadBegin, f)
	if err != nil {
		return store.UploadedFile{}, err
	}
	sum, err := c.sendChunks(ctx, begun, f.Size, r, progress)
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		call(actx, c, mUploadAbort, uploadParams{Upload: begun.Upload})
		return store.UploadedFile{}, err
	}
	return call(ctx, c, mUploadEnd, uploadParams{Upload: begun.Upload, SHA256: sum})
}

// sendChunks sends size bytes of r and returns their sha256.
func (c *Client) sendChunks(ctx context.Context, begun uploadBegun, size int64, r io.Reader, progress func(int64)) (string, error) {
	n := clientChunk
	if begun.MaxChunk > 0 && begun.MaxChunk < n {
		n = begun.MaxChunk
	}
	buf := make([]byte, n)
	h := sha256.New()
	var sent int64
	for sent < size {
		k, err := io.ReadFull(r, buf[:min(int64(n), size-sent)])
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return "", fmt.Errorf("upload: the file ended after %d of %d bytes", sent+int64(k), size)
			}
			return "", fmt.Errorf("upload: %w", err)
		}
		if _, err := call(ctx, c, mUploadChunk, uploadParams{Upload: begun.Upload, Offset: sent, Data: buf[:k]}); err != nil {
			return "", err
		}
		h.Write(buf[:k])
		sent += int64(k)
		if progress != nil {
			progress(sent)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
