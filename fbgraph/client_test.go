package fbgraph_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

const (
	token     = "EAAB-page-token-SECRET-1234567890"
	appSecret = "app-secret-0123456789abcdef"
)

type fixture struct {
	srv  *fbtest.Server
	c    *fbgraph.Client
	logs *bytes.Buffer
}

// newFixture starts an emulator with customer u1 inside the window and a
// client that retries fast.
func newFixture(t testing.TB, opts ...func(*fbtest.Config, *fbgraph.Options)) fixture {
	t.Helper()
	cfg := fbtest.Config{PageToken: token, AppSecret: appSecret, Now: func() time.Time { return t0 }, Seed: 1}
	logs := &bytes.Buffer{}
	o := fbgraph.Options{PageToken: token, AppSecret: appSecret, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, f := range opts {
		f(&cfg, &o)
	}
	srv := fbtest.NewServer(cfg)
	t.Cleanup(srv.Close)
	srv.AddUser("u1", "Ana Souza")
	srv.Inbound("u1", t0.Add(-time.Hour))
	o.BaseURL = srv.URL()
	return fixture{srv: srv, c: fbgraph.New(o), logs: logs}
}

func text(psid, s string) fbgraph.Message {
	return fbgraph.Message{PSID: psid, Text: s, MessagingType: fbgraph.Response}
}

func TestSendSucceeds(t *testing.T) {
	f := newFixture(t)
	res, err := f.c.Send(context.Background(), fbgraph.Message{PSID: "u1", Text: "hello", MessagingType: fbgraph.Response,
		Metadata: "pageinbox:7", QuickReplies: []fbgraph.QuickReply{{ContentType: "text", Title: "Yes", Payload: "Y"}}})
	if err != nil {
		t.Fatal(err)
	}
	sent := f.srv.Sent()
	if len(sent) != 1 || sent[0].MID != res.MessageID || sent[0].Text != "hello" || sent[0].Metadata != "pageinbox:7" || sent[0].QuickReplies != 1 {
		t.Fatalf("emulator recorded %+v for %+v", sent, res)
	}
	if _, err := f.c.Send(context.Background(), fbgraph.Message{PSID: "u1", MessagingType: fbgraph.Response,
		Attachment: &fbgraph.Attachment{Type: "image", URL: "https://cdn.example/p.jpg", IsReusable: true}}); err != nil {
		t.Fatal(err)
	}
	if err := f.c.SendAction(context.Background(), "u1", fbgraph.MarkSeen); err != nil {
		t.Fatal(err)
	}
}

// Refused before any call: what Meta would refuse anyway.
func TestCheckBeforeSending(t *testing.T) {
	f := newFixture(t)
	tests := []fbgraph.Message{
		{PSID: "u1", MessagingType: fbgraph.Response},
		{PSID: "u1", Text: strings.Repeat("é", 2000), MessagingType: fbgraph.Response},
		{PSID: "u1", Text: "x", MessagingType: fbgraph.MessageTag, Tag: "POST_PURCHASE_UPDATE"},
		{PSID: "u1", Text: "x", MessagingType: fbgraph.Response, Tag: fbgraph.HumanAgent},
		{PSID: "u1", Text: "x", MessagingType: "PROMO"},
		{PSID: "u1", Text: "x", MessagingType: fbgraph.Response, QuickReplies: make([]fbgraph.QuickReply, 14)},
		{PSID: "", Text: "x", MessagingType: fbgraph.Response},
		{PSID: "u1", MessagingType: fbgraph.Response, Attachment: &fbgraph.Attachment{Type: "image", URL: "file:///etc/passwd"}},
	}
	for i, m := range tests {
		if _, err := f.c.Send(context.Background(), m); err == nil {
			t.Errorf("case %d was sent", i)
		}
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
	// 1999 characters are fine.
	if _, err := f.c.Send(context.Background(), text("u1", strings.Repeat("é", 1999))); err != nil {
		t.Errorf("1999 characters: %v", err)
	}
}

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		code, subcode, status int
		class                 fbgraph.Class
		sentinel              error
		calls                 int // 1: not retried; 2: retried once, then success
	}{
		{10, 2018278, 400, fbgraph.ClassOutsideWindow, fbgraph.ErrOutsideWindow, 1},
		{551, 1545041, 400, fbgraph.ClassUserUnavailable, fbgraph.ErrUserUnavailable, 1},
		{200, 1545041, 403, fbgraph.ClassUserUnavailable, fbgraph.ErrUserUnavailable, 1},
		{100, 2018001, 400, fbgraph.ClassNoSuchUser, fbgraph.ErrNoSuchUser, 1},
		{190, 463, 400, fbgraph.ClassTokenInvalid, fbgraph.ErrTokenInvalid, 1},
		{190, 0, 400, fbgraph.ClassTokenInvalid, fbgraph.ErrTokenInvalid, 1},
		{10, 0, 403, fbgraph.ClassPermission, fbgraph.ErrPermission, 1},
		{10, 1893063, 403, fbgraph.ClassPermission, fbgraph.ErrPermission, 1},
		{230, 0, 403, fbgraph.ClassPermission, fbgraph.ErrPermission, 1},
		{100, 0, 400, fbgraph.ClassInvalid, fbgraph.ErrInvalid, 1},
		{12345, 0, 400, fbgraph.ClassUnknown, fbgraph.ErrUnknown, 1},
		{613, 0, 400, fbgraph.ClassRateLimited, fbgraph.ErrRateLimited, 2},
		{4, 0, 400, fbgraph.ClassRateLimited, fbgraph.ErrRateLimited, 2},
		{17, 0, 400, fbgraph.ClassRateLimited, fbgraph.ErrRateLimited, 2},
		{32, 0, 400, fbgraph.ClassRateLimited, fbgraph.ErrRateLimited, 2},
		{80006, 0, 400, fbgraph.ClassRateLimited, fbgraph.ErrRateLimited, 2},
		{1, 0, 500, fbgraph.ClassTransient, fbgraph.ErrTransient, 2},
		{2, 0, 500, fbgraph.ClassTransient, fbgraph.ErrTransient, 2},
		{0, 0, 503, fbgraph.ClassTransient, fbgraph.ErrTransient, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_%d_%d", tt.code, tt.subcode, tt.status), func(t *testing.T) {
			f := newFixture(t)
			f.srv.FailNext(1, tt.code, tt.subcode, tt.status)
			_, err := f.c.Send(context.Background(), text("u1", "hi"))
			calls := len(f.srv.Requests())
			if calls != tt.calls {
				t.Errorf("%d calls, want %d", calls, tt.calls)
			}
			if tt.calls == 2 {
				if err != nil {
					t.Errorf("retry did not succeed: %v", err)
				}
				return
			}
			var ge *fbgraph.Error
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v (%T), want *fbgraph.Error", err, err)
			}
			if ge.Class != tt.class || !errors.Is(err, tt.sentinel) || fbgraph.ClassOf(err) != tt.class {
				t.Errorf("class %v, want %v (err %v)", ge.Class, tt.class, err)
			}
			if tt.code != 0 && (ge.Code != tt.code || ge.Subcode != tt.subcode || ge.FBTraceID == "" || ge.Message == "") {
				t.Errorf("envelope not kept: %+v", ge)
			}
			if ge.Reason() == "" {
				t.Error("no reason in words")
			}
			if tt.class == fbgraph.ClassUnknown && !strings.Contains(f.logs.String(), ge.FBTraceID) {
				t.Errorf("unknown error not logged with its fbtrace_id: %s", f.logs)
			}
		})
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Run("transient then success", func(t *testing.T) {
		f := newFixture(t)
		f.srv.FailNext(2, 2, 0, 500)
		if _, err := f.c.Send(context.Background(), text("u1", "hi")); err != nil {
			t.Fatal(err)
		}
		if n := len(f.srv.Requests()); n != 3 || len(f.srv.Sent()) != 1 {
			t.Errorf("%d calls, %d sent", n, len(f.srv.Sent()))
		}
	})
	t.Run("rate limit exhausts the attempts", func(t *testing.T) {
		f := newFixture(t, func(_ *fbtest.Config, o *fbgraph.Options) { o.MaxAttempts = 3 })
		f.srv.FailNext(10, 613, 0, 400)
		_, err := f.c.Send(context.Background(), text("u1", "hi"))
		if !errors.Is(err, fbgraph.ErrRateLimited) || len(f.srv.Requests()) != 3 {
			t.Errorf("err %v after %d calls", err, len(f.srv.Requests()))
		}
	})
	t.Run("throttling does not use up the budget for Meta failing", func(t *testing.T) {
		f := newFixture(t) // 4 attempts
		f.srv.FailNext(3, 613, 0, 400)
		f.srv.FailNext(1, 2, 0, 500)
		if _, err := f.c.Send(context.Background(), text("u1", "hi")); err != nil {
			t.Fatal(err)
		}
		if n := len(f.srv.Requests()); n != 5 || len(f.srv.Sent()) != 1 {
			t.Errorf("%d calls, %d sent", n, len(f.srv.Sent()))
		}
	})
	t.Run("outside the window is never retried", func(t *testing.T) {
		f := newFixture(t)
		f.srv.AddUser("old", "Old Customer")
		f.srv.Inbound("old", t0.Add(-25*time.Hour))
		_, err := f.c.Send(context.Background(), text("old", "hi"))
		if !errors.Is(err, fbgraph.ErrOutsideWindow) || len(f.srv.Requests()) != 1 {
			t.Errorf("err %v after %d calls", err, len(f.srv.Requests()))
		}
	})
	t.Run("cancelled while waiting to retry", func(t *testing.T) {
		f := newFixture(t, func(_ *fbtest.Config, o *fbgraph.Options) {
			o.BaseDelay, o.MaxDelay, o.MaxAttempts = 30*time.Second, 30*time.Second, 10
		})
		f.srv.FailNext(10, 2, 0, 500)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(100 * time.Millisecond); cancel() }()
		start := time.Now()
		_, err := f.c.Send(ctx, text("u1", "hi"))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if time.Since(start) > 10*time.Second {
			t.Errorf("cancellation took %v", time.Since(start))
		}
	})
}

