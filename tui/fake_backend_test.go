package tui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// fakeBackend is an in-memory Backend built from store types. It follows
// the store's contract where the TUI can see it: lists are newest activity
// first and paged with an opaque Cursor, threads come oldest first and page
// back in time, sends are checked against the messaging window, every
// mutation publishes the store's changes in the store's order (message
// changes, then outbox items, then the conversation), and a call under a
// cancelled context fails the way the store's does. Every call is
// recorded. inboxtest's contract, run on it and on the store alike
// (TestFakeBackendKeepsTheContract), holds it to that.
type fakeBackend struct {
	mu        sync.Mutex
	now       func() time.Time
	convs     map[store.ConvKey]*store.Conversation
	msgs      map[store.ConvKey][]store.Message // oldest first
	status    store.SystemStatus
	subs      map[chan store.Change]struct{}
	done      chan struct{} // closed by close: every subscription ends
	closed    bool
	seq       uint64
	nextID    int
	camps     fakeCampaigns
	presence  []presenceCall
	draftText map[store.ConvKey]string    // the agent's saved drafts
	teamData  *fakeTeam                   // fake_team_test.go
	uploaded  []fakeUpload                // fake_upload_test.go
	templates map[string][]store.Template // by Page: fake_templates_test.go

	// fail makes a method ("Conversations", "Send", ...) return an error.
	fail map[string]error

	// Recorded calls, in order.
	calls []string
	lists []store.ListQuery
	// pageCounts is each PageCounts call's Page; pageNames names Pages.
	pageCounts []string
	pageNames  map[string]string
	threads    []threadCall
	sends      []store.Send
	resends    []uint64 // items Resend was asked for
	marked     []store.ConvKey
	statuses   []statusCall
	drafts     []draftCall
}

type threadCall struct {
	Key    store.ConvKey
	Before store.Cursor
	Limit  int
}

type statusCall struct {
	Key    store.ConvKey
	Status store.ConvStatus
}

type draftCall struct {
	Key   store.ConvKey
	Draft string
	Err   error // non-nil: the store would have refused it
}

func newFakeBackend(now func() time.Time) *fakeBackend {
	return &fakeBackend{
		now:       now,
		convs:     map[store.ConvKey]*store.Conversation{},
		msgs:      map[store.ConvKey][]store.Message{},
		subs:      map[chan store.Change]struct{}{},
		done:      make(chan struct{}),
		fail:      map[string]error{},
		draftText: map[store.ConvKey]string{},
		status:    store.SystemStatus{Mode: "local", Connected: true},
	}
}

// close ends every subscription (tests call it in Cleanup, so no reader
// goroutine outlives its test).
func (f *fakeBackend) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.done)
	}
}

// --- building the fixture

// add puts a conversation and its messages (any order) in the backend.
// MessageCount and, when unset, the last message and activity are derived
// from the messages.
func (f *fakeBackend) add(c store.Conversation, msgs ...store.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range msgs {
		msgs[i].ConvKey = c.ConvKey
		if msgs[i].ID == "" {
			msgs[i].ID = f.newID("m")
		}
		if msgs[i].Status == "" && msgs[i].Direction == store.In {
			msgs[i].Status = store.StatusReceived
		}
	}
	slices.SortStableFunc(msgs, func(a, b store.Message) int { return a.Time.Compare(b.Time) })
	f.msgs[c.ConvKey] = append(f.msgs[c.ConvKey], msgs...)
	if c.Status == "" {
		c.Status = store.ConvActive
	}
	if n := len(msgs); n > 0 {
		last := msgs[n-1]
		if c.LastMessage == "" {
			c.LastMessage = previewOf(last)
		}
		if c.LastMessageTime.IsZero() {
			c.LastMessageTime = last.Time
		}
		if c.LastActivity.IsZero() {
			c.LastActivity = last.Time
		}
		if c.LastInboundTime.IsZero() {
			for i := n - 1; i >= 0; i-- {
				if msgs[i].Direction == store.In {
					c.LastInboundTime = msgs[i].Time
					break
				}
			}
		}
	}
	if c.MessageCount == 0 {
		c.MessageCount = max(1, len(f.msgs[c.ConvKey]))
	}
	if c.LastActivity.IsZero() {
		c.LastActivity = c.LastMessageTime
	}
	cc := c
	f.convs[c.ConvKey] = &cc
}

