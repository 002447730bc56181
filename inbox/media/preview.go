package media

import (
	"context"
	"image"
	"image/color"
)

// Preview sizes: enough pixels for a 64-cell-wide half-block picture, and
// small enough that a cached preview is a few kilobytes.
const (
	PreviewMaxWidth  = 64
	PreviewMaxHeight = 64
)

// Previewer returns small previews of image URLs, from its cache when it
// can, else fetched, downscaled and cached.
type Previewer struct {
	Fetcher *Fetcher
	Cache   *Cache // nil: nothing is cached
}

// Preview returns rawURL's downscaled preview.
func (p *Previewer) Preview(ctx context.Context, rawURL string) (image.Image, error) {
	if p.Cache != nil {
		if img, ok := p.Cache.Get(rawURL); ok {
			return img, nil
		}
	}
	img, size, err := p.Fetcher.FetchSized(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	small := Downscale(img, PreviewMaxWidth, PreviewMaxHeight)
	if p.Cache != nil {
		// A cache that cannot be written costs a refetch later, not the
		// preview now.
		_ = p.Cache.Put(rawURL, small)
	}
	return Sized{Image: small, Size: size}, nil
}

// Sized is a preview that knows the byte size of the image it was made
// from (fetched now; a cached preview does not keep it). A chip shows it.
type Sized struct {
	image.Image
	Size int64
}

// ByteSize is the fetched image's size in bytes.
func (s Sized) ByteSize() int64 { return s.Size }

// Downscale returns img fitted within maxW×maxH, aspect preserved, each
// output pixel the average of the source pixels it covers. An image
// already small enough is copied as is.
func Downscale(img image.Image, maxW, maxH int) *image.NRGBA {
	b := img.Bounds()
	w, h := fit(b.Dx(), b.Dy(), maxW, maxH)
	return Resample(img, w, h)
}

// Resample scales img to exactly w×h, each output pixel the average of
// the source pixels it covers (at least one).
func Resample(img image.Image, w, h int) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1 := b.Min.Y+y*b.Dy()/h, b.Min.Y+(y+1)*b.Dy()/h
		for x := 0; x < w; x++ {
			x0, x1 := b.Min.X+x*b.Dx()/w, b.Min.X+(x+1)*b.Dx()/w
			out.SetNRGBA(x, y, average(img, x0, y0, max(x1, x0+1), max(y1, y0+1)))
		}
	}
	return out
}

// fit scales w×h down to fit maxW×maxH, never up, never to zero.
func fit(w, h, maxW, maxH int) (int, int) {
	if w <= 0 || h <= 0 {
		return 1, 1
	}
	if w > maxW {
		h, w = max(1, h*maxW/w), maxW
	}
	if h > maxH {
		w, h = max(1, w*maxH/h), maxH
	}
	return w, h
}

// average is the mean colour of the rectangle [x0,x1)×[y0,y1) of img.
func average(img image.Image, x0, y0, x1, y1 int) color.NRGBA {
	var r, g, b, a, n uint64
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			r, g, b, a, n = r+uint64(c.R), g+uint64(c.G), b+uint64(c.B), a+uint64(c.A), n+1
		}
	}
	return color.NRGBA{R: uint8(r / n), G: uint8(g / n), B: uint8(b / n), A: uint8(a / n)}
}
