package fbtest

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// maxUpload is Meta's limit for every attachment type (PLATFORM-2.md §3).
const maxUpload = 25 << 20

// Upload is one accepted Attachment Upload API call.
type Upload struct {
	ID          string // the attachment_id returned
	Type        string // message.attachment.type
	ContentType string // the filedata part's own Content-Type
	Filename    string
	Size        int64  // bytes of filedata
	SHA256      string // of filedata (hex): tests check the bytes arrived whole
}

// Uploads lists every accepted upload, in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.uploads)
}

// ExpireAttachments forgets every reusable attachment id, as Meta does
// 90 days after an upload: a send by one of them is then refused
// (100/2018074) and the file must be uploaded again.
func (s *Server) ExpireAttachments() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.attachments)
}

// isStreamUpload: a multipart upload is read as a stream, never held in
// memory whole, so a benchmark of the client measures the client.
func isStreamUpload(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && ct == "multipart/form-data" &&
		strings.HasSuffix(strings.TrimRight(r.URL.Path, "/"), "/message_attachments")
}

// readStreamUpload reads a multipart upload's fields into c.p and counts
// the filedata part's bytes. Meta's answers: no file or a file with no
// filename 100/2018005, over 25 MB 100/2018109.
func readStreamUpload(c *call) *apiError {
	mr, err := c.r.MultipartReader()
	if err != nil {
		return invalid("Invalid multipart body")
	}
	files := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return invalid("Invalid multipart body")
		}
		if part.FormName() != "filedata" {
			b, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				return invalid("Invalid multipart body")
			}
			c.p[part.FormName()] = string(b)
			continue
		}
		files++
		up := &Upload{Filename: part.FileName(), ContentType: part.Header.Get("Content-Type")}
		h := sha256.New()
		if up.Size, err = io.Copy(h, io.LimitReader(part, maxUpload+1)); err != nil {
			return invalid("Invalid multipart body")
		}
		up.SHA256 = hex.EncodeToString(h.Sum(nil))
		c.upload = up
	}
	switch {
	case files != 1 || c.upload.Filename == "":
		return errf(http.StatusBadRequest, 100, 2018005, "(#100) Incorrect number of files uploaded. Must upload exactly one file.")
	case c.upload.Size > maxUpload:
		return errf(http.StatusBadRequest, 100, 2018109, "(#100) Attachment size exceeds allowable limit")
	}
	c.hasFile = true
	return nil
}

// serveStreamUpload answers a multipart upload; the request is logged
// without its body.
func (s *Server) serveStreamUpload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), At: s.cfg.Now()})
	s.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.requests[idx].Status = rec.status
		s.mu.Unlock()
	}()
	c, perr := parseCall(r, nil)
	if perr == nil {
		perr = readStreamUpload(c)
	}
	if perr == nil {
		perr = s.auth(c)
	}
	if perr != nil {
		s.writeError(rec, perr)
		return
	}
	s.route(rec, c)
}

// checkFileType refuses a file part whose Content-Type does not match the
// attachment type, as Meta does (2018047; Go's CreateFormFile default
// application/octet-stream is the usual cause).
func checkFileType(up *Upload, typ string) *apiError {
	major, _, _ := strings.Cut(up.ContentType, "/")
	ok := up.ContentType != "" && up.ContentType != "application/octet-stream"
	if typ != "file" {
		ok = major == typ
	}
	if !ok {
		return errf(http.StatusBadRequest, 100, 2018047, "(#100) Upload attachment failure.")
	}
	return nil
}