func (f *fakeBackend) newID(prefix string) string {
	f.nextID++
	return fmt.Sprintf("%s%04d", prefix, f.nextID)
}

// previewOf is the store's one-line preview of a message.
func previewOf(m store.Message) string {
	text := strings.Join(strings.Fields(m.Text), " ")
	if text == "" && len(m.Attachments) > 0 {
		text = "[" + m.Attachments[0].Type + "]"
	}
	return text
}

// --- driving it from a test, as the webhook and the dispatcher would

// push publishes changes to every subscriber without blocking; a full
// subscriber loses what is queued and gets one Resync, as with the store.
func (f *fakeBackend) push(changes ...store.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.publishLocked(changes)
}

func (f *fakeBackend) publishLocked(changes []store.Change) {
	for i := range changes {
		f.seq++
		changes[i].Seq = f.seq
	}
	for ch := range f.subs {
		for _, c := range changes {
			select {
			case ch <- c:
				continue
			default:
			}
		drain:
			for {
				select {
				case <-ch:
				default:
					break drain
				}
			}
			ch <- store.Change{Seq: f.seq, Kind: store.Resync}
			break
		}
	}
}

// receive stores an inbound message as the webhook would (unread goes up,
// the window reopens) and publishes it.
func (f *fakeBackend) receive(key store.ConvKey, text string, at time.Time) store.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := store.Message{ConvKey: key, ID: f.newID("in"), MID: "mid." + strconv.Itoa(f.nextID),
		Direction: store.In, Text: text, Time: at, Status: store.StatusReceived}
	c := f.convs[key]
	if c == nil {
		c = &store.Conversation{ConvKey: key, Status: store.ConvActive}
		f.convs[key] = c
	}
	f.msgs[key] = append(f.msgs[key], m)
	c.LastMessage, c.LastMessageTime, c.LastInboundTime = previewOf(m), at, at
	c.LastActivity = at
	c.Unread++
	c.MessageCount++
	mc, cc := m, *c
	f.publishLocked([]store.Change{{Kind: store.MessageAdded, Message: &mc}, {Kind: store.ConversationUpdated, Conversation: &cc}})
	return m
}

// touch changes a conversation with fn and publishes it.
func (f *fakeBackend) touch(key store.ConvKey, fn func(*store.Conversation)) store.Conversation {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.convs[key]
	fn(c)
	cc := *c
	f.publishLocked([]store.Change{{Kind: store.ConversationUpdated, Conversation: &cc}})
	return cc
}

// --- reading what the TUI did

func (f *fakeBackend) callCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == method {
			n++
		}
	}
	return n
}

func (f *fakeBackend) listCalls() []store.ListQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.lists)
}

func (f *fakeBackend) threadCalls() []threadCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.threads)
}

func (f *fakeBackend) sendCalls() []store.Send {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sends)
}

func (f *fakeBackend) markReadCalls() []store.ConvKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.marked)
}

func (f *fakeBackend) draftCalls() []draftCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.drafts)
}

func (f *fakeBackend) statusCalls() []statusCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.statuses)
}

func (f *fakeBackend) conv(key store.ConvKey) store.Conversation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.convs[key]
}

// --- Backend

var _ Backend = (*fakeBackend)(nil)

// begin records a call and says whether it fails.
func (f *fakeBackend) begin(ctx context.Context, method string) error {
	f.calls = append(f.calls, method)
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.closed {
		return store.ErrClosed
	}
	return f.fail[method]
}

// sorted is the conversations matching filter, newest activity first.
func (f *fakeBackend) sorted(filter store.Filter, now time.Time) []store.Conversation {
	var out []store.Conversation
	def, err := store.LookupFilter(filter)
	if err != nil {
		return nil
	}
	for _, c := range f.convs {
		if c.MessageCount == 0 || !def.Match(c, now) {
			continue
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b store.Conversation) int {
		return cmp.Or(b.LastActivity.Compare(a.LastActivity), strings.Compare(a.PSID, b.PSID))
	})
	return out
}

