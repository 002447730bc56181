package fbgraph_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

// writeFile writes a file of size bytes starting with head.
func writeFile(t testing.TB, name string, head []byte, size int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	b := make([]byte, size)
	copy(b, head)
	for i := len(head); i < size; i++ {
		b[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

// The upload is multipart with a message part and a filedata part whose
// Content-Type is the file's own, by extension or sniffed; the type
// follows the MIME type.
func TestUploadFileMultipartShape(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name         string
		head         []byte
		mime, typ    string
		wantFilename string
	}{
		{"chart.png", pngHead, "image/png", "image", "chart.png"},
		{"note.mp3", []byte("ID3"), "audio/mpeg", "audio", "note.mp3"},
		{"clip.mp4", nil, "video/mp4", "video", "clip.mp4"},
		{"invoice", []byte("%PDF-1.4\n"), "application/pdf", "file", "invoice"}, // no extension: sniffed
	} {
		path := writeFile(t, tc.name, tc.head, 4096)
		up, err := f.c.UploadFile(context.Background(), path)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		ups := f.srv.Uploads()
		got := ups[len(ups)-1]
		if up.AttachmentID == "" || got.ID != up.AttachmentID || up.Type != tc.typ || up.MIME != tc.mime || up.Size != 4096 {
			t.Errorf("%s: client says %+v, emulator %+v", tc.name, up, got)
		}
		if got.Type != tc.typ || got.ContentType != tc.mime || got.Filename != tc.wantFilename || got.Size != 4096 {
			t.Errorf("%s: emulator received %+v", tc.name, got)
		}
	}
	for _, r := range f.srv.Requests() {
		if !strings.HasSuffix(r.Path, "/me/message_attachments") || !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data; boundary=") {
			t.Errorf("request %s %s content-type %q", r.Method, r.Path, r.Header.Get("Content-Type"))
		}
		if strings.Contains(r.RawQuery, token) {
			t.Errorf("the token is in the URL: %s", r.RawQuery)
		}
	}
}

// Too big or empty: refused with a clear error before any byte is sent.
func TestUploadFileSizeCheckedFirst(t *testing.T) {
	f := newFixture(t)
	big := filepath.Join(t.TempDir(), "big.mp4")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, fbgraph.MaxUploadBytes+1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.UploadFile(context.Background(), big); err == nil || !strings.Contains(err.Error(), "over Messenger's 25 MB limit") {
		t.Errorf("26 MB file: %v", err)
	}
	empty := writeFile(t, "empty.png", nil, 0)
	if _, err := f.c.UploadFile(context.Background(), empty); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := f.c.UploadFile(context.Background(), filepath.Join(t.TempDir(), "missing.png")); err == nil {
		t.Error("a missing file uploaded")
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Meta", n)
	}
}

// A send by attachment_id goes with payload.attachment_id only; an id
// Meta expired is refused (100/2018074).
func TestSendByAttachmentID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	up, err := f.c.UploadFile(ctx, writeFile(t, "size-chart.png", pngHead, 2048))
	if err != nil {
		t.Fatal(err)
	}
	m := fbgraph.Message{PSID: "u1", MessagingType: fbgraph.Response, Attachment: &fbgraph.Attachment{Type: up.Type, ID: up.AttachmentID}}
	if _, err := f.c.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	sent := f.srv.Sent()
	if len(sent) != 1 || sent[0].AttachmentID != up.AttachmentID || sent[0].AttachmentType != "image" {
		t.Fatalf("sent %+v", sent)
	}
	reqs := f.srv.Requests()
	if body := reqs[len(reqs)-1].Body; !bytes.Contains(body, []byte(`"payload":{"attachment_id":"`+up.AttachmentID+`"}`)) {
		t.Errorf("send body %s", body)
	}
	f.srv.ExpireAttachments()
	_, err = f.c.Send(ctx, m)
	var ge *fbgraph.Error
	if !errors.As(err, &ge) || ge.Code != 100 || ge.Subcode != 2018074 {
		t.Fatalf("send by an expired id: %v", err)
	}
	bad := m
	bad.Attachment = &fbgraph.Attachment{Type: "image", ID: "1", URL: "https://x.example/a.png"}
	if _, err := f.c.Send(ctx, bad); err == nil {
		t.Error("an attachment with both a URL and an id was sent")
	}
}

