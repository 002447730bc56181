package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// ErrDisconnected: the daemon is not reachable right now; the client keeps
// reconnecting in the background (inbox.ErrDisconnected, which the
// commands wait out).
var ErrDisconnected = inbox.ErrDisconnected

// Client is the inbox.Backend when a daemon owns the data file: every
// call goes over /ws, through the method table. It reconnects with backoff after the daemon restarts, and
// then tells its subscriber to reload (a Resync change).
type Client struct {
	url, token string
	hello      store.Agent // who this client says it is
	agent      store.Agent // who the daemon says it is (guarded by mu)
	log        *slog.Logger

	mu      sync.Mutex
	conn    *websocket.Conn
	out     chan []byte // frames for the current connection's writer
	pending map[uint64]chan Frame
	nextID  uint64
	subs    []chan store.Change
	up      bool

	stop chan struct{}
	once sync.Once
}

// Dial connects to a daemon's /ws (ws://host:port/ws) with its API token
// and keeps the connection up until Close. The first connection must
// succeed; later failures are retried.
func Dial(ctx context.Context, url, token string, agent store.Agent, log *slog.Logger) (*Client, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{url: url, token: token, hello: agent, agent: agent, log: log, pending: map[uint64]chan Frame{},
		stop: make(chan struct{})}
	conn, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	// Usable as soon as Dial returns: a call made at once must not find
	// the connection still being set up.
	go c.run(conn, c.install(conn))
	return c, nil
}

// install makes conn the connection calls go out on.
func (c *Client) install(conn *websocket.Conn) chan []byte {
	out := make(chan []byte, 256)
	c.mu.Lock()
	c.conn, c.out, c.up = conn, out, true
	c.mu.Unlock()
	return out
}

// Agent is who this client is to the daemon and the other agents: what
// the daemon's welcome said (a named agent's token decides the name).
func (c *Client) Agent() store.Agent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.agent
}

// Addr is the daemon's URL.
func (c *Client) Addr() string { return c.url }

// Close disconnects for good.
func (c *Client) Close() error {
	c.once.Do(func() {
		close(c.stop)
		c.mu.Lock()
		if c.conn != nil {
			c.conn.Close()
		}
		c.mu.Unlock()
	})
	return nil
}

// connect dials and says hello; the daemon answers welcome or refuses.
func (c *Client) connect(ctx context.Context) (*websocket.Conn, error) {
	h := http.Header{"Authorization": {"Bearer " + c.token}}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(ctx, c.url, h)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return nil, fmt.Errorf("attach %s: the daemon refused the API token", c.url)
		}
		if resp != nil {
			return nil, fmt.Errorf("attach %s: %s", c.url, resp.Status)
		}
		return nil, fmt.Errorf("attach %s: %w", c.url, err)
	}
	conn.SetReadLimit(maxFrame)
	conn.SetWriteDeadline(time.Now().Add(writeWait))
	hello := c.hello
	if err := conn.WriteJSON(Frame{Type: "hello", Version: ProtocolVersion, Agent: &hello}); err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var welcome Frame
	if err := conn.ReadJSON(&welcome); err != nil {
		conn.Close()
		return nil, fmt.Errorf("attach %s: no welcome: %w", c.url, err)
	}
	if welcome.Type != "welcome" {
		conn.Close()
		if e := welcome.Error; e != nil && e.Code == "upgrade_required" && welcome.Version > 0 && welcome.Version < ProtocolVersion {
			return nil, fmt.Errorf("attach %s: upgrade the daemon's pageinbox: it speaks protocol %d, this pageinbox protocol %d",
				c.url, welcome.Version, ProtocolVersion)
		}
		if welcome.Error != nil {
			return nil, fmt.Errorf("attach %s: %s", c.url, welcome.Error.Message)
		}
		return nil, fmt.Errorf("attach %s: unexpected %q", c.url, welcome.Type)
	}
	if welcome.Agent != nil {
		c.mu.Lock()
		c.agent = *welcome.Agent
		c.mu.Unlock()
	}
	conn.SetReadDeadline(time.Time{})
	return conn, nil
}

// run serves a connection, then reconnects with backoff until Close.
func (c *Client) run(conn *websocket.Conn, out chan []byte) {
	for first := true; ; first = false {
		c.serve(conn, out, !first)
		wait := 100 * time.Millisecond
		for {
			select {
			case <-c.stop:
				return
			case <-time.After(wait + time.Duration(rand.Int64N(int64(wait)/2+1))):
			}
			var err error
			if conn, err = c.connect(context.Background()); err == nil {
				out = c.install(conn)
				break
			}
			c.log.Debug("attach: reconnect failed", "err", err)
			wait = min(wait*2, 5*time.Second)
		}
	}
}

