package store

import (
	"context"
	"runtime"

	bolt "go.etcd.io/bbolt"
)

// op is one caller's share of a write transaction. apply must check its
// input before it writes anything: when it fails, the whole batch is rolled
// back and every op is re-run alone, so one bad op never fails another's.
type op struct {
	apply func(*wtx) error
	done  chan error
	size  int // events, for batch sizing
}

// wtx is a write transaction plus the changes it will publish on commit.
type wtx struct {
	tx      *bolt.Tx
	s       *Store
	changes []Change
}

func (w *wtx) bucket(name []byte) *bolt.Bucket { return w.tx.Bucket(name) }

func (w *wtx) emit(c Change) { w.changes = append(w.changes, c) }

// write runs fn in a transaction: through the group committer, or alone
// when the store was opened with CommitEach.
func (s *Store) write(ctx context.Context, size int, fn func(*wtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	if s.mode == CommitEach {
		return s.commit([]*op{{apply: fn}})[0]
	}
	o := &op{apply: fn, done: make(chan error, 1), size: size}
	select {
	case s.ops <- o:
	case <-s.stop:
		return ErrClosed
	case <-ctx.Done():
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

// commit applies ops in one transaction and publishes their changes. If any
// op fails, the transaction is rolled back and each op is retried alone.
func (s *Store) commit(batch []*op) []error {
	errs := make([]error, len(batch))
	var changes []Change
	err := s.db.Update(func(tx *bolt.Tx) error {
		w := &wtx{tx: tx, s: s}
		for i, o := range batch {
			if err := o.apply(w); err != nil {
				errs[i] = err
				return err
			}
		}
		changes = w.changes
		return nil
	})
	if err == nil {
		s.feed.publish(changes)
		return errs
	}
	if len(batch) == 1 {
		errs[0] = err
		return errs
	}
	for i, o := range batch {
		errs[i] = s.commit([]*op{o})[0]
	}
	return errs
}
