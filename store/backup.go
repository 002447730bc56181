package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole data file to w from one
// read transaction: writers carry on meanwhile, and the copy is the file
// as of the moment Backup began. It returns the bytes written.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(&ctxWriter{ctx: ctx, w: w})
		return err
	})
	return n, err
}

// CompactTo writes a compacted copy of the data file to path (an empty or
// new file): only live records, in fresh pages. A plain copy carries
// bbolt's free pages as they are, and with them the bytes of deleted
// records (a forgotten customer's, say) until bbolt reuses them; a
// compacted copy does not. It reads in one transaction, like Backup.
func (s *Store) CompactTo(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	dst, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return fmt.Errorf("store: compact into %s: %w", path, err)
	}
	if err := bolt.Compact(dst, s.db, 32<<20); err != nil {
		dst.Close()
		return fmt.Errorf("store: compact: %w", err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return fmt.Errorf("store: compact: sync: %w", err)
	}
	return dst.Close()
}

// ctxWriter stops a copy whose caller has gone.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// BackupInfo describes a checked copy of the data file.
type BackupInfo struct {
	Size          int64 // bytes
	Schema        uint32
	Conversations int
	Messages      int
}

// VerifyBackup opens a copy read-only and checks it: a pageinbox file
// this code reads, bbolt's consistency check clean, and every thread
// whole. A copy that fails is not a backup.
func VerifyBackup(path string) (BackupInfo, error) {
	var info BackupInfo
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return info, fmt.Errorf("%w: %s: %v", ErrForeign, path, err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		return info, err
	}
	info.Size = fi.Size()
	err = db.View(func(tx *bolt.Tx) error {
		// A cut copy is caught before any page past its end is touched
		// (bbolt maps the file: reading there is a fatal SIGBUS).
		if fi.Size() < tx.Size() {
			return fmt.Errorf("store: %s is cut short: %d bytes of %d", path, fi.Size(), tx.Size())
		}
		meta := tx.Bucket(bMeta)
		if meta == nil || string(meta.Get(keyMagic)) != magic {
			return fmt.Errorf("%w: %s has no pageinbox marker", ErrForeign, path)
		}
		if v := meta.Get(keySchema); len(v) == 4 {
			info.Schema = binary.BigEndian.Uint32(v)
		}
		var problems []string
		for err := range tx.Check() {
			problems = append(problems, err.Error())
		}
		if len(problems) > 0 {
			return fmt.Errorf("store: %s fails bbolt's check: %s", path, strings.Join(problems, "; "))
		}
		if info.Schema >= 8 { // threads are chains (chain.go): each must be whole
			if err := checkChains(tx); err != nil {
				return fmt.Errorf("store: %s: %w", path, err)
			}
		}
		if b := tx.Bucket(bConvs); b != nil {
			info.Conversations = b.Stats().KeyN
		}
		for _, name := range [][]byte{bMsgs, bMsgsV7} { // the old one in a file not yet migrated
			if b := tx.Bucket(name); b != nil {
				info.Messages += b.Stats().KeyN
			}
		}
		return nil
	})
	return info, err
}
