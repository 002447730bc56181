package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	bolt "go.etcd.io/bbolt"
)

// A backup taken while writers run is a consistent file holding at least
// everything committed before it began.
func TestBackupWhileWriting(t *testing.T) {
	c := newClock(t0.Add(time.Hour))
	s, _ := openStore(t, c)
	for i := 0; i < 200; i++ {
		mustIngest(t, s, msg(fmt.Sprintf("u%d", i%20), fmt.Sprintf("before-%d", i), "hi", at(time.Duration(i)*time.Millisecond)))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.Ingest(ctx(), []store.Event{msg(fmt.Sprintf("w%d", w), fmt.Sprintf("during-%d-%d", w, i), "x", at(time.Duration(i)*time.Millisecond))}); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Backup(ctx(), f)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Size() != n {
		t.Errorf("wrote %d bytes, file has %d", n, fi.Size())
	}
	info, err := store.VerifyBackup(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Schema != store.SchemaVersion || info.Messages < 200 {
		t.Errorf("backup info %+v", info)
	}
	copied, err := store.Open(path, store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	for i := 0; i < 200; i++ {
		if _, err := copied.MessageByMID(ctx(), page, fmt.Sprintf("before-%d", i)); err != nil {
			t.Fatalf("message committed before the backup is missing: %v", err)
		}
	}
}

func TestVerifyBackupRefusesDamage(t *testing.T) {
	c := newClock(t0)
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	var buf bytes.Buffer
	if _, err := s.Backup(ctx(), &buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.db")
	os.WriteFile(truncated, buf.Bytes()[:buf.Len()/2], 0o600)
	if _, err := store.VerifyBackup(truncated); err == nil {
		t.Error("a truncated copy passed")
	}
	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err })
	db.Close()
	if _, err := store.VerifyBackup(foreign); !errors.Is(err, store.ErrForeign) {
		t.Errorf("another program's bbolt file: %v", err)
	}
	good := filepath.Join(dir, "good.db")
	os.WriteFile(good, buf.Bytes(), 0o600)
	if info, err := store.VerifyBackup(good); err != nil || info.Conversations != 1 || info.Messages != 1 {
		t.Errorf("good copy: %+v, %v", info, err)
	}
	// A copy bbolt finds sound but whose thread lost a message.
	broken := filepath.Join(dir, "broken.db")
	os.WriteFile(broken, buf.Bytes(), 0o600)
	db, err = bolt.Open(broken, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket([]byte("messages")).Cursor().First()
		return tx.Bucket([]byte("messages")).Delete(k)
	})
	db.Close()
	if _, err := store.VerifyBackup(broken); err == nil || !strings.Contains(err.Error(), "PAGE1/u1") {
		t.Errorf("a copy whose thread lost its message: %v", err)
	}
}

// A compacted copy holds live records only: after a forget, not a byte of
// what was forgotten, which a plain copy may still carry in free pages.
func TestCompactedCopyLeavesNothingOfAForget(t *testing.T) {
	c := newClock(t0.Add(time.Hour))
	s, _ := openStore(t, c)
	secret := "SECRET-ADDRESS-4242-MAIN-STREET"
	for i := 0; i < 50; i++ {
		// u2 first: conversation 1; u1 is 2, and 2 is what a compaction
		// that lost the counters would hand out again.
		mustIngest(t, s, msg("u2", fmt.Sprintf("n%d", i), "keep me", at(time.Duration(i)*time.Second)),
			msg("u1", fmt.Sprintf("m%d", i), secret, at(time.Duration(i)*time.Second)))
	}
	if _, err := s.Forget(ctx(), page, "u1", lineScrub{"u1"}); err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := s.Backup(ctx(), &plain); err != nil {
		t.Fatal(err)
	}
	t.Logf("the plain copy still holds the forgotten text: %v", bytes.Contains(plain.Bytes(), []byte(secret)))

	path := filepath.Join(t.TempDir(), "compact.db")
	if err := s.CompactTo(ctx(), path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(secret)) {
		t.Error("the compacted copy holds the forgotten text")
	}
	if info, err := store.VerifyBackup(path); err != nil || info.Messages != 50 || info.Conversations != 1 {
		t.Fatalf("compacted copy: %+v %v", info, err)
	}
	copied, err := store.Open(path, store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	// Sequences survive compaction: new ids do not collide with old ones.
	mustIngest(t, copied, msg("u3", "x1", "new", at(time.Hour)))
	if got, th := conv(t, copied, "u3"), thread(t, copied, "u3"); got.MessageCount != 1 || len(th) != 1 {
		t.Errorf("new conversation in the compacted copy: %+v, thread of %d", got, len(th))
	}
	if th := thread(t, copied, "u2"); len(th) != 50 {
		t.Errorf("u2 has %d messages in the compacted copy", len(th))
	}
}
