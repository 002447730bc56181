package fbtest

import (
	"testing"

	"github.com/pageinbox/pageinbox/webhook"
)

// TestSignatures: the emulator's signer gives the HMACs of RFC 4231 (test
// case 2, SHA-256) and RFC 2202 (test case 2, SHA-1), and the receiver
// accepts what it signs, for a body like Meta's (escaped non-ASCII) too.
func TestSignatures(t *testing.T) {
	body := []byte("what do ya want for nothing?")
	if got, want := signatureSHA256(body, "Jefe"), "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"; got != want {
		t.Errorf("signatureSHA256 = %s, want %s", got, want)
	}
	if got, want := signatureSHA1(body, "Jefe"), "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"; got != want {
		t.Errorf("signatureSHA1 = %s, want %s", got, want)
	}
	meta, err := MarshalMeta(map[string]any{"object": "page", "text": "ünïcödé / 🎉"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{body, meta, nil} {
		if got, want := signatureSHA256(b, "app-secret"), webhook.SignatureHeader(b, "app-secret"); got != want {
			t.Errorf("%q: emulator signs %s, receiver expects %s", b, got, want)
		}
	}
}