func (f *fakeBackend) Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists = append(f.lists, q)
	if err := f.begin(ctx, "Conversations"); err != nil {
		return store.ConversationPage{}, err
	}
	if _, err := store.LookupFilter(q.Filter); err != nil {
		return store.ConversationPage{}, err
	}
	all := teamScoped(f.sorted(q.Filter, f.now()), q)
	if q.Search != "" {
		s := strings.ToLower(strings.TrimSpace(q.Search))
		var hits []store.Conversation
		for _, c := range all {
			if strings.Contains(strings.ToLower(c.Name), s) || strings.Contains(c.PSID, s) ||
				strings.Contains(strings.ToLower(c.LastMessage), s) {
				hits = append(hits, c)
			}
		}
		return store.ConversationPage{Conversations: hits[:min(len(hits), max(q.Limit, 200))]}, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	start := 0
	if q.After != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(string(q.After), "after:"))
		if err != nil || !strings.HasPrefix(string(q.After), "after:") {
			return store.ConversationPage{}, fmt.Errorf("%w: cursor %q", store.ErrInvalid, q.After)
		}
		start = min(n, len(all))
	}
	end := min(start+limit, len(all))
	page := store.ConversationPage{Conversations: slices.Clone(all[start:end])}
	if end < len(all) {
		page.Next = store.Cursor("after:" + strconv.Itoa(end))
	}
	return page, nil
}

func (f *fakeBackend) Counts(ctx context.Context) (store.Counts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Counts"); err != nil {
		return store.Counts{}, err
	}
	return f.countsOf(""), nil
}

func (f *fakeBackend) PageCounts(ctx context.Context, pageID string) (store.Counts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pageCounts = append(f.pageCounts, pageID)
	if err := f.begin(ctx, "PageCounts"); err != nil {
		return store.Counts{}, err
	}
	return f.countsOf(pageID), nil
}

// countsOf counts every filter within a Page ("" every Page).
func (f *fakeBackend) countsOf(pageID string) store.Counts {
	now, q := f.now(), store.ListQuery{PageID: pageID}
	n := func(filter store.Filter) int { return len(teamScoped(f.sorted(filter, now), q)) }
	return store.Counts{All: n(store.FilterAll), Unread: n(store.FilterUnread), Window: n(store.FilterWindow), Done: n(store.FilterDone)}
}

func (f *fakeBackend) Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.threads = append(f.threads, threadCall{key, before, limit})
	if err := f.begin(ctx, "Thread"); err != nil {
		return store.ThreadPage{}, err
	}
	if _, ok := f.convs[key]; !ok {
		return store.ThreadPage{}, fmt.Errorf("%w: conversation %s", store.ErrNotFound, key)
	}
	if limit <= 0 {
		limit = 50
	}
	msgs := f.msgs[key]
	end := len(msgs)
	if before != "" {
		i := slices.IndexFunc(msgs, func(m store.Message) bool { return m.ID == string(before) })
		if i < 0 {
			return store.ThreadPage{}, fmt.Errorf("%w: cursor %q", store.ErrInvalid, before)
		}
		end = i
	}
	start := max(0, end-limit)
	page := store.ThreadPage{Messages: slices.Clone(msgs[start:end])}
	if start > 0 {
		page.Before = store.Cursor(msgs[start].ID) // the oldest message handed out
	}
	return page, nil
}

func (f *fakeBackend) Send(ctx context.Context, s store.Send) (store.OutboxItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends = append(f.sends, s)
	if err := f.begin(ctx, "Send"); err != nil {
		return store.OutboxItem{}, err
	}
	if s.MessagingType == "" {
		s.MessagingType = store.Response
	}
	if err := f.fillTemplateLocked(&s); err != nil {
		return store.OutboxItem{}, err
	}
	if err := store.CheckText(s.Text, s.ImageURL); err != nil && s.UploadedFile.AttachmentID == "" {
		return store.OutboxItem{}, err
	}
	c, ok := f.convs[s.ConvKey]
	if !ok {
		return store.OutboxItem{}, fmt.Errorf("%w: conversation %s", store.ErrNotFound, s.ConvKey)
	}
	now := f.now()
	if d := store.CheckSend(c.LastInboundTime, now, s.MessagingType, s.Tag); !d.Allowed {
		return store.OutboxItem{}, fmt.Errorf("%w: %s", store.ErrOutsideWindow, d.Reason)
	}
	if err := f.checkReplyToLocked(s); err != nil {
		return store.OutboxItem{}, err
	}
	m := store.Message{ConvKey: s.ConvKey, ID: f.newID("out"), Direction: store.Out, Text: s.Text,
		Time: now, Status: store.StatusQueued, ReplyTo: s.ReplyTo, Template: templateName(s)}
	f.msgs[s.ConvKey] = append(f.msgs[s.ConvKey], m)
	c.LastMessage, c.LastMessageTime, c.LastActivity = previewOf(m), now, now
	c.MessageCount++
	item := store.OutboxItem{ID: uint64(f.nextID), ConvKey: s.ConvKey, MessageID: m.ID, Text: s.Text,
		MessagingType: s.MessagingType, Tag: s.Tag, ReplyTo: s.ReplyTo, Template: s.Template, State: store.OutboxQueued, CreatedAt: now, UpdatedAt: now,
		UploadedFile: s.UploadedFile}
	mc, cc, ic := m, *c, item
	f.publishLocked([]store.Change{
		{Kind: store.MessageAdded, Message: &mc},
		{Kind: store.OutboxChanged, Outbox: &ic},
		{Kind: store.ConversationUpdated, Conversation: &cc},
	})
	return item, nil
}

