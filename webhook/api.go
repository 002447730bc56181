package webhook

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/store"
)

// API is what the daemon offers attached TUIs: the same operations as the
// TUI's Backend, served over /ws.
type API interface {
	Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error)
	Counts(ctx context.Context) (store.Counts, error)
	Thread(ctx context.Context, key store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error)
	Send(ctx context.Context, s store.Send) (store.OutboxItem, error)
	MarkRead(ctx context.Context, key store.ConvKey) error
	SetStatus(ctx context.Context, key store.ConvKey, st store.ConvStatus) error
	// Drafts are the attached agent's own.
	SaveDraftOf(ctx context.Context, agent store.Agent, key store.ConvKey, draft string) error
	DraftOf(ctx context.Context, agent store.Agent, key store.ConvKey) (string, error)
	Subscribe(ctx context.Context) (<-chan store.Change, error)
	Status(ctx context.Context) (store.SystemStatus, error)

	SelectAll(ctx context.Context, q store.ListQuery) ([]store.ConvKey, error)
	Eligibility(ctx context.Context, keys []store.ConvKey) (store.Ledger, error)
	StartCampaign(ctx context.Context, c store.Campaign, l store.Ledger) (store.Campaign, error)
	Campaigns(ctx context.Context) ([]store.Campaign, error)
	CampaignItems(ctx context.Context, id uint64) ([]store.OutboxItem, error)
	SetCampaignStatus(ctx context.Context, id uint64, st store.CampaignStatus) (store.Campaign, error)
	RetryFailed(ctx context.Context, id uint64) (int, error)
	CampaignReplies(ctx context.Context, id uint64) (int, error)
	// Item reads one outbox item: how `pageinbox send` follows its message.
	Item(ctx context.Context, id uint64) (store.OutboxItem, error)
	// Resend sends an unknown item again, as an agent decided; Abandon is
	// `pageinbox send` giving up on its item (nothing of it goes later).
	Resend(ctx context.Context, id uint64) (store.OutboxItem, error)
	Abandon(ctx context.Context, id uint64, why string) (store.OutboxItem, error)
	// Campaign reads one campaign: how `pageinbox campaign` follows one.
	Campaign(ctx context.Context, id uint64) (store.Campaign, error)
	// Pages lists the Pages the store serves: which one a command works on
	// when PAGE_ID is not set.
	Pages(ctx context.Context) ([]store.Page, error)
	// PresenceOf records where an attached agent is (the zero key when they
	// leave) and announces it.
	PresenceOf(ctx context.Context, agent store.Agent, key store.ConvKey, typing bool) error
}

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
	// maxBatchChanges bounds one "changes" frame.
	maxBatchChanges = 256
	clientQueueLen  = 1024
)

// APIServer serves /ws to attached clients. Every client has its own
// queue; one that cannot keep up is cut loose (it reconnects and reloads)
// and never slows the webhook or the other clients.
type APIServer struct {
	api      API
	token    string
	agents   AgentTokens // named agents' tokens; nil: the API token only
	log      *slog.Logger
	upgrader websocket.Upgrader

	mu      sync.Mutex
	clients map[*apiClient]bool

	attached atomic.Int64
	dropped  atomic.Uint64
}

// NewAPIServer serves api to clients presenting token.
func NewAPIServer(api API, token string, log *slog.Logger) *APIServer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &APIServer{api: api, token: token, log: log, clients: map[*apiClient]bool{}}
	s.upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 16384,
		CheckOrigin: func(*http.Request) bool { return true }} // checked before the upgrade
	return s
}

// Attached is the number of connected clients.
func (s *APIServer) Attached() int { return int(s.attached.Load()) }

// CutLoose counts clients dropped for not keeping up.
func (s *APIServer) CutLoose() uint64 { return s.dropped.Load() }

// Run fans the store's changes out to every client until ctx ends.
func (s *APIServer) Run(ctx context.Context) error {
	changes, err := s.api.Subscribe(ctx)
	if err != nil {
		return err
	}
	// Everything already waiting goes out in one frame: a commit of ten
	// events is twenty changes, and one frame for them costs every client
	// one write and one decode, not twenty.
	for ch := range changes {
		batch := []store.Change{ch}
	drain:
		for len(batch) < maxBatchChanges {
			select {
			case more, ok := <-changes:
				if !ok {
					break drain
				}
				batch = append(batch, more)
			default:
				break drain
			}
		}
		frame, err := json.Marshal(Frame{Type: "changes", Changes: batch})
		if err != nil {
			continue
		}
		s.broadcast(frame)
	}
	s.mu.Lock()
	for c := range s.clients {
		c.cut("daemon stopping")
	}
	s.mu.Unlock()
	return nil
}

