// Package webhook is the daemon's HTTP face toward Meta: the Messenger
// webhook (verification, signed POSTs, durable acknowledgement) and the
// health check.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pageinbox/pageinbox/store"
)

// Names looks up the names of new customers off the POST's path (the
// inbox's Namer); Want must never block.
type Names interface {
	Want(key store.ConvKey)
}

// Store is what the webhook needs of the store.
type Store interface {
	IngestJournaled(ctx context.Context, raw []byte, events []store.Event) error
	Ingest(ctx context.Context, events []store.Event) error
	JournalRaw(ctx context.Context, raw []byte) (id string, err error)
	EnsurePages(ctx context.Context, ids []string) error
	// Health is nil while the store can commit, else why not.
	Health() error
}

// DefaultMaxBody bounds a POST. Meta batches up to 1000 updates; 4 MiB
// leaves room for that with long texts.
const DefaultMaxBody = 4 << 20

// Config configures a Handler.
type Config struct {
	AppSecret   string // verifies X-Hub-Signature-256; required unless SkipSignature
	VerifyToken string // answers Meta's GET verification
	// SkipSignature accepts unsigned POSTs. Only for local experiments.
	SkipSignature bool
	MaxBody       int64        // default DefaultMaxBody
	Logger        *slog.Logger // default: discard
	Names         Names        // optional: looks up new customers' names
	Now           func() time.Time
	// Connected tells the Pages with a token here; events of others are
	// stored but counted and reported (pages.go). nil: every Page is.
	Connected func(pageID string) bool
}

// Handler serves /webhook and /healthz.
type Handler struct {
	st  Store
	cfg Config
	log *slog.Logger

	pagesMu sync.Mutex
	pages   *boundedSet // pages known to be registered in the store

	unknownSeen *boundedSet // event types already logged
	unconnected unconnected // Pages named by webhooks without a token here

	ack    prometheus.Histogram // POST received -> 200, for /metrics
	commit prometheus.Histogram // the store's part of it: committing the body and its events

	received       atomic.Uint64 // events stored
	posts          atomic.Uint64
	badSig         atomic.Uint64
	unparsable     atomic.Uint64 // bodies Decode could not read at all
	asideBodies    atomic.Uint64 // bodies with anything set aside (unparsable ones too)
	asideEvents    atomic.Uint64 // events (or parts of a body) set aside
	ingestFailures atomic.Uint64 // POSTs answered 500: the store could not commit
	lastEvent      atomic.Int64  // unix nanos
}

// New returns a Handler storing events in st.
func New(st Store, cfg Config) *Handler {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{st: st, cfg: cfg, log: cfg.Logger, pages: newBoundedSet(maxKnownPages),
		unknownSeen: newBoundedSet(maxUnknownTypes),
		ack:         newLatency("pageinbox_webhook_ack_seconds", "Time from receiving a webhook POST to its durable 200."),
		commit: newLatency("pageinbox_webhook_commit_seconds",
			"Time the store took to commit a webhook body and its events (or to fail)."),
	}
}

// Stats are the webhook's counters, for the status bar and /metrics.
type Stats struct {
	Posts             uint64
	Events            uint64
	SignatureFailures uint64
	// Unparsable counts signed bodies Decode could not read at all; they
	// are journaled and acknowledged.
	Unparsable uint64
	// SetAsideBodies counts acknowledged bodies with anything set aside
	// (kept raw in the journal for `replay`), Unparsable ones included;
	// SetAsideEvents the events, or unreadable parts, set aside.
	SetAsideBodies uint64
	SetAsideEvents uint64
	// IngestFailures counts POSTs answered 500 because the store could
	// not commit (Meta redelivers them).
	IngestFailures uint64
	// UnconnectedPageEvents counts events stored for Pages that are not
	// connected (Config.Connected): kept, but nothing can answer them.
	UnconnectedPageEvents uint64
	LastEvent             time.Time
}

// Stats reads the counters.
func (h *Handler) Stats() Stats {
	st := Stats{Posts: h.posts.Load(), Events: h.received.Load(), SignatureFailures: h.badSig.Load(),
		Unparsable: h.unparsable.Load(), SetAsideBodies: h.asideBodies.Load(), SetAsideEvents: h.asideEvents.Load(),
		IngestFailures: h.ingestFailures.Load(), UnconnectedPageEvents: h.unconnected.total()}
	if n := h.lastEvent.Load(); n != 0 {
		st.LastEvent = time.Unix(0, n)
	}
	return st
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/webhook":
		switch r.Method {
		case http.MethodGet:
			h.verify(w, r)
		case http.MethodPost:
			h.receive(w, r)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := h.st.Health(); err != nil {
			// A load balancer or supervisor sees the store cannot commit.
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "store cannot commit: "+err.Error())
			return
		}
		io.WriteString(w, "ok")
	default:
		http.NotFound(w, r)
	}
}

// verify answers Meta's subscription check with the challenge, byte for byte.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	ok := h.cfg.VerifyToken != "" && q.Get("hub.mode") == "subscribe" &&
		subtle.ConstantTimeCompare([]byte(token), []byte(h.cfg.VerifyToken)) == 1
	if !ok {
		h.log.Warn("webhook verification refused", "mode", q.Get("hub.mode"), "remote", r.RemoteAddr)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	h.log.Info("webhook verified by Meta", "remote", r.RemoteAddr)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, q.Get("hub.challenge"))
}

