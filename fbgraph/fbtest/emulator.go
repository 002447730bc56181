// Package fbtest is a Meta emulator good enough to develop against: a fake
// Graph API server with the Send API's rules and faults (24 h window,
// HUMAN_AGENT, retired tags, limits, error envelopes, rate limits, expired
// tokens, appsecret_proof), User Profile and Conversations APIs with
// cursor paging, subscribed_apps, signed echo/delivery/read webhooks, a
// signed-webhook Driver that posts the events of docs/meta-platform.md §3, and a
// Crowd of simulated customers for `pageinbox demo`.
//
// Everything listens on and talks to loopback only.
//
// Graph paths may carry any version segment v<digits>.<digits> (or none).
// Every call is authenticated first: the token comes from
// "Authorization: Bearer|OAuth <t>" or the access_token parameter (query,
// form or JSON body); missing or wrong is 190/467, expired 190/463; with
// RequireProof a missing or wrong appsecret_proof is 100. Then:
//
//	POST /{me|page}/messages             Send API (JSON, form or multipart body)
//	POST /{me|page}/message_attachments  reusable upload -> attachment_id
//	GET  /{me|page}                      {"id","name"}
//	GET  /{psid}?fields=...              User Profile (unknown: 100/2018001)
//	GET  /{me|page}/conversations        cursor-paged, newest first (user_id filter too)
//	GET  /{t_...}, /{t_...}/messages, /{m_...}  one thread, its 20 messages, one message
//	GET|POST|DELETE /{me|page}/subscribed_apps
//	anything else                        400, 100/33 "Unsupported <method> request"
//
// The Send API checks, in order: the fault knobs (rate limit 613, then
// FailNext, then the error rate), recipient.id (unknown: 100/2018001),
// exactly one of message and sender_action, notification_type, then for
// a message messaging_type and tag (RESPONSE/UPDATE take no tag;
// MESSAGE_TAG needs HUMAN_AGENT, every other tag is 100), the message
// (exactly one of text, attachment, sticker_id; text and metadata under
// 2000 and 1000 runes; at most 13 quick replies), then the person
// (unavailable: 551/1545041), then the window: RESPONSE, UPDATE and sender
// actions need the customer's last inbound action less than 24 h ago,
// HUMAN_AGENT less than 7 days ago, else 10/2018278. Before all of that
// an edge may refuse the call (RefuseAtEdge: 502, HTML, nothing sent);
// after a message is accepted its answer may still be lost
// (FaultAfterAccept, SetAcceptFaultRate: a 502 from an edge, a cut
// connection, a stall) while the customer gets it and the echo comes.
//
// Two clocks are used on purpose. Config.Now is Meta's clock: it stamps
// sends, webhooks and conversations, and decides the messaging windows,
// so tests can move it. Latency, the rate limiter and the webhook delays
// run on real (monotonic) time, so a test with a frozen Config.Now still
// sees a rate limit refill and delayed webhooks arrive.
package fbtest

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults of Config.
const (
	DefaultPageID    = "1000000000000001"
	DefaultPageName  = "Demo Shop"
	DefaultPageToken = "test-page-token"
	DefaultAppSecret = "test-app-secret"
	DefaultAppID     = "1517776481860111"
	// PageInboxAppID is the app id Meta's own Page Inbox puts in echoes of
	// replies that people type there (docs/meta-platform.md §3.3).
	PageInboxAppID = "263902037430900"
)

// DefaultSubscribedFields are the Page's subscribed_apps fields at start.
var DefaultSubscribedFields = []string{
	"messages", "messaging_postbacks", "message_deliveries",
	"message_reads", "message_echoes", "message_reactions",
}

