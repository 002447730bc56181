package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// chunk encodes one PNG chunk.
func chunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// ihdr is an 8-bit RGBA PNG header chunk for w×h.
func ihdr(w, h uint32) []byte {
	d := make([]byte, 13)
	binary.BigEndian.PutUint32(d[0:], w)
	binary.BigEndian.PutUint32(d[4:], h)
	d[8], d[9] = 8, 6 // bit depth 8, colour type RGBA
	return chunk("IHDR", d)
}

const pngSignature = "\x89PNG\r\n\x1a\n"

// bombPNG is a few hundred bytes whose header claims w×h pixels: decoding
// it would allocate w*h*4 bytes before finding the data short.
func bombPNG(w, h uint32) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 4096))
	zw.Close()
	var b bytes.Buffer
	b.WriteString(pngSignature)
	b.Write(ihdr(w, h))
	b.Write(chunk("IDAT", z.Bytes()))
	b.Write(chunk("IEND", nil))
	return b.Bytes()
}

// oversizeHead is the start of a PNG with a small, honest header followed
// by an ancillary chunk declaring size bytes, which the decoder streams
// through; the caller writes the size bytes after it.
func oversizeHead(size uint32) []byte {
	var b bytes.Buffer
	b.WriteString(pngSignature)
	b.Write(ihdr(16, 16))
	binary.Write(&b, binary.BigEndian, size)
	b.WriteString("zzZz") // ancillary, private, safe to copy: skipped by decoders
	return b.Bytes()
}

// checkerPNG encodes a w×h image of four coloured quadrants.
func checkerPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	quad := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, quad[2*(2*y/h)+2*x/w])
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// serveBytes serves body at every path, on 127.0.0.1, counting requests.
func serveBytes(t testing.TB, body []byte, hits *int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			*hits++
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// serveEndless serves head followed by n zero bytes without a
// Content-Length, so only the reader's own limit stops it.
func serveEndless(t testing.TB, head []byte, n int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(head)
		w.(http.Flusher).Flush() // commits to chunked encoding
		io.Copy(w, io.LimitReader(zeros{}, n))
	}))
	t.Cleanup(srv.Close)
	return srv
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