func (s *APIServer) broadcast(frame []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		if !c.queue(frame) {
			s.dropped.Add(1)
			s.log.Warn("api: client too slow, cut loose", "agent", c.agent.Name, "remote", c.remote)
		}
	}
}

// ServeHTTP answers /ws; authentication and origin are checked before the
// connection is upgraded.
func (s *APIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	// A modest kernel buffer: a client that stops reading shows up as a
	// full queue soon, instead of after megabytes.
	if tc, ok := conn.UnderlyingConn().(*net.TCPConn); ok {
		tc.SetWriteBuffer(256 << 10)
	}
	c := &apiClient{srv: s, conn: conn, send: make(chan []byte, clientQueueLen), done: make(chan struct{}), remote: r.RemoteAddr,
		named: named}
	go c.writePump()
	c.readPump()
}

// authorized checks the bearer token: the API token (the owner, named
// "") or a named agent's (see AllowAgents).
func (s *APIServer) authorized(r *http.Request) (named string, ok bool) {
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

func (s *APIServer) add(c *apiClient) {
	s.mu.Lock()
	s.clients[c] = true
	s.mu.Unlock()
	s.attached.Add(1)
}

func (s *APIServer) remove(c *apiClient) {
	s.mu.Lock()
	if s.clients[c] {
		delete(s.clients, c)
		s.attached.Add(-1)
	}
	s.mu.Unlock()
}

// apiClient is one attached connection: one reader, one writer.
type apiClient struct {
	srv    *APIServer
	conn   *websocket.Conn
	send   chan []byte
	done   chan struct{}
	once   sync.Once
	agent  store.Agent
	remote string
	named  string // the named agent whose token opened the connection; "" for the owner
}

// queue hands a frame to the writer without waiting; false (and the
// client is cut) when its queue is full.
func (c *apiClient) queue(frame []byte) bool {
	select {
	case <-c.done:
		return true
	default:
	}
	select {
	case c.send <- frame:
		return true
	default:
		c.cut("too slow")
		return false
	}
}

// cut stops queueing to the client at once; the goodbye and the close
// happen off the caller's path, since a stuck socket can take a second to
// refuse them and the broadcaster must not wait.
func (c *apiClient) cut(why string) {
	c.once.Do(func() {
		close(c.done)
		go func() {
			c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, why),
				time.Now().Add(time.Second))
			c.conn.Close()
		}()
	})
}

func (c *apiClient) writePump() {
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	defer c.cut("writer stopped")
	for {
		select {
		case <-c.done:
			return
		case frame := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					// Stuck for writeWait: as slow as a full queue.
					c.srv.dropped.Add(1)
					c.srv.log.Warn("api: client stopped reading, cut loose", "agent", c.agent.Name, "remote", c.remote)
				}
				return
			}
		case <-ping.C:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

func (c *apiClient) readPump() {
	defer c.srv.remove(c)
	defer c.cut("reader stopped")
	c.conn.SetReadLimit(maxFrame)
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })

	var hello Frame
	if err := c.conn.ReadJSON(&hello); err != nil {
		return
	}
	if hello.Type != "hello" || hello.Version != ProtocolVersion {
		msg := fmt.Sprintf("this daemon speaks /ws protocol %d; upgrade pageinbox to attach", ProtocolVersion)
		if hello.Type != "hello" {
			msg = "the first message must be a hello"
		}
		c.reply(Frame{Type: "error", Version: ProtocolVersion, Error: &FrameError{Code: "upgrade_required", Message: msg}})
		time.Sleep(100 * time.Millisecond) // let the writer send it
		return
	}
	if hello.Agent != nil {
		c.agent = *hello.Agent
	}
	if c.named != "" {
		c.agent = namedAgent(c.named, c.agent.ID) // the token says who, not the hello
	}
	if c.agent.ID == "" {
		c.agent.ID = c.remote // still tells two sessions apart
	}
	who := c.agent
	c.reply(Frame{Type: "welcome", Version: ProtocolVersion, Server: "pageinbox", Agent: &who})
	c.srv.add(c)
	c.srv.log.Info("api: client attached", "agent", c.agent.Name, "remote", c.remote)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Gone: nobody is in a conversation on this connection's behalf.
	defer c.srv.api.PresenceOf(context.Background(), c.agent, store.ConvKey{}, false)
	for {
		var f Frame
		if err := c.conn.ReadJSON(&f); err != nil {
			return
		}
		c.conn.SetReadDeadline(time.Now().Add(pongWait))
		if f.Type != "request" {
			continue
		}
		go c.handle(ctx, f)
	}
}

