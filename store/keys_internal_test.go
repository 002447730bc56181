package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Every bucket a new file has is documented in keys.go: a block whose
// first line names it ("// name:" or "// a, b and name:") and a layout
// line under it.
func TestEveryBucketIsDocumented(t *testing.T) {
	src, err := os.ReadFile("keys.go")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		head, ok := strings.CutPrefix(l, "\t// ")
		names, _, found := strings.Cut(head, ":")
		if !ok || !found || i+1 == len(lines) || !strings.HasPrefix(lines[i+1], "\t//   ") {
			continue // not the first line of a block
		}
		for _, n := range strings.FieldsFunc(strings.ReplaceAll(names, " and ", ","), func(r rune) bool { return r == ',' || r == ' ' }) {
			documented[n] = true
		}
	}
	s, err := Open(filepath.Join(t.TempDir(), "inbox.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var buckets []string
	s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error { buckets = append(buckets, string(name)); return nil })
	})
	if len(buckets) != len(allBuckets) {
		t.Errorf("a new file has %d buckets, allBuckets %d", len(buckets), len(allBuckets))
	}
	for _, b := range buckets {
		if !documented[b] {
			t.Errorf("bucket %q has no block in keys.go", b)
		}
	}
	t.Logf("%d buckets", len(buckets))
}

// nameActKey is the name's prefix then the actKey, so a name's rows are
// one range in activity order.
func TestNameActKeyLayout(t *testing.T) {
	at := time.Unix(1_700_000_000, 5)
	for _, name := range []string{"", "ana", "open\x00106512345678901"} {
		got := nameActKey(name, at, 42)
		want := append(namePrefix(name), actKey(at, 42)...)
		if !bytes.Equal(got, want) {
			t.Errorf("nameActKey(%q) = %x, want %x", name, got, want)
		}
	}
}
