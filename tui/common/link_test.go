package common

import (
	"strings"
	"testing"
)

func TestSafeURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://cdn.example/p/1.jpg?a=1&b=2":   "https://cdn.example/p/1.jpg?a=1&b=2",
		"http://cdn.example/x":                  "http://cdn.example/x",
		"https://cdn.example/Olá ünd.pdf":       "", // a space: not a URL Meta sends
		"https://cdn.example/Olá.pdf":           "https://cdn.example/Ol%C3%A1.pdf",
		"https://cdn.example/a<b>\"{|}^`\\.pdf": "https://cdn.example/a%3Cb%3E%22%7B%7C%7D%5E%60%5C.pdf",
		"https://cdn.example/\x1b]2;x\x07":      "",
		"https://cdn.example/\u009b2J":          "https://cdn.example/%C2%9B2J", // C1 as UTF-8: encoded, inert
		"https://cdn.example/a\tb":              "",
		"https://cdn.example/a\x7f":             "",
		"javascript:alert(1)":                   "",
		"file:///etc/passwd":                    "",
		"data:text/html,hi":                     "",
		"https:///nohost":                       "",
		"//cdn.example/x":                       "",
		"":                                      "",
		"https://cdn.example/" + strings.Repeat("a", MaxLinkLen): "",
	} {
		got, ok := SafeURL(raw)
		if got != want || ok != (want != "") {
			t.Errorf("SafeURL(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	}
}