// The same file again goes by its stored id: no second upload. After
// Meta's 90 days it is uploaded again, and the new id works.
func TestUploaderReusesThenReuploadsAfterExpiry(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	ctx := context.Background()
	u := &fbgraph.Uploader{Client: w.client(fbgraph.Options{}), Store: w.st, PageID: w.page, Now: w.clock.Now}
	path := writeFile(t, "invoice.pdf", []byte("%PDF-1.4\n"), 10000)
	first, reused, err := u.Attach(ctx, path)
	if err != nil || reused || first.Type != "file" {
		t.Fatalf("first attach: %+v reused=%v %v", first, reused, err)
	}
	again, reused, err := u.Attach(ctx, path)
	if err != nil || !reused || again.AttachmentID != first.AttachmentID {
		t.Fatalf("second attach: %+v reused=%v %v", again, reused, err)
	}
	if n := len(w.srv.Uploads()); n != 1 {
		t.Fatalf("%d uploads of one file, want 1", n)
	}
	w.clock.Advance(90 * 24 * time.Hour)
	w.srv.ExpireAttachments()
	w.srv.Inbound(w.psids[0], w.clock.Now().Add(-time.Minute))
	fresh, reused, err := u.Attach(ctx, path)
	if err != nil || reused || fresh.AttachmentID == first.AttachmentID {
		t.Fatalf("after 90 days: %+v reused=%v %v", fresh, reused, err)
	}
	if n := len(w.srv.Uploads()); n != 2 {
		t.Fatalf("%d uploads after expiry, want 2", n)
	}
	m := fbgraph.Message{PSID: w.psids[0], MessagingType: fbgraph.Response, Attachment: &fbgraph.Attachment{Type: "file", ID: fresh.AttachmentID}}
	if _, err := w.client(fbgraph.Options{}).Send(ctx, m); err != nil {
		t.Fatalf("send by the new id: %v", err)
	}
}

// BenchmarkUpload20MB streams a 20 MB file to the emulator (which counts
// the bytes without keeping them). B/op is the whole process's
// allocation per upload, client and emulator: well under 20 MB means
// the file never sits in memory whole.
func BenchmarkUpload20MB(b *testing.B) {
	f := newFixture(b)
	path := writeFile(b, "video.mp4", nil, 20<<20)
	ctx := context.Background()
	b.SetBytes(20 << 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.c.UploadFile(ctx, path); err != nil {
			b.Fatal(err)
		}
	}
	if got := f.srv.Uploads(); len(got) == 0 || got[0].Size != 20<<20 {
		b.Fatalf("the emulator received %+v", got)
	}
}

// An upload Meta fails transiently goes again, from the file's first
// byte, and the id of the attempt that worked comes back.
func TestUploadFileRetriedAfterTransientFailure(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, fh, err := r.FormFile("filedata")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":{"message":"An unexpected error has occurred.","code":2,"is_transient":true}}`)
			return
		}
		fmt.Fprintf(w, `{"attachment_id":"id-%d"}`, fh.Size)
	}))
	t.Cleanup(srv.Close)
	c := fbgraph.New(fbgraph.Options{BaseURL: srv.URL, PageToken: "tok", BaseDelay: time.Millisecond})
	up, err := c.UploadFile(context.Background(), writeFile(t, "size-chart.png", pngHead, 2048))
	if err != nil {
		t.Fatal(err)
	}
	if up.AttachmentID != "id-2048" || calls.Load() != 2 {
		t.Errorf("attachment %q after %d calls, want id-2048 after 2", up.AttachmentID, calls.Load())
	}
}
