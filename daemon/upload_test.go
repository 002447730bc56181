package daemon_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// uploadRig is a daemon with the Page token (Meta played by the
// emulator) and an attached client without one.
type uploadRig struct {
	emu       *fbtest.Server
	client    *daemon.Client
	url       string // the daemon's /ws
	uploadDir string // the daemon's, for files arriving over /ws
	spoolDir  string // the inbox's, for files going to Meta
}

func newUploadRig(t testing.TB) *uploadRig {
	t.Helper()
	const token = "page-token-for-upload-tests"
	emu := fbtest.NewServer(fbtest.Config{PageToken: token})
	t.Cleanup(emu.Close)
	gc := fbgraph.New(fbgraph.Options{PageToken: token, BaseURL: emu.URL(), BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})
	st := openStore(t)
	r := &uploadRig{emu: emu, uploadDir: t.TempDir(), spoolDir: t.TempDir()}
	local := storeInbox(st)
	pages := fbgraph.NewPages()
	pages.Add("", gc) // the lone token serves the emulator's Page
	local.Uploader, local.SpoolDir = inbox.PagesUploads(pages, st), r.spoolDir
	srv := daemon.NewServer(local, apiToken, nil)
	srv.UploadDir = r.uploadDir
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { cancel(); hs.Close() })
	r.url = "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
	c, err := daemon.Dial(ctx, r.url, apiToken, store.Agent{ID: "t", Name: "tester"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r.client = c
	return r
}

// waitEmpty waits until dir holds nothing.
func waitEmpty(t *testing.T, dir, why string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left, err := os.ReadDir(dir)
		if err == nil && len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d files left in %s", why, len(left), dir)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func pngBytes(size int) []byte {
	b := make([]byte, size)
	copy(b, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for i := 16; i < size; i++ {
		b[i] = byte(i * 7)
	}
	return b
}

// A 3 MB picture from an attached client reaches Meta whole from the
// daemon: one multipart upload whose filedata part is image/png with the
// same bytes, the attachment id coming back to the client, progress
// rising to the size. The same bytes again go by the stored id (no second
// upload). Nothing is left in the temporary directories.
func TestUploadOverTheWireReachesMeta(t *testing.T) {
	r := newUploadRig(t)
	data := pngBytes(3 << 20)
	sum := sha256.Sum256(data)
	var progress []int64
	req := inbox.UploadRequest{PageID: pageID, Name: "size-chart.png", Size: int64(len(data))}
	f, err := r.client.Upload(context.Background(), req, bytes.NewReader(data), func(n int64) { progress = append(progress, n) })
	if err != nil {
		t.Fatal(err)
	}
	ups := r.emu.Uploads()
	if len(ups) != 1 {
		t.Fatalf("%d uploads reached Meta, want 1", len(ups))
	}
	got := ups[0]
	if got.ContentType != "image/png" || got.Type != "image" || got.Filename != "size-chart.png" ||
		got.Size != int64(len(data)) || got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Meta received %+v", got)
	}
	if f.AttachmentID != got.ID || f.AttachmentType != "image" {
		t.Errorf("client got %+v, Meta gave %s", f, got.ID)
	}
	if len(progress) < 2 || progress[len(progress)-1] != int64(len(data)) {
		t.Errorf("progress %v, want steps up to %d", progress, len(data))
	}
	again, err := r.client.Upload(context.Background(), req, bytes.NewReader(data), nil)
	if err != nil || again != f || len(r.emu.Uploads()) != 1 {
		t.Errorf("the same bytes again: %+v, %v; %d uploads (want the stored id, 1 upload)", again, err, len(r.emu.Uploads()))
	}
	waitEmpty(t, r.uploadDir, "after the upload")
	waitEmpty(t, r.spoolDir, "after the upload")
}

// failingReader gives n bytes, then fails: the agent's file went away.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk gone")
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

// An upload that fails on the client's side is aborted: the daemon
// removes what arrived and Meta never hears of it.
func TestAbortedUploadLeavesNoFile(t *testing.T) {
	r := newUploadRig(t)
	req := inbox.UploadRequest{PageID: pageID, Name: "invoice.pdf", Size: 2 << 20}
	_, err := r.client.Upload(context.Background(), req, &failingReader{n: 600 << 10}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("upload from a failing file: %v", err)
	}
	waitEmpty(t, r.uploadDir, "after the abort")
	if n := len(r.emu.Uploads()); n != 0 {
		t.Errorf("%d uploads reached Meta", n)
	}
	big := inbox.UploadRequest{PageID: pageID, Name: "film.mp4", Size: fbgraph.MaxUploadBytes + 1}
	if _, err := r.client.Upload(context.Background(), big, bytes.NewReader(nil), nil); !errors.Is(err, store.ErrInvalid) ||
		!strings.Contains(err.Error(), "25 MB") {
		t.Errorf("over 25 MB: %v, want refused before any byte", err)
	}
}

// blockingReader gives one chunk, then waits until released.
type blockingReader struct {
	first   bool
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if !b.first {
		b.first = true
		return len(p), nil
	}
	<-b.release
	return 0, io.ErrUnexpectedEOF
}

// The connection going away mid-upload removes the file arriving; a
// connection has at most three uploads open at once.
func TestUploadsEndWithTheConnection(t *testing.T) {
	r := newUploadRig(t)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := inbox.UploadRequest{PageID: pageID, Name: "part.bin", Size: 1 << 20}
			r.client.Upload(context.Background(), req, &blockingReader{release: release}, nil)
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		left, _ := os.ReadDir(r.uploadDir)
		if len(left) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d uploads began, want 3", len(left))
		}
		time.Sleep(5 * time.Millisecond)
	}
	fourth := inbox.UploadRequest{PageID: pageID, Name: "more.bin", Size: 10}
	if _, err := r.client.Upload(context.Background(), fourth, bytes.NewReader(make([]byte, 10)), nil); err == nil ||
		!strings.Contains(err.Error(), "already under way") {
		t.Errorf("a fourth upload at once: %v", err)
	}
	r.client.Close()
	waitEmpty(t, r.uploadDir, "after the connection closed")
	close(release)
	wg.Wait()
}

