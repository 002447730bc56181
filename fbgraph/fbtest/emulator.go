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
//	/oauth/access_token, /me/accounts (a user token), /debug_token  (oauth.go)
//	/{page}/custom_labels, /{label-id}[/label], /{psid}/custom_labels  (labels.go)
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
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"
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
	// RefuseVariationSelector refuses a reaction carrying U+FE0F ("❤️"),
	// as Instagram is reported to (PLATFORM-2 §4: UNCLEAR on Messenger).
	RefuseVariationSelector bool
	// Pages are more Pages beside the default one, each with its own
	// token (pages.go); ids and tokens must differ from each other's.
	Pages []Page
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
	attachOwner map[string]string // reusable attachment id -> its Page (ids are per Page)
	// refuseMultiByID: message.attachments with attachment_id payloads
	// are refused (RefuseMultiImageByID), as Meta might: undocumented.
	refuseMultiByID bool
	uploads         []Upload // accepted Attachment Upload API calls (upload.go)
	subscribed      []string
	labels          labelBook     // Page custom labels (labels.go)
	templates       templateBook  // Utility Message templates (templates.go)
	oauth           oauthBook     // user tokens, debug_token answers (oauth.go)
	sentSignal      chan struct{} // closed and replaced on every accepted send

	// Faults after acceptance (accept.go).
	acceptNext   []AcceptFault
	acceptRate   float64
	acceptFault  AcceptFault
	acceptRNG    *rand.Rand
	acceptFaults int
	edgeRefusals int
}

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
	checkPages(cfg)
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
		attachOwner: map[string]string{},
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