// A connection that dies after the request was written may have reached
// Meta: a send is not retried (no idempotency key), and says so.
func TestSendCutOffIsNotRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			buf := make([]byte, 4096)
			conn.Read(buf)
			conn.Close() // hang up without an answer
		}
	}()
	c := fbgraph.New(fbgraph.Options{BaseURL: "http://" + ln.Addr().String(), PageToken: token, BaseDelay: time.Millisecond})
	_, err = c.Send(context.Background(), text("u1", "hi"))
	var ge *fbgraph.Error
	if !errors.As(err, &ge) || !ge.MaybeSent {
		t.Fatalf("err = %#v, want MaybeSent", err)
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("%d connections: the send was retried", n)
	}
	// A GET is safe to retry.
	accepted.Store(0)
	c.Me(context.Background())
	if n := accepted.Load(); n < 2 {
		t.Errorf("GET tried %d times, want retries", n)
	}
}

// An answer that does not prove Meta refused the send (a 502 from an edge
// without Meta's envelope, a cut, a timeout) is never retried: Meta may
// have delivered it, as the emulator does here. Meta's own 5xx envelope
// is a refusal and is retried (TestRetryPolicy).
func TestAmbiguousAnswersAreNotRetried(t *testing.T) {
	for _, tt := range []struct {
		name      string
		arrange   func(*fbtest.Server)
		delivered int
		why       string
	}{
		{"502 after accepting", func(s *fbtest.Server) { s.FaultAfterAccept(1, fbtest.Edge502) }, 1, "HTTP 502 without Meta's error"},
		{"502 from an edge that refused", func(s *fbtest.Server) { s.RefuseAtEdge(1) }, 0, "HTTP 502 without Meta's error"},
		{"cut after accepting", func(s *fbtest.Server) { s.FaultAfterAccept(1, fbtest.CutAfterAccept) }, 1, "connection failed after the request left"},
		{"timeout after accepting", func(s *fbtest.Server) { s.FaultAfterAccept(1, fbtest.StallAfterAccept) }, 1, "no answer from Meta in time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(_ *fbtest.Config, o *fbgraph.Options) {
				o.HTTPClient = &http.Client{Timeout: 500 * time.Millisecond}
			})
			tt.arrange(f.srv)
			_, err := f.c.Send(context.Background(), text("u1", "hi"))
			var ge *fbgraph.Error
			if !errors.As(err, &ge) || !ge.MaybeSent {
				t.Fatalf("err = %v, want MaybeSent", err)
			}
			if n := len(f.srv.Requests()); n != 1 {
				t.Errorf("%d calls: an ambiguous send was retried", n)
			}
			if n := len(f.srv.Sent()); n != tt.delivered {
				t.Errorf("%d delivered, want %d", n, tt.delivered)
			}
			if !strings.Contains(ge.Ambiguity(), tt.why) {
				t.Errorf("Ambiguity() = %q, want %q", ge.Ambiguity(), tt.why)
			}
		})
	}
}