// receive stores a signed POST and answers 200 only once the body is
// durable in the journal and every event it could is stored. What cannot
// be read or stored is set aside (see Handler.store); only a store that cannot
// commit gets a 500, so that Meta redelivers.
func (h *Handler) receive(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	header := r.Header.Get("X-Hub-Signature-256")
	if !h.cfg.SkipSignature {
		// Refused before the body is read: an unsigned POST costs nothing.
		if status, why := checkSignatureHeader(header); status != 0 {
			h.refuse(w, r, status, why)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.Error("webhook POST over the size limit", "limit", h.cfg.MaxBody, "remote", r.RemoteAddr)
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.log.Error("webhook POST body unreadable", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if !h.cfg.SkipSignature {
		if status, why := checkSignature(header, body, h.cfg.AppSecret); status != 0 {
			h.refuse(w, r, status, why)
			return
		}
	}
	h.posts.Add(1)
	var events []store.Event
	var aside []string
	payload, err := Decode(body)
	switch {
	case err != nil:
		h.unparsable.Add(1)
		aside = []string{err.Error()}
	case payload.Object == "page":
		events, aside = h.screen(payload)
	default:
		// Not Messenger: journal it, store no events, and acknowledge, or
		// Meta retries it for hours.
		h.log.Info("webhook POST for another object kept in the journal only", "object", payload.Object)
	}
	storing := time.Now()
	stored, err := h.store(r.Context(), body, events, aside)
	h.commit.Observe(time.Since(storing).Seconds())
	if err != nil {
		h.ingestFailures.Add(1)
		h.log.Error("webhook: the store cannot commit; answering 500 so Meta redelivers", "err", err, "events", len(events))
		http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
		return
	}
	h.received.Add(uint64(len(stored)))
	h.screenPages(stored)
	h.lastEvent.Store(h.cfg.Now().UnixNano())
	h.wantNames(stored)
	h.ack.Observe(time.Since(start).Seconds())
	h.log.Debug("webhook POST stored", "events", len(stored), "took", time.Since(start))
	io.WriteString(w, "EVENT_RECEIVED")
}

func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, why string) {
	h.badSig.Add(1)
	h.log.Warn("webhook POST refused: "+why, "remote", r.RemoteAddr)
	http.Error(w, why, status)
}

// wantNames asks for the names of the customers of new conversations. A
// conversation can begin with the Page's own echo: its customer is the
// echo's recipient, which the event's PSID already is.
func (h *Handler) wantNames(events []store.Event) {
	if h.cfg.Names == nil {
		return
	}
	for _, e := range events {
		switch e.Kind {
		case store.EventMessage, store.EventPostback, store.EventEcho:
			h.cfg.Names.Want(store.ConvKey{PageID: e.PageID, PSID: e.PSID})
		}
	}
}

// screen logs unknown event types once each, and sets aside events the
// store would refuse and the parts of the body that could not be read:
// they stay in the journal (the raw body is kept) and must not make Meta
// retry a POST forever. It returns the events to store and why the others
// were set aside.
func (h *Handler) screen(p Payload) ([]store.Event, []string) {
	for _, typ := range p.Unknown {
		if typ = shortName(typ); h.unknownSeen.Add(typ) {
			h.log.Info("webhook: event type not understood yet; kept raw", "type", typ)
		}
	}
	var aside []string
	for _, err := range p.Problems {
		aside = append(aside, err.Error())
	}
	now := h.cfg.Now()
	kept := p.Events[:0:0]
	for _, e := range p.Events {
		if err := e.Validate(now); err != nil {
			aside = append(aside, err.Error())
			continue
		}
		kept = append(kept, e)
	}
	return kept, aside
}

func (h *Handler) ensurePages(ctx context.Context, events []store.Event) error {
	h.pagesMu.Lock()
	var missing []string
	for _, e := range events {
		if h.pages.Add(e.PageID) {
			missing = append(missing, e.PageID)
		}
	}
	h.pagesMu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	if err := h.st.EnsurePages(ctx, missing); err != nil {
		h.pagesMu.Lock()
		for _, id := range missing {
			h.pages.Remove(id)
		}
		h.pagesMu.Unlock()
		return err
	}
	return nil
}

// checkSignatureHeader checks the form of X-Hub-Signature-256, before the
// body is read. It returns 0 when it may be good, else the status and reason.
func checkSignatureHeader(header string) (int, string) {
	if header == "" {
		return http.StatusUnauthorized, "missing X-Hub-Signature-256"
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return http.StatusUnauthorized, "X-Hub-Signature-256 is not sha256=<hex>"
	}
	if got, err := hex.DecodeString(hexSig); err != nil || len(got) != sha256.Size {
		return http.StatusForbidden, "X-Hub-Signature-256 is not a sha256 hex digest"
	}
	return 0, ""
}

// checkSignature verifies X-Hub-Signature-256 over the raw body. It
// returns 0 when the signature is good, else the status and reason.
func checkSignature(header string, body []byte, secret string) (int, string) {
	if status, why := checkSignatureHeader(header); status != 0 {
		return status, why
	}
	got, _ := hex.DecodeString(strings.TrimPrefix(header, "sha256="))
	if secret == "" || !hmac.Equal(got, Sign(body, secret)) {
		return http.StatusForbidden, "signature does not match the app secret"
	}
	return 0, ""
}

// Sign is the HMAC-SHA256 of body keyed with the app secret: what Meta puts
// in X-Hub-Signature-256 (as "sha256=" + hex).
func Sign(body []byte, secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// SignatureHeader is the X-Hub-Signature-256 value for body.
func SignatureHeader(body []byte, secret string) string {
	return "sha256=" + hex.EncodeToString(Sign(body, secret))
}
