package inbox

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func box(typ string, content ...[]byte) []byte {
	var body []byte
	for _, c := range content {
		body = append(body, c...)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(out, typ...), body...)
}

func mvhd(version byte, scale uint32, units uint64) []byte {
	b := []byte{version, 0, 0, 0}
	if version == 1 {
		b = append(b, make([]byte, 16)...) // creation, modification
		b = binary.BigEndian.AppendUint32(b, scale)
		b = binary.BigEndian.AppendUint64(b, units)
	} else {
		b = append(b, make([]byte, 8)...)
		b = binary.BigEndian.AppendUint32(b, scale)
		b = binary.BigEndian.AppendUint32(b, uint32(units))
	}
	return box("mvhd", append(b, make([]byte, 80)...))
}

// The length comes from the movie header, v0 or v1, wherever moov sits;
// an MP3, a damaged box or an absurd length gives none.
func TestMP4Duration(t *testing.T) {
	ftyp := box("ftyp", []byte("M4A \x00\x00\x00\x00"))
	for name, c := range map[string]struct {
		data []byte
		want time.Duration
	}{
		"m4a v0, moov last": {append(append(ftyp, box("mdat", make([]byte, 500))...), box("moov", box("trak"), mvhd(0, 44100, 44100*14+22050))...), 14500 * time.Millisecond},
		"mov v1":            {append(ftyp, box("moov", mvhd(1, 600, 600*75))...), 75 * time.Second},
		"mp3":               {[]byte("ID3\x04\x00\x00\x00\x00\x00\x00 frames"), 0},
		"box past the end":  {append(ftyp, []byte("\x00\x01\x00\x00moov")...), 0},
		"ten days":          {append(ftyp, box("moov", mvhd(0, 1, 864000))...), 0},
	} {
		path := filepath.Join(t.TempDir(), "a.m4a")
		if err := os.WriteFile(path, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := mp4Duration(path); got != c.want {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}