// The token travels in a header only: never in a URL, a body, an error or
// a log line. Nor does the app secret.
func TestTokenNeverLeaks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var errs []string
	record := func(err error) {
		if err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		}
	}
	_, err := f.c.Send(ctx, text("u1", "hi"))
	record(err)
	f.srv.FailNext(1, 100, 2018001, 400)
	_, err = f.c.Send(ctx, text("nobody", "hi"))
	record(err)
	f.srv.FailNext(1, 2, 0, 500)
	_, err = f.c.Profile(ctx, "u1")
	record(err)
	f.srv.ExpireToken()
	_, err = f.c.Me(ctx)
	record(err)
	err = f.c.Conversations(ctx, f.srv.PageID(), 10, func(fbgraph.Thread) error { return nil })
	record(err)
	dead := fbgraph.New(fbgraph.Options{BaseURL: "http://127.0.0.1:1", PageToken: token, AppSecret: appSecret, MaxAttempts: 1})
	_, err = dead.Me(ctx)
	record(err)
	if len(errs) < 9 {
		t.Fatalf("only %d errors recorded", len(errs))
	}
	proof := fbgraph.AppSecretProof(token, appSecret)
	for _, s := range append(errs, f.logs.String()) {
		for _, secret := range []string{token, appSecret, proof} {
			if strings.Contains(s, secret) {
				t.Errorf("leak of %q in %q", secret[:6], s)
			}
		}
	}
	for _, r := range f.srv.Requests() {
		if strings.Contains(r.RawQuery, token) || bytes.Contains(r.Body, []byte(token)) || strings.Contains(r.Path, token) {
			t.Errorf("token in request %s %s?%s", r.Method, r.Path, r.RawQuery)
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("request %s without the token header", r.Path)
		}
	}
}

