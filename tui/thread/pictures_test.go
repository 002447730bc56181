package thread

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
)

// fakePictures serves a 16×8 two-colour picture for every URL but
// "broken", counting the fetches.
type fakePictures struct {
	mu    sync.Mutex
	calls map[string]int
}

func (f *fakePictures) Preview(_ context.Context, url string) (image.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[url]++
	if url == "https://cdn.example/broken.png" {
		return nil, errors.New("refused: over the pixel budget")
	}
	img := image.NewNRGBA(image.Rect(0, 0, 16, 8))
	for y := range 8 {
		for x := range 16 {
			img.SetNRGBA(x, y, color.NRGBA{uint8(16 * x), 0, uint8(32 * y), 255})
		}
	}
	return img, nil
}

func (f *fakePictures) count() (total int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.calls {
		total += n
	}
	return total
}

// picturePages is a thread of n messages, each with one image.
func picturePages(n int, url func(i int) string) *pages {
	p := newPages(n)
	for i := range p.msgs {
		p.msgs[i].Attachments = []store.Attachment{{Type: "image", URL: url(i)}}
	}
	return p
}

func openWithPictures(t testing.TB, profile termenv.Profile, be Backend, src Pictures, w, h int) *Model {
	c := newCommon(time.UTC)
	c.Renderer.SetColorProfile(profile)
	m := New(c, be)
	if src != nil {
		m.SetPictures(src)
	}
	m.SetSize(w, h)
	run(m, m.Show(store.Conversation{ConvKey: carla, Name: "Carla", LastInboundTime: now}))
	if !m.Loaded() {
		t.Fatal("the thread did not load")
	}
	return m
}

func TestPicturesDrawnUnderTheirChip(t *testing.T) {
	src := &fakePictures{}
	be := picturePages(2, func(i int) string { return fmt.Sprintf("https://cdn.example/%d.png", i) })
	m := openWithPictures(t, termenv.TrueColor, be, src, 60, 30)

	view := m.View()
	chip := strings.Index(view, "https://cdn.example/1.png") // the chip's link
	art := strings.LastIndex(view, "▀")
	if chip < 0 || art < chip {
		t.Fatalf("no half-block picture under the last image's chip:\n%s", view)
	}
	// 16×8 pixels fit 16 cells wide, 4 lines, for each of the 2 pictures.
	if got := strings.Count(view, "▀"); got != 2*16*4 {
		t.Fatalf("%d half blocks drawn, want %d", got, 2*16*4)
	}
	if src.count() != 2 {
		t.Fatalf("%d fetches for 2 pictures", src.count())
	}
	run(m, m.Reload()) // a reload draws them again without fetching
	if src.count() != 2 || strings.Count(m.View(), "▀") != 2*16*4 {
		t.Fatalf("after a reload: %d fetches, view:\n%s", src.count(), m.View())
	}
}

func TestPicturesOffWithoutColourOrSource(t *testing.T) {
	be := picturePages(3, func(i int) string { return fmt.Sprintf("https://cdn.example/%d.png", i) })
	src := &fakePictures{}
	ascii := openWithPictures(t, termenv.Ascii, be, src, 60, 30)
	if src.count() != 0 || strings.Contains(ascii.View(), "▀") {
		t.Fatalf("Ascii terminal: %d fetches, view:\n%s", src.count(), ascii.View())
	}
	off := openWithPictures(t, termenv.TrueColor, be, nil, 60, 30) // PAGEINBOX_IMAGES=0
	if strings.Contains(off.View(), "▀") {
		t.Fatalf("previews drawn with none configured:\n%s", off.View())
	}
}

func TestFailedPictureLeavesTheChip(t *testing.T) {
	src := &fakePictures{}
	be := picturePages(1, func(int) string { return "https://cdn.example/broken.png" })
	m := openWithPictures(t, termenv.ANSI256, be, src, 60, 20)
	if view := m.View(); strings.Contains(view, "▀") || !strings.Contains(view, "[image]") || !strings.Contains(view, "https://cdn.example/broken.png") {
		t.Fatalf("a refused picture: view:\n%s", view)
	}
	run(m, m.FetchPictures())
	if src.count() != 1 {
		t.Fatalf("a refused picture was fetched %d times", src.count())
	}
}

// A picture for a thread no longer open is dropped.
func TestPictureForAnotherThreadIsDropped(t *testing.T) {
	src := &fakePictures{}
	m := openWithPictures(t, termenv.TrueColor, newPages(1), src, 60, 20)
	img, _ := src.Preview(context.Background(), "x")
	m.Update(pictureMsg{key: store.ConvKey{PageID: "P", PSID: "other"}, url: "x", img: img})
	if len(m.pics.got) != 0 {
		t.Fatal("kept a picture for another thread")
	}
}

// View with 20 image previews drawn against the same thread without
// them: previews are drawn once, into the per-message cache, so View
// costs the same either way.
func BenchmarkThreadView(b *testing.B) {
	url := func(i int) string { return fmt.Sprintf("https://cdn.example/%d.png", i) }
	for _, tc := range []struct {
		name string
		src  Pictures
	}{{"without-previews", nil}, {"20-cached-previews", &fakePictures{}}} {
		b.Run(tc.name, func(b *testing.B) {
			m := openWithPictures(b, termenv.TrueColor, picturePages(20, url), tc.src, 100, 50)
			if tc.src != nil && len(m.pics.got) != 20 {
				b.Fatalf("%d previews loaded", len(m.pics.got))
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
