package inbox

import (
	"encoding/binary"
	"io"
	"os"
	"time"
)

// mp4Duration reads an MP4/M4A/MOV file's length from its movie header
// (moov/mvhd), reading box headers only: no audio is decoded. It returns
// 0 when the file is not one, or says nothing usable (MP3 and the rest:
// their chip then shows no duration).
func mp4Duration(path string) time.Duration {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	moov, moovEnd, ok := findBox(f, 0, st.Size(), "moov")
	if !ok {
		return 0
	}
	mvhd, _, ok := findBox(f, moov, moovEnd, "mvhd")
	if !ok {
		return 0
	}
	var head [32]byte
	if _, err := f.ReadAt(head[:], mvhd); err != nil {
		return 0
	}
	var scale, units uint64
	switch head[0] { // version
	case 0:
		scale, units = uint64(binary.BigEndian.Uint32(head[12:])), uint64(binary.BigEndian.Uint32(head[16:]))
	case 1:
		scale, units = uint64(binary.BigEndian.Uint32(head[20:])), binary.BigEndian.Uint64(head[24:])
	}
	if scale == 0 || units == 0 || units/scale > 24*3600 {
		return 0
	}
	secs, rem := units/scale, units%scale
	return time.Duration(secs)*time.Second + time.Duration(rem*uint64(time.Second)/scale)
}

// findBox finds the box named typ among the boxes in [from, to) and
// returns where its content starts and ends. At most 256 boxes are read.
func findBox(r io.ReaderAt, from, to int64, typ string) (start, end int64, ok bool) {
	var h [16]byte
	for i := 0; i < 256 && from+8 <= to; i++ {
		if _, err := r.ReadAt(h[:8], from); err != nil {
			return 0, 0, false
		}
		size, hdr := int64(binary.BigEndian.Uint32(h[:4])), int64(8)
		switch size {
		case 0: // to the end
			size = to - from
		case 1: // a 64-bit size follows
			if _, err := r.ReadAt(h[8:16], from+8); err != nil {
				return 0, 0, false
			}
			size, hdr = int64(binary.BigEndian.Uint64(h[8:16])), 16
		}
		if size < hdr || from+size > to {
			return 0, 0, false
		}
		if string(h[4:8]) == typ {
			return from + hdr, from + size, true
		}
		from += size
	}
	return 0, 0, false
}
