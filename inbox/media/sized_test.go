package media

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A fetched preview knows its image's byte size, declared or (chunked,
// no Content-Length) counted; one read from the cache does not.
func TestPreviewKnowsTheFetchedSize(t *testing.T) {
	body := checkerPNG(t, 40, 30)
	chunked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(body[:10])
		w.(http.Flusher).Flush() // no Content-Length from here on
		w.Write(body[10:])
	}))
	t.Cleanup(chunked.Close)
	cache, err := NewCache(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Previewer{Fetcher: NewFetcher(FetchOptions{}), Cache: cache}
	for _, u := range []string{serveBytes(t, body, nil).URL + "/a.png", chunked.URL + "/b.png"} {
		img, err := p.Preview(context.Background(), u)
		s, ok := img.(Sized)
		if err != nil || !ok || s.ByteSize() != int64(len(body)) {
			t.Fatalf("%s: %T %v, want %d bytes", u, img, err, len(body))
		}
		if again, err := p.Preview(context.Background(), u); err != nil {
			t.Fatal(err)
		} else if _, sized := again.(Sized); sized {
			t.Errorf("%s: a cached preview claims a size", u)
		}
	}
}