// serve pumps one installed connection until it breaks.
func (c *Client) serve(conn *websocket.Conn, out chan []byte, reconnected bool) {
	if reconnected {
		c.publish(store.Change{Kind: store.Resync}) // what happened meanwhile is unknown
	}
	done, readerGone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		ping := time.NewTicker(pingPeriod)
		defer ping.Stop()
		for {
			select {
			case f := <-out:
				conn.SetWriteDeadline(time.Now().Add(writeWait))
				if conn.WriteMessage(websocket.TextMessage, f) != nil {
					conn.Close()
					return
				}
			case <-ping.C:
				conn.SetWriteDeadline(time.Now().Add(writeWait))
				if conn.WriteMessage(websocket.PingMessage, nil) != nil {
					conn.Close()
					return
				}
			case <-c.stop:
				return
			case <-readerGone:
				return
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	conn.SetPingHandler(func(data string) error {
		conn.SetReadDeadline(time.Now().Add(pongWait))
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
	})
	c.read(conn)
	conn.Close()
	close(readerGone)
	<-done
	c.mu.Lock()
	c.up = false
	for id, ch := range c.pending {
		close(ch) // callers get ErrDisconnected
		delete(c.pending, id)
	}
	c.mu.Unlock()
}

// read takes the daemon's frames until the connection breaks, or a frame
// cannot be understood (the reconnect then starts with a Resync): JSON
// text for replies, binary for pushed changes (frames.go).
func (c *Client) read(conn *websocket.Conn) {
	changes := newFrameDecoder()
	var batch []store.Change
	var buf bytes.Buffer // decoding copies what it keeps: reused
	for {
		kind, r, err := conn.NextReader()
		if err != nil {
			return
		}
		if buf.Cap() > 1<<20 {
			buf = bytes.Buffer{} // not a large reply's buffer for ever
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(pongWait))
		if kind == websocket.BinaryMessage {
			batch, err = changes.decode(buf.Bytes(), batch[:0])
			c.publish(batch...) // those before a fault are sound
			if err != nil {
				c.log.Warn("attach: changes not understood, reconnecting", "err", err)
				return
			}
			continue
		}
		var f Frame
		if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
			c.log.Warn("attach: a frame not understood, reconnecting", "err", err)
			return
		}
		if f.Type == "reply" {
			c.mu.Lock()
			ch := c.pending[f.ID]
			delete(c.pending, f.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- f
			}
		}
	}
}

// publish hands changes to every subscriber; a full one gets a Resync.
func (c *Client) publish(changes ...store.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range changes {
		c.publishLocked(ch)
	}
}

func (c *Client) publishLocked(ch store.Change) {
	for _, sub := range c.subs {
		select {
		case sub <- ch:
			continue
		default:
		}
		for len(sub) > 0 {
			select {
			case <-sub:
			default:
			}
		}
		select {
		case sub <- store.Change{Kind: store.Resync}:
		default:
		}
	}
}

// call makes one request of the method table and waits for its reply.
func call[Req, Resp any](ctx context.Context, c *Client, m method[Req, Resp], req Req) (Resp, error) {
	var resp Resp
	err := c.roundTrip(ctx, m.name, req, &resp)
	return resp, err
}

// roundTrip sends a request and waits for its reply.
func (c *Client) roundTrip(ctx context.Context, method string, params, result any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if !c.up {
		c.mu.Unlock()
		return ErrDisconnected
	}
	c.nextID++
	id := c.nextID
	reply := make(chan Frame, 1)
	c.pending[id] = reply
	out := c.out
	c.mu.Unlock()
	frame, _ := json.Marshal(Frame{Type: "request", ID: id, Method: method, Params: raw})
	select {
	case out <- frame:
	case <-ctx.Done():
		c.forget(id)
		return ctx.Err()
	}
	select {
	case f, ok := <-reply:
		if !ok {
			return ErrDisconnected
		}
		if f.Error != nil {
			return remoteError(f.Error)
		}
		if len(f.Result) > 0 {
			return json.Unmarshal(f.Result, result)
		}
		return nil
	case <-ctx.Done():
		c.forget(id)
		return ctx.Err()
	}
}

func (c *Client) forget(id uint64) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// Subscribe delivers the daemon's changes until ctx ends; after a
// reconnect it delivers a Resync first.
func (c *Client) Subscribe(ctx context.Context) (<-chan store.Change, error) {
	// Room for a few seconds of a busy daemon: a TUI reads in bursts.
	ch := make(chan store.Change, 1<<15)
	c.mu.Lock()
	c.subs = append(c.subs, ch)
	c.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-c.stop:
		}
		c.mu.Lock()
		for i, s := range c.subs {
			if s == ch {
				c.subs = append(c.subs[:i], c.subs[i+1:]...)
				close(ch)
				break
			}
		}
		c.mu.Unlock()
	}()
	return ch, nil
}

// Status is the daemon's status, as seen from here: disconnected is not
// an error to show, the status bar says so.
func (c *Client) Status(ctx context.Context) (store.SystemStatus, error) {
	st, err := call(ctx, c, mStatus, none{})
	st.Mode = "attached to " + c.url
	st.Connected = err == nil
	if errors.Is(err, ErrDisconnected) {
		return st, nil
	}
	return st, err
}
