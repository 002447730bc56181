package inbox

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// LabelAPI is the part of the Graph API client the label syncer uses
// (fbgraph.Client).
type LabelAPI interface {
	EnsureLabel(ctx context.Context, pageID, name string) (string, error)
	AddLabel(ctx context.Context, labelID, psid string) error
	RemoveLabel(ctx context.Context, labelID, psid string) error
	LabelsOf(ctx context.Context, psid string) ([]fbgraph.Label, error)
}

// LabelSyncer shares the agents' labels with Meta's Page Inbox in the
// background (docs/meta-platform.md §12): a label an agent puts on a
// conversation is created at Meta if need be and put on the PSID; one
// taken off is taken off. It also re-reads a PSID's labels when Meta
// named a label the store did not know (store.LabelPending). Only the
// agents' own changes come here (Local.LabelsChanged), never the ones the
// store applied from Meta, so nothing goes back where it came from.
//
// When Meta says the Page cannot use labels (2/2018344, the Page Contact
// Terms, or a permission missing) it stops asking, and Notice says why,
// once: labels stay local. Other failures are retried a few times with a
// growing pause. A nil LabelSyncer (no token) does nothing.
type LabelSyncer struct {
	api   LabelAPI
	for_  func(pageID string) (LabelAPI, error) // the API of a Page (pages.go); nil: api
	st    *store.Store
	log   *slog.Logger
	queue chan labelJob
	// Backoff is the first pause before a retry; it doubles each time.
	backoff time.Duration

	mu      sync.Mutex
	notice  string // why labels stay local; "" while Meta takes them
	waiting int    // retries waiting for their pause to end
}

// labelTries bounds the attempts at one change.
const labelTries = 5

// labelJob is one change to make at Meta, or a re-read (name "").
type labelJob struct {
	key   store.ConvKey
	name  string
	add   bool
	tries int
	done  chan struct{} // a Flush: closed when reached
}

// NewLabelSyncer returns a LabelSyncer; call Run to start it.
func NewLabelSyncer(api LabelAPI, st *store.Store, log *slog.Logger) *LabelSyncer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LabelSyncer{api: api, st: st, log: log, queue: make(chan labelJob, 1024), backoff: time.Second}
}

// Changed is told what an agent did to a conversation's labels. It never
// blocks: with the queue full the change stays local (logged), and the
// next `sync` shows the difference.
func (l *LabelSyncer) Changed(key store.ConvKey, added, removed []string) {
	if l == nil {
		return
	}
	for _, n := range added {
		l.enqueue(labelJob{key: key, name: n, add: true})
	}
	for _, n := range removed {
		l.enqueue(labelJob{key: key, name: n})
	}
}

func (l *LabelSyncer) enqueue(j labelJob) {
	select {
	case l.queue <- j:
	default:
		l.log.Warn("label queue full: change kept local", "psid", j.key.PSID, "label", j.name)
	}
}

// Notice is why labels stay local ("" while Meta takes them).
func (l *LabelSyncer) Notice() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.notice
}

func (l *LabelSyncer) off() bool { return l.Notice() != "" }

// Run makes the changes until ctx ends, and re-reads the PSIDs the store
// announces as pending.
func (l *LabelSyncer) Run(ctx context.Context) {
	sub := l.st.Subscribe(256)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case ch, ok := <-sub.C:
			if !ok {
				return
			}
			if ch.Kind == store.LabelPending {
				l.enqueue(labelJob{key: store.ConvKey{PageID: ch.PageID, PSID: ch.PSID}})
			}
		case j := <-l.queue:
			l.run(ctx, j)
		}
	}
}

// run does one job, and schedules its retry after a transient failure.
func (l *LabelSyncer) run(ctx context.Context, j labelJob) {
	if j.done != nil {
		close(j.done)
		return
	}
	if l.off() {
		return
	}
	err := l.do(ctx, j)
	if err == nil || ctx.Err() != nil {
		return
	}
	if fbgraph.LabelsUnavailable(err) {
		l.unavailable(err)
		return
	}
	j.tries++
	if j.tries >= labelTries || !retryable(err) {
		l.log.Warn("label not shared with Meta", "psid", j.key.PSID, "label", j.name, "err", err)
		return
	}
	pause := l.backoff << (j.tries - 1)
	l.mu.Lock()
	l.waiting++
	l.mu.Unlock()
	time.AfterFunc(pause, func() {
		if ctx.Err() == nil {
			l.enqueue(j)
		}
		l.mu.Lock()
		l.waiting--
		l.mu.Unlock()
	})
}

