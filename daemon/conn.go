package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// apiClient is one attached connection: one reader, one writer.
type apiClient struct {
	srv    *Server
	be     inbox.Backend // the inbox, as this connection's agent
	conn   *websocket.Conn
	send   chan wsFrame
	done   chan struct{}
	once   sync.Once
	agent  store.Agent
	remote string
	named  string // the named agent whose token opened the connection; "" for the owner
}

// wsFrame is a message for the writer: JSON text, or binary (changes).
type wsFrame struct {
	data   []byte
	binary bool
}

// queue hands a frame to the writer without waiting; false (and the
// client is cut) when its queue is full.
func (c *apiClient) queue(frame wsFrame) bool {
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
			kind := websocket.TextMessage
			if frame.binary {
				kind = websocket.BinaryMessage
			}
			if err := c.conn.WriteMessage(kind, frame.data); err != nil {
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

// readPump takes the hello, starts the writer if it is accepted, then
// serves the client's requests until the connection ends.
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
		msg := fmt.Sprintf("upgrade pageinbox: this daemon speaks protocol %d (the client spoke %d)", ProtocolVersion, hello.Version)
		if hello.Type != "hello" {
			msg = "the first message must be a hello"
		}
		// No writer runs yet: the refusal is written here, before the close.
		c.conn.SetWriteDeadline(time.Now().Add(writeWait))
		c.conn.WriteJSON(Frame{Type: "error", Version: ProtocolVersion, Error: &FrameError{Code: "upgrade_required", Message: msg}})
		return
	}
	go c.writePump()
	if hello.Agent != nil {
		c.agent = *hello.Agent
	}
	if c.named != "" {
		c.agent = inbox.NamedAgent(c.named, c.agent.ID) // the token says who, not the hello
	}
	if c.agent.ID == "" {
		c.agent.ID = c.remote // still tells two sessions apart
	}
	who := c.agent
	c.be = c.srv.inbox.As(who)
	welcome, err := json.Marshal(Frame{Type: "welcome", Version: ProtocolVersion, Server: "pageinbox", Agent: &who})
	if err != nil {
		return
	}
	c.srv.add(c, welcome)
	c.srv.log.Info("api: client attached", "agent", c.agent.Name, "remote", c.remote)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ups := newUploads(c.srv.UploadDir)
	defer ups.closeAll() // files still arriving go with the connection
	ctx = withUploads(ctx, ups)
	// Gone: nobody is in a conversation on this connection's behalf.
	defer c.be.Presence(context.Background(), store.ConvKey{}, false)
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
		c.queue(wsFrame{data: b})
	}
}

// handle runs one request and queues its reply.
func (c *apiClient) handle(ctx context.Context, f Frame) {
	timeout := 30 * time.Second
	if f.Method == mUploadEnd.name {
		timeout = uploadEndTimeout // a 25 MB file going to Meta
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	result, err := dispatch(ctx, c.be, f.Method, f.Params)
	out := Frame{Type: "reply", ID: f.ID}
	if err != nil {
		out.Error = toFrameError(err)
	} else if out.Result, err = json.Marshal(result); err != nil {
		out.Error = &FrameError{Code: "failed", Message: err.Error()}
	}
	c.reply(out)
}