func (c *apiClient) reply(f Frame) {
	b, err := json.Marshal(f)
	if err == nil {
		c.queue(b)
	}
}

// handle runs one request and queues its reply.
func (c *apiClient) handle(ctx context.Context, f Frame) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	result, err := c.srv.call(ctx, c.agent, f.Method, f.Params)
	out := Frame{Type: "reply", ID: f.ID}
	if err != nil {
		out.Error = toFrameError(err)
	} else if out.Result, err = json.Marshal(result); err != nil {
		out.Error = &FrameError{Code: "failed", Message: err.Error()}
	}
	c.reply(out)
}

func toFrameError(err error) *FrameError {
	code := "failed"
	switch {
	case errors.Is(err, store.ErrNotFound):
		code = "not_found"
	case errors.Is(err, store.ErrOutsideWindow):
		code = "outside_window"
	case errors.Is(err, store.ErrInvalid):
		code = "invalid"
	case errors.Is(err, errBadRequest):
		code = "bad_request"
	}
	return &FrameError{Code: code, Message: err.Error()}
}

var errBadRequest = errors.New("bad request")

// call dispatches a method to the API.
func (s *APIServer) call(ctx context.Context, agent store.Agent, method string, params json.RawMessage) (any, error) {
	decode := func(v any) error {
		if len(params) == 0 {
			return nil
		}
		if err := json.Unmarshal(params, v); err != nil {
			return errors.Join(errBadRequest, err)
		}
		return nil
	}
	var kp keyParams
	switch method {
	case "list":
		var q store.ListQuery
		if err := decode(&q); err != nil {
			return nil, err
		}
		return s.api.Conversations(ctx, q)
	case "counts":
		return s.api.Counts(ctx)
	case "thread":
		var p threadParams
		if err := decode(&p); err != nil {
			return nil, err
		}
		return s.api.Thread(ctx, p.Key, p.Before, p.Limit)
	case "send":
		var p store.Send
		if err := decode(&p); err != nil {
			return nil, err
		}
		return s.api.Send(ctx, p)
	case "mark_read":
		if err := decode(&kp); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.MarkRead(ctx, kp.Key)
	case "set_status":
		if err := decode(&kp); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.SetStatus(ctx, kp.Key, kp.Status)
	case "save_draft":
		if err := decode(&kp); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.SaveDraftOf(ctx, agent, kp.Key, kp.Draft)
	case "draft":
		if err := decode(&kp); err != nil {
			return nil, err
		}
		return s.api.DraftOf(ctx, agent, kp.Key)
	case "status":
		return s.api.Status(ctx)
	case "presence":
		if err := decode(&kp); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.PresenceOf(ctx, agent, kp.Key, kp.Typing)
	case "select_all":
		var q store.ListQuery
		if err := decode(&q); err != nil {
			return nil, err
		}
		return s.api.SelectAll(ctx, q)
	case "eligibility":
		var keys []store.ConvKey
		if err := decode(&keys); err != nil {
			return nil, err
		}
		return s.api.Eligibility(ctx, keys)
	case "start_campaign":
		var p campaignParams
		if err := decode(&p); err != nil {
			return nil, err
		}
		return s.api.StartCampaign(ctx, p.Campaign, p.Ledger)
	case "campaigns":
		return s.api.Campaigns(ctx)
	case "pages":
		return s.api.Pages(ctx)
	}
	var p campaignParams
	if err := decode(&p); err != nil {
		return nil, err
	}
	switch method {
	case "campaign_items":
		return s.api.CampaignItems(ctx, p.ID)
	case "set_campaign_status":
		return s.api.SetCampaignStatus(ctx, p.ID, p.Status)
	case "retry_failed":
		return s.api.RetryFailed(ctx, p.ID)
	case "campaign_replies":
		return s.api.CampaignReplies(ctx, p.ID)
	case "outbox_item":
		return s.api.Item(ctx, p.ID)
	case "resend":
		return s.api.Resend(ctx, p.ID)
	case "abandon":
		return s.api.Abandon(ctx, p.ID, p.Why)
	case "campaign":
		return s.api.Campaign(ctx, p.ID)
	}
	return nil, errors.Join(errBadRequest, errors.New("unknown method "+method))
}