// Config configures a Server. The zero value works.
type Config struct {
	PageID, PageName string // defaults DefaultPageID, DefaultPageName
	PageToken        string // the one token accepted; default DefaultPageToken
	// AppSecret signs the webhooks the server posts and checks
	// appsecret_proof; default DefaultAppSecret.
	AppSecret string
	// RequireProof is the app setting "Require App Secret": every call must
	// carry appsecret_proof = hex(HMAC-SHA256(key=AppSecret, token)).
	RequireProof bool
	AppID        string // default DefaultAppID; echoes' app_id
	// WebhookURL receives the echoes, deliveries and reads, signed with
	// AppSecret; "" posts nothing.
	WebhookURL string
	// Echoes posts a message_echoes event for every accepted send, carrying
	// the send's metadata.
	Echoes bool
	// DeliveryDelay and ReadDelay: 0 posts no delivery (read) events;
	// otherwise one is posted that long after each send, its watermark the
	// send's time.
	DeliveryDelay, ReadDelay time.Duration
	// Now is Meta's clock (default time.Now): windows, timestamps.
	Now func() time.Time
	// Seed makes mids, error rates and trace ids repeatable.
	Seed int64
	// Logf, when set, hears about webhook posts that failed.
	Logf func(format string, args ...any)
	// WebhookClient posts the webhooks; default: a client with a 20 s
	// timeout (Meta's).
	WebhookClient *http.Client
	// WebhookBackoff is the wait before the first retry of a failed
	// webhook POST; it grows 4x per retry, 3 retries, then the POST is
	// dropped. Default 100 ms.
	WebhookBackoff time.Duration
}

// Sent is one accepted Send API message.
type Sent struct {
	PSID, MID, Text, ImageURL, MessagingType, Tag, Metadata string
	QuickReplies                                            int
	At                                                      time.Time // Config.Now at the send

	AttachmentType string // image, audio, video, file, template, sticker; "" for text
	AttachmentURL  string // payload.url (also in ImageURL for images)
	AttachmentID   string // the reusable attachment's id, given or returned; a sticker's sticker_id
	ReplyTo        string // reply_to mid, if any
}

// Action is one accepted sender action (typing_on, typing_off, mark_seen).
type Action struct {
	PSID, Action string
	At           time.Time
}

// Request is one HTTP request the Graph server received, raw.
type Request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
	Status                 int // 0 while the request is still being answered
	At                     time.Time
}

// Server is the fake Graph API. Its methods are safe for concurrent use.
type Server struct {
	cfg    Config
	ts     *httptest.Server
	hooks  *poster
	closed chan struct{}
	once   sync.Once

	mu          sync.Mutex
	token       string
	expired     bool
	latency     time.Duration
	errRate     float64
	bucket      *bucket
	failNext    []failSpec
	faultRNG    *rand.Rand // error rate only: its sequence depends on nothing else
	idRNG       *rand.Rand // mids, trace ids
	seq         uint64
	users       map[string]*user
	convSeq     int
	sent        []Sent
	actions     []Action
	requests    []Request
	calls       map[int]int
	attachments map[string]string // reusable attachment id -> url
	subscribed  []string
	sentSignal  chan struct{} // closed and replaced on every accepted send

	// Faults after acceptance (accept.go).
	acceptNext   []AcceptFault
	acceptRate   float64
	acceptFault  AcceptFault
	acceptRNG    *rand.Rand
	acceptFaults int
	edgeRefusals int
}

type user struct {
	psid, name  string
	lastInbound time.Time
	unavailable bool
	convID      string // "" until the conversation exists
	updated     time.Time
	msgs        []histMsg // oldest first
}

type histMsg struct {
	seq      uint64
	mid      string
	text     string
	fromPage bool
	at       time.Time
	attType  string
	attURL   string
}

type failSpec struct{ code, subcode, status int }

