// Package store keeps pageinbox's whole state in one bbolt file: pages,
// conversations, messages, the outbox and campaigns, and the raw webhook
// journal. It publishes a change feed after every commit.
//
// Keys are laid out for cursors, so no query loads the whole file: keys.go
// documents every bucket, its key and value, and holds the functions that
// build the keys; ids.go is what clients see of them (opaque tokens);
// filters.go is the one table of conversation filters.
package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this code writes. Older files are migrated on
// open; newer ones are refused.
const SchemaVersion = 8

// CommitMode chooses how Ingest turns events into transactions.
type CommitMode int

const (
	// GroupCommit (the default) has one writer goroutine commit everything
	// queued by concurrent callers in one transaction: two fsyncs for many
	// events instead of two per call.
	GroupCommit CommitMode = iota
	// CommitEach gives every call its own transaction. It exists as the
	// baseline for benchmarks.
	CommitEach
)

// Options configure Open. The zero value is usable.
type Options struct {
	// Timeout bounds the wait for another process to release the file.
	// Default 1s; bbolt would otherwise wait forever.
	Timeout time.Duration
	// Now is the clock. Default time.Now. Tests inject a fixed one.
	Now func() time.Time
	// CommitMode, default GroupCommit.
	CommitMode CommitMode
	// MaxBatch caps the operations in one group commit. Default 512.
	MaxBatch int
	// Owner describes this process in the lock-info file, so that a second
	// process can say who holds the file ("serve", "tui"). Default "pageinbox".
	Owner string
	// NoSync skips fsync. Only for bulk-loading benchmark fixtures: a crash
	// can lose or corrupt data.
	NoSync bool
	// FaultCommit is a test fault injector, never for production: the
	// FaultCommit-th write transaction after Open (counting from 1) is
	// committed and then reported as failed, the worst case of a commit
	// error (its changes are on disk, its callers see an error). The store
	// then fails stop as on a real failure. 0, the default, is off. The
	// command sets it only from PAGEINBOX_FAULT_COMMIT.
	FaultCommit int
	// Scrubber takes a forgotten customer's events out of a webhook body
	// that brings them again (see Forget); the webhook package has one.
	// Without it such a body is journaled whole.
	Scrubber func(pageID, psid string) JournalScrubber
}

// Store is the open data file. It is safe for concurrent use.
type Store struct {
	db       *bolt.DB
	path     string
	now      func() time.Time
	mode     CommitMode
	maxBatch int

	ops       chan *op
	stop      chan struct{}
	writerWG  sync.WaitGroup
	closeOnce sync.Once
	closeMu   sync.RWMutex // held for reading while an op is handed to the writer
	closed    atomic.Bool
	scrubber  func(pageID, psid string) JournalScrubber
	commitMu  sync.Mutex             // one commit-and-publish at a time
	convCache map[ConvKey]convRecord // guarded by commitMu

	commits     uint64       // transactions committed, guarded by commitMu
	faultCommit uint64       // Options.FaultCommit
	failErr     atomic.Value // *failedError, once a commit failed
	failed      chan struct{}

	feed feed
}

// Open opens or creates the store at path (mode 0600).
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.Owner == "" {
		opts.Owner = "pageinbox"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         opts.Timeout,
		InitialMmapSize: 256 << 20,
		NoSync:          opts.NoSync,
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, lockedError(path)
		}
		if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrVersionMismatch) ||
			errors.Is(err, bolterrors.ErrChecksum) || strings.Contains(err.Error(), "invalid") {
			return nil, fmt.Errorf("%w: %s: %v", ErrForeign, path, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now, mode: opts.CommitMode, maxBatch: opts.MaxBatch,
		ops: make(chan *op, 1024), stop: make(chan struct{}), failed: make(chan struct{}), scrubber: opts.Scrubber}
	if opts.FaultCommit > 0 {
		s.faultCommit = uint64(opts.FaultCommit)
	}
	if err := s.prepare(); err != nil {
		db.Close()
		return nil, err
	}
	writeLockInfo(path, opts.Owner)
	s.writerWG.Add(1)
	go s.writer()
	return s, nil
}

// prepare checks the file is ours (reading only), runs the batched
// migrations, then creates, migrates and recovers in one transaction.
func (s *Store) prepare() error {
	var version uint32
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("%w: %s holds data of another program", ErrForeign, s.path)
			}
			return nil
		}
		if string(meta.Get(keyMagic)) != magic {
			return fmt.Errorf("%w: %s has no pageinbox marker", ErrForeign, s.path)
		}
		v := meta.Get(keySchema)
		if len(v) != 4 {
			return fmt.Errorf("%w: %s has a damaged schema version", ErrForeign, s.path)
		}
		version = binary.BigEndian.Uint32(v)
		if version > SchemaVersion {
			return fmt.Errorf("%w (file schema %d, this pageinbox reads up to %d)", ErrTooNew, version, SchemaVersion)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := migrateBatched(s.db, version); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bMeta)
		if version == 0 { // new file
			if err := meta.Put(keyMagic, []byte(magic)); err != nil {
				return err
			}
		} else if err := migrate(tx, version); err != nil {
			return err
		}
		if err := meta.Put(keySchema, u32(SchemaVersion)); err != nil {
			return err
		}
		return recoverInterrupted(tx, s.now())
	})
}

