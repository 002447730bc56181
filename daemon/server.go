package daemon

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// Timeouts of a /ws connection (gorilla's chat example): a dead peer is
// found within pongWait, a stuck write fails within writeWait. maxFrame
// bounds one message either way: a campaign's ledger and its items travel
// whole (about 200 bytes a recipient), so it leaves room for hundreds of
// thousands of recipients; only a client holding the API token gets that
// far.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	maxFrame   = 64 << 20
	// maxBatchChanges bounds one "changes" frame; frameLinger is how long
	// the first change of a frame waits for more.
	maxBatchChanges = 256
	frameLinger     = 5 * time.Millisecond
	clientQueueLen  = 1024
)

// Server serves /ws to attached clients, each acting as its agent on the
// inbox. Every client has its own queue; one that cannot keep up is cut
// loose (it reconnects and reloads) and never slows the webhook or the
// other clients.
type Server struct {
	inbox    inbox.Agents
	token    string
	agents   AgentTokens // named agents' tokens; nil: the API token only
	log      *slog.Logger
	upgrader websocket.Upgrader

	mu      sync.Mutex
	clients map[*apiClient]bool
	frames  *frameEncoder
	joined  bool          // a client was added since the last frame: frames.reset
	ready   chan struct{} // closed once Run receives the store's changes

	// UploadDir holds the files clients upload while they arrive (the
	// data dir); "": the system's temporary directory.
	UploadDir string

	attached atomic.Int64
	dropped  atomic.Uint64
}

// NewServer serves in to clients presenting token.
func NewServer(in inbox.Agents, token string, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{inbox: in, token: token, log: log, clients: map[*apiClient]bool{}, frames: newFrameEncoder(),
		ready: make(chan struct{})}
	s.upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 16384,
		CheckOrigin: func(*http.Request) bool { return true }} // checked before the upgrade
	return s
}

// Attached is the number of connected clients.
func (s *Server) Attached() int { return int(s.attached.Load()) }

// CutLoose counts clients dropped for not keeping up.
func (s *Server) CutLoose() uint64 { return s.dropped.Load() }

// Run fans the store's changes out to every client until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	changes, err := s.inbox.Subscribe(ctx)
	if err != nil {
		return err
	}
	close(s.ready)
	// Everything arriving within frameLinger of the first change goes out
	// in one frame: a commit of ten events is twenty changes, and one
	// frame for them, or for the next commits too, costs every client one
	// read and one wake-up, not one per commit.
	linger := time.NewTimer(frameLinger)
	for ch := range changes {
		batch := []store.Change{ch}
		linger.Reset(frameLinger)
	drain:
		for len(batch) < maxBatchChanges {
			select {
			case more, ok := <-changes:
				if !ok {
					break drain
				}
				batch = append(batch, more)
			case <-linger.C:
				break drain
			}
		}
		linger.Stop()
		s.broadcast(batch)
	}
	s.mu.Lock()
	for c := range s.clients {
		c.cut("daemon stopping")
	}
	s.mu.Unlock()
	return nil
}

// broadcast encodes the batch once and queues the same bytes to every
// client. Under mu: a client added meanwhile makes the encoder forget its
// bases first, so its first frame holds no delta it cannot apply. With no
// client nothing is encoded (the next one to join resets the bases).
func (s *Server) broadcast(batch []store.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.clients) == 0 {
		return
	}
	if s.joined {
		s.frames.reset()
		s.joined = false
	}
	frame, err := s.frames.encode(batch)
	if err != nil { // the clients cannot have these: they reload instead
		s.log.Error("api: changes not encoded, clients told to reload", "err", err)
		frame = resyncFrame()
	}
	for c := range s.clients {
		if !c.queue(wsFrame{data: frame, binary: true}) {
			s.dropped.Add(1)
			s.log.Warn("api: client too slow, cut loose", "agent", c.agent.Name, "remote", c.remote)
		}
	}
}

// ServeHTTP answers /ws; authentication and origin are checked before the
// connection is upgraded.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/ws" {
		http.NotFound(w, r)
		return
	}
	named, ok := s.authorized(r)
	if !ok {
		s.log.Warn("api: refused a client without the API token", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if !sameOrigin(r) {
		s.log.Warn("api: refused a foreign origin", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		http.Error(w, "forbidden origin", http.StatusForbidden)
		return
	}
	// A client is taken only once Run receives the store's changes: one
	// attached before that would miss what is committed in between.
	select {
	case <-s.ready:
	case <-r.Context().Done():
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	// A modest kernel buffer: a client that stops reading shows up as a
	// full queue soon, instead of after megabytes.
	if tc, ok := conn.UnderlyingConn().(*net.TCPConn); ok {
		tc.SetWriteBuffer(256 << 10)
	}
	c := &apiClient{srv: s, conn: conn, send: make(chan wsFrame, clientQueueLen), done: make(chan struct{}), remote: r.RemoteAddr,
		named: named}
	c.readPump() // starts the writer once the hello is accepted
}

// authorized checks the bearer token: the API token (the owner, named
// "") or a named agent's (see AllowAgents).
func (s *Server) authorized(r *http.Request) (named string, ok bool) {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || got == "" {
		return "", false
	}
	if s.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1 {
		return "", true
	}
	return s.agentFor(r.Context(), got)
}

// sameOrigin allows clients that send no Origin (terminals) and browsers
// on the daemon's own host; a page elsewhere cannot drive the inbox.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// add queues the client's welcome and takes it in at once, under mu: no
// frame of changes goes before the welcome, and none committed after the
// client reads the welcome passes it by.
func (s *Server) add(c *apiClient, welcome []byte) {
	s.mu.Lock()
	c.queue(wsFrame{data: welcome})
	s.clients[c] = true
	s.joined = true
	s.mu.Unlock()
	s.attached.Add(1)
}

func (s *Server) remove(c *apiClient) {
	s.mu.Lock()
	if s.clients[c] {
		delete(s.clients, c)
		s.attached.Add(-1)
	}
	s.mu.Unlock()
}
