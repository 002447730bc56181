package webhook

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pageinbox/pageinbox/store"
)

// store makes a verified body durable and stores its events; it returns
// the events stored. aside says why parts of the body were already set
// aside (not understood, or refused by Validate).
//
// The common case is one transaction: the raw body in the journal and
// every event. When anything is set aside the body is journaled on its own
// first, then the events are stored in halves until each refusal stands
// alone, so one bad event never costs its neighbours; the set-aside ones
// stay in the journal for `pageinbox replay`. The error is non-nil only
// when the store cannot commit: the caller answers 500.
func (h *Handler) store(ctx context.Context, raw []byte, events []store.Event, aside []string) ([]store.Event, error) {
	if len(aside) == 0 {
		err := h.ensurePages(ctx, events)
		if err == nil {
			err = h.st.IngestJournaled(ctx, raw, events)
		}
		if err == nil {
			return events, nil
		}
		if cannotCommit(err) {
			return nil, err
		}
		// A refusal: the transaction was rolled back; sort it out below.
	}
	id, err := h.st.JournalRaw(ctx, raw)
	if err != nil {
		return nil, err
	}
	if err := h.ensurePages(ctx, events); err != nil && cannotCommit(err) {
		return nil, err
	}
	stored, refused, err := ingestEach(ctx, h.st, events)
	if err != nil {
		return nil, err
	}
	for _, r := range refused {
		aside = append(aside, r.Error())
	}
	if len(aside) > 0 {
		h.asideBodies.Add(1)
		h.asideEvents.Add(uint64(len(aside)))
		h.log.Warn("webhook: set aside, kept raw in the journal for `pageinbox replay`",
			"journal", id, "set_aside", len(aside), "stored", len(stored), "bytes", len(raw), "why", summarise(aside))
	}
	return stored, nil
}

// cannotCommit tells a store that cannot commit (or is gone, or a caller
// that gave up) from a refusal of the input, which is deterministic:
// storing the same events again would be refused again.
func cannotCommit(err error) bool {
	return errors.Is(err, store.ErrStoreFailed) || errors.Is(err, store.ErrClosed) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// ingester is the store's Ingest.
type ingester interface {
	Ingest(ctx context.Context, events []store.Event) error
}

// ingestEach stores events, splitting them in halves on a refusal until
// each refused event stands alone; order is kept. It returns the events
// stored and the refusals; err only when the store cannot commit.
func ingestEach(ctx context.Context, st ingester, events []store.Event) (stored []store.Event, refused []error, err error) {
	if len(events) == 0 {
		return nil, nil, nil
	}
	err = st.Ingest(ctx, events)
	switch {
	case err == nil:
		return events, nil, nil
	case cannotCommit(err):
		return nil, nil, err
	case len(events) == 1:
		e := &events[0]
		return nil, []error{fmt.Errorf("%s event %s from %s: %w", e.Kind, e.MID, e.PSID, err)}, nil
	}
	half := len(events) / 2
	s1, r1, err := ingestEach(ctx, st, events[:half])
	if err != nil {
		return nil, nil, err
	}
	s2, r2, err := ingestEach(ctx, st, events[half:])
	if err != nil {
		return nil, nil, err
	}
	return append(s1, s2...), append(r1, r2...), nil
}

// summarise joins the first few reasons for a log line.
func summarise(reasons []string) string {
	const most, maxLen = 3, 200
	var b strings.Builder
	for i, r := range reasons {
		if i == most {
			fmt.Fprintf(&b, "; and %d more", len(reasons)-most)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		if len(r) > maxLen {
			r = strings.ToValidUTF8(r[:maxLen], "") + "…"
		}
		b.WriteString(r)
	}
	return b.String()
}