// NewServer starts an emulator on 127.0.0.1.
func NewServer(cfg Config) *Server {
	if cfg.PageID == "" {
		cfg.PageID = DefaultPageID
	}
	if cfg.PageName == "" {
		cfg.PageName = DefaultPageName
	}
	if cfg.PageToken == "" {
		cfg.PageToken = DefaultPageToken
	}
	if cfg.AppSecret == "" {
		cfg.AppSecret = DefaultAppSecret
	}
	if cfg.AppID == "" {
		cfg.AppID = DefaultAppID
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	seed := uint64(cfg.Seed)
	s := &Server{
		cfg:         cfg,
		closed:      make(chan struct{}),
		token:       cfg.PageToken,
		faultRNG:    rand.New(rand.NewPCG(seed, 0x6661756c74)),
		idRNG:       rand.New(rand.NewPCG(seed, 0x6964)),
		users:       map[string]*user{},
		calls:       map[int]int{},
		attachments: map[string]string{},
		subscribed:  slices.Clone(DefaultSubscribedFields),
		sentSignal:  make(chan struct{}),
	}
	client := cfg.WebhookClient
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.WebhookBackoff <= 0 {
		cfg.WebhookBackoff = 100 * time.Millisecond
	}
	s.cfg = cfg
	s.hooks = newPoster(cfg.WebhookURL, cfg.AppSecret, cfg.PageID, client, cfg.Now, cfg.Logf)
	s.hooks.backoff = cfg.WebhookBackoff
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the base URL, e.g. http://127.0.0.1:PORT; the client appends
// /v25.0/... to it.
func (s *Server) URL() string { return s.ts.URL }

// Config is the configuration in effect, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// PageID is the emulated Page's id.
func (s *Server) PageID() string { return s.cfg.PageID }

// Close stops the server and the webhook poster; webhooks not yet posted
// are dropped. Close is idempotent.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		s.hooks.close()
		s.ts.Close()
	})
}

// ---- customers ----

// AddUser adds a person who can message the Page; profile lookups return
// name ("First Last...": first_name is the first word). Adding a known
// PSID renames it.
func (s *Server) AddUser(psid, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[psid]; u != nil {
		u.name = name
		return
	}
	s.users[psid] = &user{psid: psid, name: name}
}

// userLocked returns the user, adding an unknown PSID with a made-up
// name ("Customer 1234") so that Inbound and CustomerWrites never fail.
func (s *Server) userLocked(psid string) *user {
	u := s.users[psid]
	if u == nil {
		tail := psid
		if len(tail) > 4 {
			tail = tail[len(tail)-4:]
		}
		u = &user{psid: psid, name: "Customer " + tail}
		s.users[psid] = u
	}
	return u
}

func (s *Server) ensureConvLocked(u *user) {
	if u.convID == "" {
		s.convSeq++
		u.convID = fmt.Sprintf("t_%d", 100000000000000+s.convSeq)
	}
}

func (s *Server) touchLocked(u *user, at time.Time) {
	s.ensureConvLocked(u)
	if at.After(u.updated) {
		u.updated = at
	}
}

// Inbound records that the user wrote at `at`, which (re)opens the 24 h
// window, without posting a webhook. The last call wins, so a test can
// move a user's window back as well as forward. The conversation exists
// from then on (with no message in it); an unknown PSID is added.
func (s *Server) Inbound(psid string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(psid)
	u.lastInbound = at
	s.touchLocked(u, at)
}

// InboundMessage records a message the user wrote at `at` (opening the
// window and adding it to the conversation's history) without posting a
// webhook; mid "" makes one up. It returns the mid.
func (s *Server) InboundMessage(psid, mid, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mid == "" {
		mid = s.newMIDLocked()
	}
	u := s.userLocked(psid)
	if at.After(u.lastInbound) {
		u.lastInbound = at
	}
	s.addHistoryLocked(u, histMsg{mid: mid, text: text, at: at})
	return mid
}

// PageInboxReply records a reply a person typed in Meta's own Page Inbox
// (not through the Send API): it joins the conversation and, with
// Config.Echoes, is echoed with Meta Page Inbox's app_id and no metadata.
// No window is checked. It returns the mid.
func (s *Server) PageInboxReply(psid, text string) string {
	s.mu.Lock()
	now := s.cfg.Now()
	mid := s.newMIDLocked()
	u := s.userLocked(psid)
	s.addHistoryLocked(u, histMsg{mid: mid, text: text, fromPage: true, at: now})
	echo := s.cfg.Echoes && s.subscribedLocked("message_echoes")
	s.mu.Unlock()
	if echo {
		s.hooks.add(time.Now(), echoElement(s.cfg.PageID, PageInboxAppID, Sent{PSID: psid, MID: mid, Text: text, At: now}))
	}
	return mid
}

