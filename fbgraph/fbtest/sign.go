package fbtest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// Meta signs each webhook POST with the app secret: X-Hub-Signature-256
// is "sha256=" and the hex HMAC-SHA256 of the raw body, and the legacy
// X-Hub-Signature is the same with SHA-1. The emulator signs with this
// code of its own, never the receiver's, so that a test posting through
// the emulator checks the receiver's verification against an independent
// implementation rather than against itself.

// signatureSHA256 is the X-Hub-Signature-256 value for body.
func signatureSHA256(body []byte, secret string) string {
	return "sha256=" + hexHMAC(sha256.New, body, secret)
}

// signatureSHA1 is the legacy X-Hub-Signature value for body.
func signatureSHA1(body []byte, secret string) string {
	return "sha1=" + hexHMAC(sha1.New, body, secret)
}

func hexHMAC(h func() hash.Hash, body []byte, secret string) string {
	m := hmac.New(h, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
