package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// PAGEINBOX_IMAGES=0 turns previews off; otherwise they are on, cached in
// the data dir.
func TestPicturesFollowEnv(t *testing.T) {
	data := t.TempDir()
	env := func(vals map[string]string) func(string) string {
		return func(k string) string { return vals[k] }
	}
	log := slog.New(slog.DiscardHandler)

	off := configFromEnv(env(map[string]string{"PAGEINBOX_DATA": data, "PAGEINBOX_IMAGES": "0"}))
	if p := pictures(off, log); p != nil {
		t.Fatal("PAGEINBOX_IMAGES=0 still previews")
	}
	on := configFromEnv(env(map[string]string{"PAGEINBOX_DATA": data}))
	if p := pictures(on, log); p == nil {
		t.Fatal("previews off by default")
	}
	if info, err := os.Stat(filepath.Join(data, "media")); err != nil || !info.IsDir() {
		t.Fatalf("no preview cache in the data dir: %v", err)
	}
}
