package fbtest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// MarshalMeta encodes v the way Meta's webhook bodies look: compact JSON
// with every non-ASCII character as a lowercase \uXXXX escape (surrogate
// pairs beyond the BMP) and "/" as "\/". The signature covers exactly
// these bytes, so a receiver that re-encodes the JSON before checking it
// fails, as it would with Meta (docs/meta-platform.md §2.1).
func MarshalMeta(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeMeta(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// escapeMeta rewrites valid compact JSON: outside strings there is no
// '/' and no non-ASCII byte, so every occurrence is inside a string.
func escapeMeta(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/':
			out = append(out, '\\', '/')
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			i += n
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		}
	}
	return out
}

// StatusError is a webhook POST answered with a non-2xx status.
type StatusError struct {
	StatusCode int
	Body       string // the start of the answer
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("fbtest: webhook answered %d: %s", e.StatusCode, e.Body)
}

// postSigned POSTs body to url signed the way Meta signs: X-Hub-Signature-256
// (and the legacy sha1 X-Hub-Signature) with the app secret.
func postSigned(ctx context.Context, client *http.Client, url, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set("X-Hub-Signature-256", signatureSHA256(body, secret))
	req.Header.Set("X-Hub-Signature", signatureSHA1(body, secret))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{StatusCode: resp.StatusCode, Body: string(bytes.TrimSpace(head))}
	}
	return nil
}

// WebhookStats counts the server's own webhook posts.
type WebhookStats struct {
	Posted  int // POSTs answered 2xx
	Retried int // failed attempts that were tried again
	Dropped int // POSTs given up after the last retry (or at Close)
	Pending int // events waiting (delayed, or queued behind a post)
}

// webhook retries: attempts after the first, and the first backoff
// (multiplied by 4 each time).
const (
	hookRetries = 3
	hookBatch   = 100 // events in one POST at most
)

type hookItem struct {
	due   time.Time
	seq   uint64
	elem  map[string]any
	stamp bool   // set "timestamp" to Meta's clock when posted
	page  string // entry[].id
}

// poster posts the server's webhooks from one goroutine, in due order,
// batching the events that are due together into one POST, and waiting
// for each POST's answer before the next, as Meta does.
type poster struct {
	url, secret, pageID string
	client              *http.Client
	now                 func() time.Time
	logf                func(string, ...any)
	backoff             time.Duration // first retry

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{}

	mu       sync.Mutex
	items    []hookItem // sorted by (due, seq)
	seq      uint64
	inflight int
	stats    WebhookStats
}

func newPoster(url, secret, pageID string, client *http.Client, now func() time.Time, logf func(string, ...any)) *poster {
	ctx, cancel := context.WithCancel(context.Background())
	p := &poster{url: url, secret: secret, pageID: pageID, client: client, now: now, logf: logf,
		ctx: ctx, cancel: cancel, done: make(chan struct{}), wake: make(chan struct{}, 1)}
	if url == "" {
		close(p.done)
		return p
	}
	go p.run()
	return p
}

// addFor queues an event of the Page page.
func (p *poster) addFor(page string, due time.Time, elem map[string]any) {
	p.enqueue(page, due, elem, false)
}

// enqueue queues an event of the Page page; stamp sets its timestamp
// when it is posted.
func (p *poster) enqueue(page string, due time.Time, elem map[string]any, stamp bool) {
	if p.url == "" {
		return
	}
	p.mu.Lock()
	if p.ctx.Err() != nil {
		p.mu.Unlock()
		return
	}
	p.seq++
	it := hookItem{due: due, seq: p.seq, elem: elem, stamp: stamp, page: page}
	i, _ := slices.BinarySearchFunc(p.items, it, func(a, b hookItem) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	p.items = slices.Insert(p.items, i, it)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *poster) run() {
	defer close(p.done)
	for {
		p.mu.Lock()
		now := time.Now()
		n := 0
		for n < len(p.items) && n < hookBatch && !p.items[n].due.After(now) {
			n++
		}
		batch := slices.Clone(p.items[:n])
		p.items = slices.Delete(p.items, 0, n)
		wait := time.Duration(-1)
		if n == 0 && len(p.items) > 0 {
			wait = p.items[0].due.Sub(now)
		}
		p.inflight = n
		p.mu.Unlock()

		if n > 0 {
			p.deliver(batch)
			p.mu.Lock()
			p.inflight = 0
			p.mu.Unlock()
			continue
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if wait >= 0 {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-p.ctx.Done():
			return
		case <-p.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

func (p *poster) deliver(batch []hookItem) {
	now := p.now()
	body, err := MarshalMeta(map[string]any{"object": "page", "entry": p.entries(batch, now)})
	if err != nil {
		p.logf("fbtest: webhook body: %v", err)
		return
	}
	backoff := p.backoff
	for attempt := 0; ; attempt++ {
		err := postSigned(p.ctx, p.client, p.url, p.secret, body)
		if err == nil {
			p.mu.Lock()
			p.stats.Posted++
			p.mu.Unlock()
			return
		}
		if attempt >= hookRetries || p.ctx.Err() != nil {
			p.logf("fbtest: webhook POST of %d events dropped after %d attempts: %v", len(batch), attempt+1, err)
			p.mu.Lock()
			p.stats.Dropped++
			p.mu.Unlock()
			return
		}
		p.logf("fbtest: webhook POST failed (attempt %d), retrying in %s: %v", attempt+1, backoff, err)
		p.mu.Lock()
		p.stats.Retried++
		p.mu.Unlock()
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-p.ctx.Done():
			t.Stop()
		}
		backoff *= 4
	}
}

// entries groups a batch into one entry per Page, in order of first
// appearance, as Meta batches several Pages' events into one POST.
func (p *poster) entries(batch []hookItem, now time.Time) []any {
	var pages []string
	byPage := map[string][]any{}
	for _, it := range batch {
		e := it.elem
		if it.stamp {
			e = maps.Clone(e)
			e["timestamp"] = now.UnixMilli()
		}
		page := cmp.Or(it.page, p.pageID)
		if _, ok := byPage[page]; !ok {
			pages = append(pages, page)
		}
		byPage[page] = append(byPage[page], e)
	}
	out := make([]any, len(pages))
	for i, page := range pages {
		out[i] = map[string]any{"id": page, "time": now.UnixMilli(), "messaging": byPage[page]}
	}
	return out
}

func (p *poster) close() {
	p.mu.Lock()
	p.cancel()
	p.mu.Unlock()
	<-p.done
}

func (p *poster) statsNow() WebhookStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.stats
	st.Pending = len(p.items) + p.inflight
	return st
}

// WebhookStats reports the server's own webhook posts so far.
func (s *Server) WebhookStats() WebhookStats { return s.hooks.statsNow() }

// Flush waits until every echo, delivery and read scheduled so far has
// been posted (or dropped), including delayed ones; ctx bounds the wait.
func (s *Server) Flush(ctx context.Context) error {
	for {
		if s.hooks.statsNow().Pending == 0 {
			return nil
		}
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.closed:
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}
