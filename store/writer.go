package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	bolt "go.etcd.io/bbolt"
)

// op is one caller's share of a write transaction. apply must check its
// input before it writes anything: when it fails, the whole batch is rolled
// back and every op is re-run alone, so one bad op never fails another's.
// A failed commit is different: nothing is ever re-run (see commitOnce).
type op struct {
	apply func(*wtx) error
	done  chan error
	size  int // events, for batch sizing
}

// wtx is a write transaction plus the changes it will publish on commit.
type wtx struct {
	tx        *bolt.Tx
	s         *Store
	changes   []Change
	convs     map[ConvKey]*convEntry
	convOrder []ConvKey
	written   []convRecord // conversations this transaction wrote, for the cache
}

func (w *wtx) bucket(name []byte) *bolt.Bucket { return w.tx.Bucket(name) }

func (w *wtx) emit(c Change) { w.changes = append(w.changes, c) }

// write runs fn in a transaction: through the group committer, or alone
// when the store was opened with CommitEach.
func (s *Store) write(ctx context.Context, size int, fn func(*wtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// The read lock keeps Close from stopping the writer between our check
	// and our send: an op queued after the writer left would wait forever.
	s.closeMu.RLock()
	if s.closed.Load() {
		s.closeMu.RUnlock()
		return ErrClosed
	}
	if err := s.failure(); err != nil {
		s.closeMu.RUnlock()
		return err
	}
	if s.mode == CommitEach {
		defer s.closeMu.RUnlock()
		return s.commit([]*op{{apply: fn}})[0]
	}
	o := &op{apply: fn, done: make(chan error, 1), size: size}
	select {
	case s.ops <- o:
		s.closeMu.RUnlock()
	case <-ctx.Done():
		s.closeMu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the op will be committed or refused; wait for the
	// answer even if ctx ends, so the caller never acks an unknown outcome.
	return <-o.done
}

// writer is the single goroutine that group-commits queued ops.
func (s *Store) writer() {
	defer s.writerWG.Done()
	for {
		var first *op
		select {
		case first = <-s.ops:
		case <-s.stop:
			// Drain what was queued before Close so no caller waits forever.
			for {
				select {
				case o := <-s.ops:
					s.finish([]*op{o}, s.commit([]*op{o}))
				default:
					return
				}
			}
		}
		// Let other senders reach the queue before draining it; on one CPU
		// this is what turns a stream of callers into real batches.
		runtime.Gosched()
		batch := []*op{first}
		n := first.size
	fill:
		for n < s.maxBatch {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
				n += o.size
			default:
				break fill
			}
		}
		s.finish(batch, s.commit(batch))
	}
}

func (s *Store) finish(batch []*op, errs []error) {
	for i, o := range batch {
		o.done <- errs[i]
	}
}

// commit applies ops in one transaction and publishes their changes. If an
// op refuses its input, the transaction is rolled back (nothing of it
// reached the file) and each op is retried alone, so one bad op never fails
// the others. If the commit itself fails, every op gets the error and
// nothing is retried: see commitOnce.
func (s *Store) commit(batch []*op) []error {
	errs, err := s.commitOnce(batch)
	if err == nil || len(batch) == 1 || errors.Is(err, ErrStoreFailed) {
		return errs
	}
	for i, o := range batch {
		one, _ := s.commitOnce([]*op{o})
		errs[i] = one[0]
	}
	return errs
}

// commitOnce runs batch in one transaction. Publishing under the same lock
// as the commit keeps the feed in commit order even when callers commit on
// their own goroutines (CommitEach).
//
// A commit that returns an error stops the store for good: bbolt may have
// written the transaction's pages and even its meta page before the error
// (an fsync that fails after the write), so running the ops again could
// apply them twice. Every op of the batch, and every later write, gets the
// sticky ErrStoreFailed; the process should exit and reopen the file.
func (s *Store) commitOnce(batch []*op) ([]error, error) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	errs := make([]error, len(batch))
	if err := s.failure(); err != nil {
		return fill(errs, err), err
	}
	var changes []Change
	var written []convRecord
	applied := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		w := &wtx{tx: tx, s: s}
		for i, o := range batch {
			if err := o.apply(w); err != nil {
				errs[i] = err
				return err
			}
		}
		if err := w.flushConvs(); err != nil {
			return err
		}
		changes, written = w.changes, w.written
		applied = true
		return nil
	})
	if applied {
		s.commits++
		if err == nil && s.commits == s.faultCommit {
			err = fmt.Errorf("injected fault (PAGEINBOX_FAULT_COMMIT=%d): commit %d reported failed after writing", s.faultCommit, s.commits)
		}
		if err != nil {
			err = s.fail(err)
			return fill(errs, err), err
		}
	}
	if err != nil {
		if len(batch) == 1 {
			errs[0] = err
		}
		return errs, err
	}
	s.rememberConvs(written)
	s.feed.publish(changes)
	return errs, nil
}

func fill(errs []error, err error) []error {
	for i := range errs {
		errs[i] = err
	}
	return errs
}