// Resend queues the message an unknown item shows once more, as Send.
func (f *fakeBackend) Resend(ctx context.Context, id uint64) (store.OutboxItem, error) {
	f.mu.Lock()
	f.resends = append(f.resends, id)
	var send *store.Send
	for key, msgs := range f.msgs {
		for _, m := range msgs {
			if m.OutboxID == id && m.Status == store.StatusUnknown {
				send = &store.Send{ConvKey: key, Text: m.Text}
			}
		}
	}
	f.mu.Unlock()
	if send == nil {
		return store.OutboxItem{}, fmt.Errorf("%w: item %d is not unknown", store.ErrInvalid, id)
	}
	return f.Send(ctx, *send)
}

// update applies fn to a conversation and publishes it if it changed.
func (f *fakeBackend) update(key store.ConvKey, fn func(*store.Conversation)) error {
	c, ok := f.convs[key]
	if !ok {
		return fmt.Errorf("%w: conversation %s", store.ErrNotFound, key)
	}
	old := *c
	fn(c)
	if *c != old {
		cc := *c
		f.publishLocked([]store.Change{{Kind: store.ConversationUpdated, Conversation: &cc}})
	}
	return nil
}

func (f *fakeBackend) MarkRead(ctx context.Context, key store.ConvKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.marked = append(f.marked, key)
	if err := f.begin(ctx, "MarkRead"); err != nil {
		return err
	}
	return f.update(key, func(c *store.Conversation) { c.Unread = 0 })
}

func (f *fakeBackend) SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = append(f.statuses, statusCall{key, st})
	if err := f.begin(ctx, "SetStatus"); err != nil {
		return err
	}
	if st != store.ConvActive && st != store.ConvDone {
		return fmt.Errorf("%w: conversation status %q", store.ErrInvalid, st)
	}
	return f.update(key, func(c *store.Conversation) { c.Status = st })
}

func (f *fakeBackend) SaveDraft(ctx context.Context, key store.ConvKey, draft string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.begin(ctx, "SaveDraft")
	if _, ok := f.convs[key]; err == nil && !ok {
		err = fmt.Errorf("%w: conversation %s", store.ErrNotFound, key)
	}
	if err == nil {
		f.draftText[key] = draft
	}
	f.drafts = append(f.drafts, draftCall{key, draft, err})
	return err
}

func (f *fakeBackend) Draft(ctx context.Context, key store.ConvKey) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Draft"); err != nil {
		return "", err
	}
	return f.draftText[key], nil
}

// draft is what the backend holds as the agent's draft in a thread.
func (f *fakeBackend) draft(key store.ConvKey) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.draftText[key]
}

func (f *fakeBackend) Subscribe(ctx context.Context) (<-chan store.Change, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Subscribe"); err != nil {
		return nil, err
	}
	ch := make(chan store.Change, 256)
	f.subs[ch] = struct{}{}
	go func() {
		select {
		case <-ctx.Done():
		case <-f.done:
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, ch)
		close(ch)
	}()
	return ch, nil
}

func (f *fakeBackend) Status(ctx context.Context) (store.SystemStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Status"); err != nil {
		return store.SystemStatus{}, err
	}
	return f.status, nil
}

// errFake is what a test makes a method fail with.
var errFake = errors.New("fake backend: induced failure")