// migrations[v] upgrades a file from schema v to v+1.
var migrations = map[uint32]func(*bolt.Tx) error{
	// Schema 1 kept no per-filter counts; count them once.
	1: rebuildCounts,
	// Schema 2 kept one draft per conversation; drafts now have owners.
	2: moveDrafts,
	// Schema 3 named messages by the hex of their key: see batched.
	3: func(*bolt.Tx) error { return nil },
	// Schema 4 had a done flag; conversations now have a state, an
	// assignee and labels, each indexed.
	4: migrate4,
	// Schema 5 listed every Page together; each Page now has its own
	// index and counts (act_page).
	5: migrate5,
	// Schema 6 kept conversation records in JSON; they are binary now
	// (convcodec.go).
	6: migrate6,
	// Schema 7 kept each thread's messages in a key range: see batched.
	7: func(*bolt.Tx) error { return nil },
}

// batched[v] is the part of the upgrade from schema v that rewrites every
// record of a big bucket. It runs before the transaction that records the
// new schema, in transactions of its own, and must be idempotent: an Open
// cut short runs it again. It must not depend on the migrations of older
// schemas, which run after it.
var batched = map[uint32]func(*bolt.DB) error{
	// Message ids become opaque tokens (ids.go).
	3: tokenIDs,
	// Message records become binary (msgcodec.go).
	6: binaryMessages,
	// Messages move to one append-only bucket, each thread a chain
	// (chain.go).
	7: chainMessages,
}

func migrateBatched(db *bolt.DB, from uint32) error {
	for v := from; v > 0 && v < SchemaVersion; v++ {
		if m, ok := batched[v]; ok {
			if err := m(db); err != nil {
				return fmt.Errorf("store: migrate schema %d to %d: %w", v, v+1, err)
			}
		}
	}
	return nil
}

func migrate(tx *bolt.Tx, from uint32) error {
	for v := from; v < SchemaVersion; v++ {
		m, ok := migrations[v]
		if !ok {
			return fmt.Errorf("store: no migration from schema %d", v)
		}
		if err := m(tx); err != nil {
			return fmt.Errorf("store: migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return nil
}

func lockInfoPath(path string) string { return path + ".owner" }

func writeLockInfo(path, owner string) {
	info := fmt.Sprintf("pid %d, %s", os.Getpid(), owner)
	_ = os.WriteFile(lockInfoPath(path), []byte(info), 0o600)
}

func lockedError(path string) error {
	holder := "another pageinbox"
	if b, err := os.ReadFile(lockInfoPath(path)); err == nil && len(b) > 0 && len(b) < 200 {
		holder += " (" + strings.TrimSpace(string(b)) + ")"
	}
	return &lockedErr{path: path, holder: holder}
}

type lockedErr struct{ path, holder string }

func (e *lockedErr) Error() string {
	return fmt.Sprintf("store: %s is in use by %s; run it through the daemon or stop it", e.path, e.holder)
}

func (e *lockedErr) Unwrap() error { return ErrLocked }

// Path is the data file's path.
func (s *Store) Path() string { return s.path }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Close waits for queued writes, then closes the file. Subscriptions end.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.closeMu.Lock()
		s.closed.Store(true)
		s.closeMu.Unlock()
		close(s.stop)
		s.writerWG.Wait()
		s.feed.closeAll()
		err = s.db.Close()
		_ = os.Remove(lockInfoPath(s.path))
	})
	return err
}

// Health is nil while the store can commit: else the sticky error of the
// failed commit (ErrStoreFailed), or ErrClosed.
func (s *Store) Health() error {
	if err := s.failure(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// Failed is closed when a commit fails. The store writes nothing more;
// whoever owns the process should exit and let it be restarted on the
// file's last good state.
func (s *Store) Failed() <-chan struct{} { return s.failed }

func (s *Store) failure() error {
	if err, ok := s.failErr.Load().(*failedError); ok {
		return err
	}
	return nil
}

// fail records the first commit failure and returns the sticky error.
// Called with commitMu held.
func (s *Store) fail(cause error) error {
	if err := s.failure(); err != nil {
		return err
	}
	err := &failedError{cause: cause}
	s.failErr.Store(err)
	close(s.failed)
	return err
}

// Check runs bbolt's consistency check; tests call it after every run.
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var errs []string
		for err := range tx.Check() {
			errs = append(errs, err.Error())
		}
		if len(errs) > 0 {
			return fmt.Errorf("store: check: %s", strings.Join(errs, "; "))
		}
		if err := checkChains(tx); err != nil {
			return fmt.Errorf("store: check: %w", err)
		}
		return nil
	})
}

// view runs a read transaction, honouring ctx before it starts.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	return s.db.View(fn)
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("store: damaged record %x in %s: %w", key, b.String(), err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
