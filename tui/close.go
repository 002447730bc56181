package tui

import (
	"context"
	"errors"
	"sync"

	"github.com/pageinbox/pageinbox/store"
)

// Close ends what the session holds when its program stopped without q (a
// dropped SSH connection, a signal): it keeps the draft being written,
// tells the others this agent has left, makes every draft save and
// presence change the program decided but never ran, and ends the change
// feed and every backend call under way. Call it once the program has
// returned; after q there is nothing left to write.
func (m *Model) Close(ctx context.Context) error {
	defer m.cancel()
	m.restoreTitle()
	if key, text, ok := m.compose.TakeDraft(); ok {
		be := m.be
		m.writes.decide(key, func(ctx context.Context) error { return be.SaveDraft(ctx, key, text) })
	}
	if m.said.key != (store.ConvKey{}) || m.said.typing {
		m.said.key, m.said.typing = store.ConvKey{}, false
		be := m.be
		m.writes.decide(presenceWrite{}, func(ctx context.Context) error { return be.Presence(ctx, store.ConvKey{}, false) })
	}
	return m.writes.flush(ctx)
}

// presenceWrite is what lastWins orders presence writes under.
type presenceWrite struct{}

// lastWins orders a session's writes of one thing (a conversation's
// draft, where the agent is). Update decides a write and takes a ticket;
// the command carrying it runs it later, unless a later ticket's write of
// the same thing got there first. A slow command then never puts back an
// older draft or presence, and flush can make every write that was
// decided but never ran: a program that is killed drops the commands it
// had not started.
type lastWins struct {
	mu      sync.Mutex
	issued  uint64
	pending map[any]decidedWrite // the newest write of each thing not yet made
	written map[any]uint64       // the ticket of each thing's last write
}

type decidedWrite struct {
	ticket uint64
	write  func(context.Context) error
}

func newLastWins() *lastWins {
	return &lastWins{pending: map[any]decidedWrite{}, written: map[any]uint64{}}
}

// decide records write as the newest of what and returns its ticket.
func (w *lastWins) decide(what any, write func(context.Context) error) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.issued++
	w.pending[what] = decidedWrite{w.issued, write}
	return w.issued
}

// do makes write, the write of ticket, unless a later one of what was
// made.
func (w *lastWins) do(ctx context.Context, what any, ticket uint64, write func(context.Context) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.written[what] >= ticket {
		return nil
	}
	if w.pending[what].ticket == ticket {
		delete(w.pending, what)
	}
	w.written[what] = ticket
	return write(ctx)
}

// flush makes every decided write not yet made, the newest of each thing.
func (w *lastWins) flush(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for what, p := range w.pending {
		delete(w.pending, what)
		w.written[what] = p.ticket
		errs = append(errs, p.write(ctx))
	}
	return errors.Join(errs...)
}