// Flush waits until every change handed over so far, and every retry of
// one, was made or given up (or ctx ends).
func (l *LabelSyncer) Flush(ctx context.Context) {
	if l == nil {
		return
	}
	for {
		done := make(chan struct{})
		select {
		case l.queue <- labelJob{done: done}:
		case <-ctx.Done():
			return
		}
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
		l.mu.Lock()
		idle := l.waiting == 0
		l.mu.Unlock()
		if idle {
			return
		}
		time.Sleep(l.backoff / 4)
	}
}

// retryable: Meta or the network may answer differently next time.
func retryable(err error) bool {
	switch fbgraph.ClassOf(err) {
	case fbgraph.ClassInvalid, fbgraph.ClassPermission, fbgraph.ClassContactTerms:
		return false
	}
	return true
}

// unavailable turns Meta's labels off for this run, with one notice.
func (l *LabelSyncer) unavailable(err error) {
	why := "Meta's labels are not available to this Page token (labels stay in pageinbox): "
	var e *fbgraph.Error
	if errors.As(err, &e) {
		why += e.Reason()
	} else {
		why += err.Error()
	}
	if fbgraph.ClassOf(err) == fbgraph.ClassContactTerms && e != nil {
		why = e.Reason() // says what to do, and where
	}
	l.mu.Lock()
	first := l.notice == ""
	l.notice = why
	l.mu.Unlock()
	if first {
		l.log.Warn("labels stay local", "why", why)
	}
}

// do makes one change at Meta, or re-reads a PSID's labels.
func (l *LabelSyncer) do(ctx context.Context, j labelJob) error {
	if j.name == "" {
		return l.reread(ctx, j.key)
	}
	id, err := l.metaID(ctx, j.key.PageID, j.name, j.add)
	if err != nil || id == "" {
		return err
	}
	api, err := l.apiFor(j.key.PageID)
	if err != nil {
		return err
	}
	if j.add {
		return api.AddLabel(ctx, id, j.key.PSID)
	}
	return api.RemoveLabel(ctx, id, j.key.PSID)
}

// metaID is Meta's id for the Page's label name: the one stored, else
// (create set) the Page's label of that name at Meta, created if need be
// and then stored. "" when the label was never shared and create is off.
func (l *LabelSyncer) metaID(ctx context.Context, pageID, name string, create bool) (string, error) {
	labels, err := l.st.Labels(ctx, pageID)
	if err != nil {
		return "", err
	}
	for _, lb := range labels {
		if lb.Name == name && lb.MetaID != "" {
			return lb.MetaID, nil
		}
	}
	if !create {
		return "", nil // Meta never had it on anyone through us
	}
	api, err := l.apiFor(pageID)
	if err != nil {
		return "", err
	}
	id, err := api.EnsureLabel(ctx, pageID, name)
	if err != nil {
		return "", err
	}
	_, err = l.st.PutLabel(ctx, store.Label{PageID: pageID, Name: name, MetaID: id})
	return id, err
}

// reread merges Meta's labels for the PSID into its conversation.
func (l *LabelSyncer) reread(ctx context.Context, key store.ConvKey) error {
	api, err := l.apiFor(key.PageID)
	if err != nil {
		return err
	}
	_, err = ReadBackLabels(ctx, api, l.st, key)
	return err
}

// ReadBackLabels reads the PSID's labels from Meta and merges them into
// its conversation (store.MergeMetaLabels): Meta's win for the labels it
// has, local ones stay.
func ReadBackLabels(ctx context.Context, api LabelAPI, st *store.Store, key store.ConvKey) (store.Conversation, error) {
	got, err := api.LabelsOf(ctx, key.PSID)
	if err != nil {
		return store.Conversation{}, err
	}
	meta := make([]store.MetaLabel, 0, len(got))
	for _, lb := range got {
		if lb.Name != "" {
			meta = append(meta, store.MetaLabel{ID: lb.ID, Name: lb.Name})
		}
	}
	return st.MergeMetaLabels(ctx, key, meta)
}
