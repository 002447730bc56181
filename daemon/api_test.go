package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

type testDaemon struct {
	st   *store.Store
	api  *daemon.Server
	hook *webhook.Handler
	http *httptest.Server
	url  string
	stop context.CancelFunc
}

func startDaemon(t *testing.T, st *store.Store, ln net.Listener) *testDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	api := daemon.NewServer(storeInbox(st), apiToken, nil)
	go api.Run(ctx)
	srv := httptest.NewUnstartedServer(api)
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	d := &testDaemon{st: st, api: api, hook: newHandler(t, st, nil), http: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws", stop: cancel}
	t.Cleanup(func() { cancel(); srv.Close() })
	return d
}

func dial(t *testing.T, d *testDaemon) *daemon.Client {
	t.Helper()
	c, err := daemon.Dial(context.Background(), d.url, apiToken, store.Agent{ID: "t1", Name: "tester"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// hello says hello of version to d over a bare WebSocket and returns the
// answer; the connection stays open until the test ends.
func hello(t *testing.T, d *testDaemon, version int) daemon.Frame {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(d.url, http.Header{"Authorization": {"Bearer " + apiToken}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.WriteJSON(daemon.Frame{Type: "hello", Version: version})
	var f daemon.Frame
	if err := conn.ReadJSON(&f); err != nil {
		t.Fatal(err)
	}
	return f
}

func postMessage(t *testing.T, d *testDaemon, psid, mid string) {
	t.Helper()
	body := textPOST(psid, mid, "hello "+mid, now)
	if w := post(d.hook, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
		t.Fatalf("webhook: %d", w.Code)
	}
}

func TestAPIRefusesBeforeUpgrade(t *testing.T) {
	d := startDaemon(t, openStore(t), nil)
	tests := []struct {
		name   string
		header http.Header
		status int
	}{
		{"no token", http.Header{}, http.StatusUnauthorized},
		{"wrong token", http.Header{"Authorization": {"Bearer nope"}}, http.StatusUnauthorized},
		{"token without Bearer", http.Header{"Authorization": {apiToken}}, http.StatusUnauthorized},
		{"foreign origin", http.Header{"Authorization": {"Bearer " + apiToken}, "Origin": {"https://evil.example"}}, http.StatusForbidden},
	}
	for _, tt := range tests {
		_, resp, err := websocket.DefaultDialer.Dial(d.url, tt.header)
		if err == nil || resp == nil || resp.StatusCode != tt.status {
			code := 0
			if resp != nil {
				code = resp.StatusCode
			}
			t.Errorf("%s: err=%v status=%d, want %d", tt.name, err, code, tt.status)
		}
	}
	if _, err := daemon.Dial(context.Background(), d.url, "wrong", store.Agent{Name: "x"}, nil); err == nil || !strings.Contains(err.Error(), "refused the API token") {
		t.Errorf("client with a wrong token: %v", err)
	}
}

func TestAPIProtocolVersion(t *testing.T) {
	d := startDaemon(t, openStore(t), nil)
	f := hello(t, d, 99)
	if f.Type != "error" || f.Error == nil || f.Error.Code != "upgrade_required" || !strings.Contains(f.Error.Message, "upgrade") {
		t.Errorf("answer to version 99: %+v", f)
	}
}

func TestAPIRequestsAndTwoClientsSeeTheSameChange(t *testing.T) {
	st := openStore(t)
	d := startDaemon(t, st, nil)
	a, b := dial(t, d), dial(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	subA, _ := a.Subscribe(ctx)
	subB, _ := b.Subscribe(ctx)
	waitAttached(t, d, 2)
	postMessage(t, d, "u1", "m1")
	for name, sub := range map[string]<-chan store.Change{"a": subA, "b": subB} {
		if !sawMessage(sub, "m1", 5*time.Second) {
			t.Errorf("client %s never saw m1", name)
		}
	}
	key := store.ConvKey{PageID: pageID, PSID: "u1"}
	page, err := a.Conversations(ctx, store.ListQuery{Filter: store.FilterAll, Limit: 10})
	if err != nil || len(page.Conversations) != 1 {
		t.Fatalf("list over /ws: %+v %v", page, err)
	}
	th, err := b.Thread(ctx, key, "", 10)
	if err != nil || len(th.Messages) != 1 || th.Messages[0].MID != "m1" {
		t.Fatalf("thread over /ws: %+v %v", th, err)
	}
	if err := a.SaveDraft(ctx, key, "draft from a"); err != nil {
		t.Fatal(err)
	}
	if err := b.MarkRead(ctx, key); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Conversation(ctx, key)
	if d, _ := st.Draft(ctx, "tester", key); d != "draft from a" || c.Unread != 0 {
		t.Errorf("conversation after remote calls: %+v", c)
	}
	if _, err := a.Thread(ctx, store.ConvKey{PageID: pageID, PSID: "nobody"}, "", 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("remote not-found: %v", err)
	}
	if _, err := a.Send(ctx, store.Send{ConvKey: key, Text: "hi", MessagingType: store.Response}); err != nil {
		t.Errorf("send in window: %v", err)
	}
	counts, err := b.Counts(ctx)
	if err != nil || counts.All != 1 {
		t.Errorf("counts: %+v %v", counts, err)
	}
	st2, err := a.Status(ctx)
	if err != nil || !st2.Connected || !strings.HasPrefix(st2.Mode, "attached to ") {
		t.Errorf("status: %+v %v", st2, err)
	}
}

// A client that stops reading is cut loose; the webhook and the other
// clients go on at full speed.
func TestAPISlowClientIsCutLoose(t *testing.T) {
	st := openStore(t)
	d := startDaemon(t, st, nil)
	// A raw client that says hello, then never reads again.
	tiny := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetReadBuffer(4096)
		}
		return c, err
	}}
	slow, _, err := tiny.Dial(d.url, http.Header{"Authorization": {"Bearer " + apiToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.WriteJSON(daemon.Frame{Type: "hello", Version: daemon.ProtocolVersion})
	good := dial(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, _ := good.Subscribe(ctx)
	waitAttached(t, d, 2)
	go func() { // the good client reads everything as it comes
		for range sub {
		}
	}()
	start := time.Now()
	// Far more than the stuck client's queue and socket buffers hold.
	for i := 0; i < 300; i++ {
		var evs []string
		for j := 0; j < 10; j++ {
			evs = append(evs, fmt.Sprintf(`{"sender":{"id":"u%d"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"m%d-%d","text":"%s"}}`,
				j, pageID, ms(now), i, j, strings.Repeat("x", 1000)))
		}
		body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[%s]}]}`, pageID, ms(now), strings.Join(evs, ",")))
		if w := post(d.hook, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
			t.Fatalf("webhook: %d", w.Code)
		}
	}
	t.Logf("3000 events ingested in %v with a stuck client attached", time.Since(start))
	// The stuck client was dropped by the daemon; the reading one stays.
	deadline := time.Now().Add(20 * time.Second)
	for d.api.CutLoose() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stuck client was never cut loose")
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitAttached(t, d, 1)
	// The reading client is still served.
	if _, err := good.Counts(ctx); err != nil {
		t.Errorf("the reading client lost the daemon: %v", err)
	}
}

// The daemon restarts: the client reconnects by itself and tells its
// subscriber to reload.
func TestAPIReconnectsAfterRestart(t *testing.T) {
	st := openStore(t)
	d := startDaemon(t, st, nil)
	addr := d.http.Listener.Addr().String()
	c := dial(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, _ := c.Subscribe(ctx)
	waitAttached(t, d, 1)
	d.stop()
	d.http.CloseClientConnections()
	d.http.Close()
	if _, err := c.Counts(ctx); err == nil {
		// A call may still race the close; the next one must fail.
		time.Sleep(100 * time.Millisecond)
	}
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	d2 := startDaemon(t, st, ln)
	deadline := time.After(15 * time.Second)
	for {
		select {
		case ch := <-sub:
			if ch.Kind == store.Resync {
				waitAttached(t, d2, 1)
				if _, err := c.Counts(ctx); err != nil {
					t.Fatalf("after reconnect: %v", err)
				}
				postMessage(t, d2, "u2", "after-restart")
				if !sawMessage(sub, "after-restart", 5*time.Second) {
					t.Error("no changes after reconnect")
				}
				return
			}
		case <-deadline:
			t.Fatal("no reconnect within 15 s")
		}
	}
}

func waitAttached(t *testing.T, d *testDaemon, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for d.api.Attached() != n {
		if time.Now().After(deadline) {
			t.Fatalf("attached = %d, want %d", d.api.Attached(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func sawMessage(sub <-chan store.Change, mid string, within time.Duration) bool {
	deadline := time.After(within)
	for {
		select {
		case ch, ok := <-sub:
			if !ok {
				return false
			}
			if ch.Kind == store.MessageAdded && ch.Message.MID == mid {
				return true
			}
		case <-deadline:
			return false
		}
	}
}
