package media

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// tickClock returns a clock that moves one second per call, so recency
// order never depends on the file system's timestamp resolution.
func tickClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func solid(c color.NRGBA) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.SetNRGBA(i%4, i/4, c)
	}
	return img
}

func cacheSize(t *testing.T, dir string) (n int, total int64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += info.Size()
	}
	return len(files), total
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	probe, err := NewCache(t.TempDir(), 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	probe.Put("x", solid(color.NRGBA{1, 2, 3, 255}))
	_, one := cacheSize(t, probe.dir) // every solid 4×4 encodes to the same size
	budget := 2*one + one/2           // room for two entries, not three

	c, err := NewCache(dir, budget, tickClock())
	if err != nil {
		t.Fatal(err)
	}
	must(t, c.Put("a", solid(color.NRGBA{255, 0, 0, 255})))
	must(t, c.Put("b", solid(color.NRGBA{0, 255, 0, 255})))
	if _, ok := c.Get("a"); !ok { // a is now more recent than b
		t.Fatal("a missing before any eviction")
	}
	must(t, c.Put("c", solid(color.NRGBA{0, 0, 255, 255})))

	if _, ok := c.Get("b"); ok {
		t.Error("b, the least recently used, survived")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	if n, total := cacheSize(t, dir); n != 2 || total > budget {
		t.Errorf("cache holds %d files, %d bytes; want 2 within %d", n, total, budget)
	}
}

func TestCacheRoundTripsPixels(t *testing.T) {
	c, err := NewCache(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := color.NRGBA{10, 20, 30, 255}
	must(t, c.Put("https://cdn.example/p.jpg?x=1", solid(want)))
	img, ok := c.Get("https://cdn.example/p.jpg?x=1")
	if !ok {
		t.Fatal("miss after put")
	}
	if got := color.NRGBAModel.Convert(img.At(3, 3)); got != want {
		t.Fatalf("pixel %v, want %v", got, want)
	}
	if _, ok := c.Get("https://cdn.example/other.jpg"); ok {
		t.Fatal("hit for a URL never put")
	}
}

func TestCacheTreatsDamagedEntryAsMiss(t *testing.T) {
	c, err := NewCache(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(c.path("u"), []byte("\x89PNG truncated"), 0o600))
	if _, ok := c.Get("u"); ok {
		t.Fatal("a damaged entry was served")
	}
	if _, err := os.Stat(c.path("u")); !os.IsNotExist(err) {
		t.Fatalf("damaged entry left in place: %v", err)
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	c, err := NewCache(t.TempDir(), 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				key := fmt.Sprint("u", (g+i)%5)
				if err := c.Put(key, solid(color.NRGBA{uint8(i), uint8(g), 0, 255})); err != nil {
					t.Error(err)
					return
				}
				c.Get(key)
			}
		}()
	}
	wg.Wait()
	if _, total := cacheSize(t, c.dir); total > 4096 {
		t.Fatalf("cache at %d bytes over its 4096 budget", total)
	}
}

func TestPreviewerFetchesOnceThenServesFromCache(t *testing.T) {
	hits := 0
	srv := serveBytes(t, checkerPNG(t, 256, 128), &hits)
	c, err := NewCache(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Previewer{Fetcher: NewFetcher(FetchOptions{}), Cache: c}
	for range 2 {
		img, err := p.Preview(context.Background(), srv.URL+"/photo.png")
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 32 {
			t.Fatalf("preview %v, want 64x32", b)
		}
	}
	if hits != 1 {
		t.Fatalf("server hit %d times, want 1", hits)
	}
}

func TestDownscaleAverages(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	img.SetNRGBA(0, 0, color.NRGBA{0, 0, 0, 255})
	img.SetNRGBA(1, 0, color.NRGBA{255, 255, 255, 255})
	out := Downscale(img, 1, 1)
	if got := out.NRGBAAt(0, 0); got != (color.NRGBA{127, 127, 127, 255}) {
		t.Fatalf("averaged to %v, want mid grey", got)
	}
	if b := Downscale(img, 64, 64).Bounds(); b.Dx() != 2 || b.Dy() != 1 {
		t.Fatalf("small image resized to %v", b)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
