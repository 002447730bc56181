package daemon

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// slowExport writes chunks with pauses: an export longer than the API
// server's write timeout.
type slowExport struct {
	chunks int
	pause  time.Duration
}

func (s slowExport) Export(ctx context.Context, w io.Writer, _ bool) error {
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for i := 0; i < s.chunks; i++ {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
		time.Sleep(s.pause)
	}
	return nil
}

// An export through the daemon's streamWriter that takes longer than the
// server's WriteTimeout is not cut (here 200 ms, against 600 ms of
// streaming); the same stream without the per-write deadline is, which
// shows the timeout bites.
func TestExportOutlivesTheWriteTimeout(t *testing.T) {
	exp := slowExport{chunks: 20, pause: 30 * time.Millisecond}
	want := 20 * 32 << 10
	serve := func(h http.Handler) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: h, WriteTimeout: 200 * time.Millisecond}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return "http://" + ln.Addr().String()
	}
	get := func(base string) (int, error) {
		req, _ := http.NewRequest(http.MethodGet, base+"/export", nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		return int(n), err
	}
	streamed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { exp.Export(r.Context(), newStreamWriter(w), false) })
	if n, err := get(serve(streamed)); err != nil || n != want {
		t.Errorf("export through the handler: %d of %d bytes, %v", n, want, err)
	}
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { exp.Export(r.Context(), w, false) })
	if n, err := get(serve(plain)); err == nil && n == want {
		t.Error("the control stream was not cut: the test's timeout does not bite")
	}
}