func TestAppSecretProof(t *testing.T) {
	f := newFixture(t, func(c *fbtest.Config, _ *fbgraph.Options) { c.RequireProof = true })
	if _, err := f.c.Me(context.Background()); err != nil {
		t.Fatalf("right proof refused: %v", err)
	}
	wrong := fbgraph.New(fbgraph.Options{BaseURL: f.srv.URL(), PageToken: token, AppSecret: "not-the-secret"})
	if _, err := wrong.Me(context.Background()); err == nil || !strings.Contains(err.Error(), "appsecret_proof") {
		t.Errorf("wrong proof: %v", err)
	}
	none := fbgraph.New(fbgraph.Options{BaseURL: f.srv.URL(), PageToken: token})
	if _, err := none.Me(context.Background()); err == nil {
		t.Error("missing proof accepted")
	}
}

func TestProfilesPageAndSubscriptions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if name, err := f.c.Name(ctx, f.srv.PageID(), "u1"); err != nil || name != "Ana Souza" {
		t.Errorf("name = %q %v", name, err)
	}
	if _, err := f.c.Profile(ctx, "nobody"); !errors.Is(err, fbgraph.ErrNoSuchUser) {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := f.c.Profile(ctx, "../me"); err == nil {
		t.Error("a PSID with a slash reached the URL")
	}
	me, err := f.c.Me(ctx)
	if err != nil || me.ID != f.srv.PageID() || me.Name == "" {
		t.Errorf("me = %+v %v", me, err)
	}
	apps, err := f.c.SubscribedApps(ctx, me.ID)
	if err != nil || len(apps) != 1 || len(apps[0].SubscribedFields) < 6 {
		t.Errorf("subscribed apps = %+v %v", apps, err)
	}
}