func (s *Server) addHistoryLocked(u *user, m histMsg) {
	s.seq++
	m.seq = s.seq
	u.msgs = append(u.msgs, m)
	s.touchLocked(u, m.at)
}

// ---- fault knobs ----

// SetLatency makes every Graph call wait d before it is answered.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetErrorRate answers a fraction p of Send API calls with HTTP 500, code
// 2, is_transient true. The draws come from Config.Seed, so the same
// sequence of calls fails the same way every run.
func (s *Server) SetErrorRate(p float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errRate = p
}

// SetRateLimit limits Send API calls to perSecond with bursts of burst
// (a token bucket on real time); beyond it calls get HTTP 400, code 613.
// perSecond <= 0 removes the limit; burst <= 0 means max(1, perSecond).
func (s *Server) SetRateLimit(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		s.bucket = nil
		return
	}
	b := float64(burst)
	if burst <= 0 {
		b = math.Max(1, math.Ceil(perSecond))
	}
	s.bucket = &bucket{rate: perSecond, burst: b, tokens: b, last: time.Now()}
}

// ExpireToken makes every later call with the Page token fail with
// 190/463 "Error validating access token: Session has expired".
func (s *Server) ExpireToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expired = true
}

// SetToken replaces the accepted Page token (a reissued token), which is
// not expired.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.expired = token, false
}

// SetUnavailable makes sends to psid fail with 551/1545041 "This person
// isn't available right now." (blocked the Page, deactivated, ...). The
// PSID is added if unknown.
func (s *Server) SetUnavailable(psid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(psid).unavailable = true
}

// FailNext makes the next n Send API calls (that pass authentication)
// fail with exactly this code, subcode and HTTP status, in Meta's
// envelope with Meta's message for the code.
func (s *Server) FailNext(n int, code, subcode, httpStatus int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, failSpec{code, subcode, httpStatus})
	}
}

// SetSubscribedFields sets the Page's subscribed_apps fields; none means
// the app is not subscribed to the Page. Echoes, deliveries and reads
// are posted only for subscribed fields, as Meta does.
func (s *Server) SetSubscribedFields(fields []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subscribed = slices.Clone(fields)
}

// SubscribedFields are the Page's subscribed fields now.
func (s *Server) SubscribedFields() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subscribed)
}

func (s *Server) subscribedLocked(field string) bool {
	return s.cfg.WebhookURL != "" && slices.Contains(s.subscribed, field)
}

// ---- the record ----

// Sent lists every accepted send, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo lists the accepted sends to psid, in order.
func (s *Server) SentTo(psid string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.PSID == psid {
			out = append(out, m)
		}
	}
	return out
}

// Actions lists every accepted sender action, in order.
func (s *Server) Actions() []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.actions)
}

// Requests lists every HTTP request received, raw, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Calls counts the calls answered with this Meta error code (e.g. 613).
func (s *Server) Calls(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[code]
}

// SentSignal returns a channel that is closed at the next accepted send.
func (s *Server) SentSignal() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentSignal
}

// ---- ids ----

// newMIDLocked is a unique message id shaped like Meta's: "m_" and 22
// URL-safe characters (a counter and random bits).
func (s *Server) newMIDLocked() string {
	s.seq++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.idRNG.Uint64())
	binary.BigEndian.PutUint64(b[8:], s.seq)
	return "m_" + base64.RawURLEncoding.EncodeToString(b[:])
}

const traceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

func (s *Server) traceIDLocked() string {
	var b strings.Builder
	for range 11 {
		b.WriteByte(traceAlphabet[s.idRNG.IntN(len(traceAlphabet))])
	}
	return b.String()
}

// ---- rate limit ----

type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *bucket) take(now time.Time) bool {
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
