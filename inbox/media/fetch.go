// Package media fetches the pictures customers send, within limits, and
// keeps small previews of them in a bounded on-disk cache. It is the only
// place that downloads an attachment's bytes: the TUI reaches it through a
// tea.Cmd, never from Update or View.
package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // formats Meta's CDN serves for image attachments
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Limits a fetch keeps to. A customer chooses the bytes behind an
// attachment URL, so every one of these is a defence, not a tuning knob.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultMaxBytes  = 8 << 20     // Meta's own cap for images sent by URL
	DefaultMaxPixels = 4096 * 4096 // 64 MB of RGBA once decoded
)

// Errors a refused fetch wraps, so callers (and tests) can tell them apart.
var (
	ErrScheme     = errors.New("media: only http and https URLs are fetched")
	ErrTooLarge   = errors.New("media: body over the size limit")
	ErrDimensions = errors.New("media: image dimensions over the pixel budget")
	ErrFormat     = errors.New("media: not a png, jpeg or gif image")
)

// Fetcher downloads images within its limits. The zero value is not
// usable; build one with NewFetcher.
type Fetcher struct {
	client    *http.Client
	timeout   time.Duration
	maxBytes  int64
	maxPixels int64
}

// FetchOptions overrides a Fetcher's limits; zero fields take the defaults.
type FetchOptions struct {
	Client    *http.Client // nil: a client that refuses non-http(s) redirects
	Timeout   time.Duration
	MaxBytes  int64
	MaxPixels int64
}

// NewFetcher returns a Fetcher with o's limits, defaults where unset.
func NewFetcher(o FetchOptions) *Fetcher {
	f := &Fetcher{client: o.Client, timeout: o.Timeout, maxBytes: o.MaxBytes, maxPixels: o.MaxPixels}
	if f.client == nil {
		f.client = &http.Client{CheckRedirect: checkRedirect}
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.maxPixels <= 0 {
		f.maxPixels = DefaultMaxPixels
	}
	return f
}

var defaultFetcher = NewFetcher(FetchOptions{})

// Fetch downloads and decodes the image at rawURL with the default limits.
func Fetch(ctx context.Context, rawURL string) (image.Image, error) {
	return defaultFetcher.Fetch(ctx, rawURL)
}

// checkRedirect keeps a redirect from leaving http(s), e.g. for file:.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("media: too many redirects")
	}
	return checkScheme(req.URL)
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return ErrScheme
	}
	return nil
}

// Fetch downloads and decodes the image at rawURL. The header is decoded
// first and its dimensions checked against the pixel budget, so a
// decompression bomb is refused before its pixels are allocated; the body
// is read through a limit, so an endless one is cut off at the cap.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (image.Image, error) {
	img, _, err := f.FetchSized(ctx, rawURL)
	return img, err
}

// FetchSized is Fetch that also says how many bytes the image is: the
// declared Content-Length, else the bytes read to decode it.
func (f *Fetcher) FetchSized(ctx context.Context, rawURL string) (image.Image, int64, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, 0, fmt.Errorf("media: bad URL: %w", err)
	}
	if err := checkScheme(u); err != nil {
		return nil, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("media: %w", err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		// The error names the URL, which is the customer's CDN link, not
		// a secret of ours.
		return nil, 0, fmt.Errorf("media: fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("media: fetch: HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > f.maxBytes {
		return nil, 0, fmt.Errorf("%w (%d bytes declared, limit %d)", ErrTooLarge, resp.ContentLength, f.maxBytes)
	}
	body := &countingReader{r: resp.Body}
	img, err := f.decode(body)
	size := resp.ContentLength
	if size <= 0 {
		size = body.n
	}
	return img, size, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decode reads one image from body within the byte and pixel limits.
func (f *Fetcher) decode(body io.Reader) (image.Image, error) {
	lr := &io.LimitedReader{R: body, N: f.maxBytes + 1}
	var head bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(lr, &head))
	if lr.N <= 0 {
		return nil, fmt.Errorf("%w (limit %d)", ErrTooLarge, f.maxBytes)
	}
	if errors.Is(err, image.ErrFormat) {
		return nil, ErrFormat
	}
	if err != nil {
		return nil, fmt.Errorf("media: image header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > f.maxPixels {
		return nil, fmt.Errorf("%w (%s %dx%d, budget %d pixels)", ErrDimensions, format, cfg.Width, cfg.Height, f.maxPixels)
	}
	img, _, err := image.Decode(io.MultiReader(&head, lr))
	if lr.N <= 0 {
		return nil, fmt.Errorf("%w (limit %d)", ErrTooLarge, f.maxBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("media: decode %s: %w", format, err)
	}
	return img, nil
}