func TestConversationsPaging(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 57; i++ {
		psid := fmt.Sprintf("c%02d", i)
		f.srv.AddUser(psid, "Customer "+psid)
		f.srv.InboundMessage(psid, "m-"+psid, "hello "+psid, t0.Add(-time.Duration(i)*time.Minute))
	}
	seen := map[string]int{}
	err := f.c.Conversations(context.Background(), f.srv.PageID(), 10, func(th fbgraph.Thread) error {
		p, ok := th.Customer(f.srv.PageID())
		if !ok {
			t.Errorf("thread %s without a customer", th.ID)
		}
		seen[p.ID]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for psid, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", psid, n)
		}
	}
	if len(seen) != 58 { // 57 + u1
		t.Errorf("saw %d conversations, want 58", len(seen))
	}
	// Stopping early is not an error.
	n := 0
	err = f.c.Conversations(context.Background(), f.srv.PageID(), 10, func(fbgraph.Thread) error {
		n++
		if n == 3 {
			return fbgraph.ErrStop
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Errorf("stop: n=%d err=%v", n, err)
	}
}

// A paging link that repeats an earlier one is an error after one round,
// never an endless walk (a cursor that comes back, a proxy that loops).
func TestPagingLinkThatRepeatsStops(t *testing.T) {
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if n > 10 {
			http.Error(w, "looped", http.StatusTeapot)
			return
		}
		// Page 1 -> page 2 -> page 1 again.
		next := srv.URL + r.URL.Path + "?after=p2"
		if r.URL.Query().Get("after") == "p2" {
			next = srv.URL + r.URL.Path + "?after=p1"
		}
		if r.URL.Query().Get("after") == "p1" {
			next = srv.URL + r.URL.Path + "?after=p2"
		}
		fmt.Fprintf(w, `{"data":[{"id":"t%d","participants":{"data":[{"id":"u1"},{"id":"%s"}]}}],"paging":{"next":%q}}`, n, "PAGE", next)
	}))
	defer srv.Close()
	c := fbgraph.New(fbgraph.Options{PageToken: token, AppSecret: appSecret, BaseURL: srv.URL, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	threads := 0
	err := c.Conversations(context.Background(), "PAGE", 10, func(fbgraph.Thread) error { threads++; return nil })
	if err == nil || !strings.Contains(err.Error(), "repeats") {
		t.Fatalf("walking a looping paging link: %v (after %d threads)", err, threads)
	}
	if n := hits.Load(); n != 3 {
		t.Errorf("%d requests; want 3 (first page, p2, p1: p2 again is not fetched)", n)
	}
}
