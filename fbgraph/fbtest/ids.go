package fbtest

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// newMIDLocked is a unique message id shaped like Meta's: "m_" and 22
// URL-safe characters (a counter and random bits).
func (s *Server) newMIDLocked() string {
	s.seq++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.idRNG.Uint64())
	binary.BigEndian.PutUint64(b[8:], s.seq)
	return "m_" + base64.RawURLEncoding.EncodeToString(b[:])
}

const traceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

func (s *Server) traceIDLocked() string {
	var b strings.Builder
	for range 11 {
		b.WriteByte(traceAlphabet[s.idRNG.IntN(len(traceAlphabet))])
	}
	return b.String()
}
