package thread

import (
	"context"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{
		980: "980 B", 1023: "1023 B", 1024: "1.0 KB", 12 * 1024: "12 KB", 1258291: "1.2 MB",
		1048063: "1023 KB", 1048500: "1.0 MB", 25 << 20: "25 MB", 3 << 30: "3.0 GB",
	} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// A size is shown when it is known (our own sends), after the detail.
func TestChipSize(t *testing.T) {
	for _, c := range []struct {
		a    store.Attachment
		want string
	}{
		{store.Attachment{Type: "image", AttachmentID: "1", Size: 1258291}, "[image 1.2 MB]"},
		{store.Attachment{Type: "file", AttachmentID: "2", Name: "invoice.pdf", Size: 12 * 1024}, "[file invoice.pdf 12 KB]"},
		{store.Attachment{Type: "audio", AttachmentID: "3", Size: 980}, "[voice 980 B]"},
		{store.Attachment{Type: "audio", AttachmentID: "4", Size: 48000, DurationMS: 14499}, "[voice 0:14]"},
		{store.Attachment{Type: "video", AttachmentID: "5", DurationMS: 3723000}, "[video 1:02:03]"},
		{store.Attachment{Type: "file", Name: "a\x1b[2J.pdf"}, "[file a" + inert.Placeholder + ".pdf]"},
	} {
		if got := Chip(c.a); got != c.want {
			t.Errorf("Chip(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
}

// Our own multi-image message shows one chip per image, each with its size.
func TestMultiImageChips(t *testing.T) {
	p := &pages{}
	p.msgs = []store.Message{{ID: "m1", ConvKey: carla, Direction: store.Out, Time: now.Add(-time.Minute), Status: store.StatusSent,
		Attachments: []store.Attachment{{Type: "image", AttachmentID: "1", Size: 2048}, {Type: "image", AttachmentID: "2", Size: 1258291},
			{Type: "image", AttachmentID: "3", Size: 700}}}}
	m := open(t, newCommon(time.UTC), p, 60, 20)
	view := m.View()
	for _, chip := range []string{"[image 2.0 KB]", "[image 1.2 MB]", "[image 700 B]"} {
		if !strings.Contains(view, chip) {
			t.Errorf("no %s in\n%s", chip, view)
		}
	}
}

// sizedPictures answers each preview with the byte size of the image it
// was made from, as media.Previewer does after a fetch.
type sizedPictures struct{ fakePictures }

type sizedImage struct {
	image.Image
	n int64
}

func (s sizedImage) ByteSize() int64 { return s.n }

func (f *sizedPictures) Preview(ctx context.Context, url string) (image.Image, error) {
	img, err := f.fakePictures.Preview(ctx, url)
	return sizedImage{img, 1258291}, err
}

// A customer's image shows its size once its preview has been fetched
// (Meta's webhook says nothing of it); before, the chip is bare.
func TestFetchedImageChipShowsItsSize(t *testing.T) {
	be := picturePages(1, func(int) string { return "https://cdn.example/0.png" })
	bare := openWithPictures(t, termenv.TrueColor, be, nil, 60, 30)
	if v := bare.View(); !strings.Contains(v, "[image]") || strings.Contains(v, "MB") {
		t.Fatalf("without a fetch:\n%s", v)
	}
	m := openWithPictures(t, termenv.TrueColor, be, &sizedPictures{}, 60, 30)
	if v := m.View(); !strings.Contains(v, "[image 1.2 MB]") || !strings.Contains(v, "▀") {
		t.Fatalf("after the fetch:\n%s", v)
	}
}
