package media

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestFetchDecodesPNG(t *testing.T) {
	srv := serveBytes(t, checkerPNG(t, 8, 6), nil)
	img, err := Fetch(context.Background(), srv.URL+"/a.png")
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 8 || b.Dy() != 6 {
		t.Fatalf("bounds %v, want 8x6", b)
	}
}

func TestFetchRefusesDecompressionBomb(t *testing.T) {
	srv := serveBytes(t, bombPNG(20000, 20000), nil)
	_, err := Fetch(context.Background(), srv.URL)
	if !errors.Is(err, ErrDimensions) {
		t.Fatalf("err = %v, want ErrDimensions", err)
	}
}

func TestFetchRefusesDeclaredOversizeBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(DefaultMaxBytes+1))
		w.Write(oversizeHead(1)) // the rest never comes: the length alone refuses it
	}))
	t.Cleanup(srv.Close)
	_, err := Fetch(context.Background(), srv.URL)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestFetchCutsOffUndeclaredOversizeBody(t *testing.T) {
	const size = 20 << 20
	srv := serveEndless(t, oversizeHead(size), size)
	_, err := Fetch(context.Background(), srv.URL)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestFetchRefusesNonImage(t *testing.T) {
	srv := serveBytes(t, []byte("<html>not a picture</html>"), nil)
	_, err := Fetch(context.Background(), srv.URL)
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
}

func TestFetchRefusesOtherSchemes(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "ftp://127.0.0.1/x.png", "data:image/png;base64,AAAA"} {
		if _, err := Fetch(context.Background(), u); !errors.Is(err, ErrScheme) {
			t.Errorf("%s: err = %v, want ErrScheme", u, err)
		}
	}
	srv := httptest.NewServer(http.RedirectHandler("file:///etc/passwd", http.StatusFound))
	t.Cleanup(srv.Close)
	if _, err := Fetch(context.Background(), srv.URL); !errors.Is(err, ErrScheme) {
		t.Errorf("redirect to file: err = %v, want ErrScheme", err)
	}
}

func TestFetchGivesUpAfterTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; the client's timeout ends it
	}))
	t.Cleanup(srv.Close)
	f := NewFetcher(FetchOptions{Timeout: 50 * time.Millisecond})
	_, err := f.Fetch(context.Background(), srv.URL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func TestFetchRefusesHTTPError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	if _, err := Fetch(context.Background(), srv.URL); err == nil {
		t.Fatal("a 404 was accepted")
	}
}

// The bomb claims 20000×20000 RGBA, 1.6 GB decoded; B/op shows what a
// refusal costs instead.
func BenchmarkFetchRefusesBomb(b *testing.B) {
	srv := serveBytes(b, bombPNG(20000, 20000), nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fetch(context.Background(), srv.URL); !errors.Is(err, ErrDimensions) {
			b.Fatal(err)
		}
	}
}

// A 20 MB body without a Content-Length: B/op shows it is streamed to the
// 8 MB cut-off, not buffered.
func BenchmarkFetchRefusesOversizeBody(b *testing.B) {
	const size = 20 << 20
	srv := serveEndless(b, oversizeHead(size), size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fetch(context.Background(), srv.URL); !errors.Is(err, ErrTooLarge) {
			b.Fatal(err)
		}
	}
}