// upload_end checks what arrived against what the client says it sent:
// bytes whose sha256 differs, or fewer bytes than upload_begin announced,
// are refused as invalid, Meta never hears of them, and nothing is left.
// (The client always sends the right sum: this speaks the protocol bare.)
func TestUploadEndRefusesBytesThatDoNotMatch(t *testing.T) {
	r := newUploadRig(t)
	conn, _, err := websocket.DefaultDialer.Dial(r.url, http.Header{"Authorization": {"Bearer " + apiToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.WriteJSON(daemon.Frame{Type: "hello", Version: daemon.ProtocolVersion, Agent: &store.Agent{ID: "raw", Name: "raw"}})
	var id uint64
	call := func(method string, params any) daemon.Frame {
		t.Helper()
		id++
		raw, _ := json.Marshal(params)
		conn.WriteJSON(daemon.Frame{Type: "request", ID: id, Method: method, Params: raw})
		for {
			kind, msg, err := conn.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			var f daemon.Frame
			if kind == websocket.TextMessage && json.Unmarshal(msg, &f) == nil && f.ID == id {
				return f
			}
		}
	}
	data := []byte("%PDF-1.4 the invoice")
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	for _, tc := range []struct {
		name, sha, want string
		size            int64
	}{
		{"another file's sha256", sum([]byte("other bytes")), "do not match their sha256", int64(len(data))},
		{"fewer bytes than announced", sum(data), "bytes arrived", int64(len(data)) + 10},
	} {
		begin := call("upload_begin", inbox.UploadRequest{PageID: pageID, Name: "invoice.pdf", Size: tc.size})
		var begun struct {
			Upload uint64 `json:"upload"`
		}
		if begin.Error != nil || json.Unmarshal(begin.Result, &begun) != nil {
			t.Fatalf("%s: upload_begin: %+v", tc.name, begin)
		}
		if f := call("upload_chunk", map[string]any{"upload": begun.Upload, "data": data}); f.Error != nil {
			t.Fatalf("%s: upload_chunk: %+v", tc.name, f.Error)
		}
		end := call("upload_end", map[string]any{"upload": begun.Upload, "sha256": tc.sha})
		if end.Error == nil || end.Error.Code != "invalid" || !strings.Contains(end.Error.Message, tc.want) {
			t.Errorf("%s: upload_end answered %+v, want invalid: %s", tc.name, end, tc.want)
		}
	}
	waitEmpty(t, r.uploadDir, "after the refused uploads")
	if n := len(r.emu.Uploads()); n != 0 {
		t.Errorf("Meta got %d uploads of refused bytes", n)
	}
}
