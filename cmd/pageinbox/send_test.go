package main

// What `send` and `campaign` do when Meta's answer leaves a send's fate
// open, and when they leave without sending (issue 10, items 8 and 9).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// hookRelay is where the emulator posts its webhooks before the daemon's
// address is known: it passes each POST on to the daemon once to() names
// it, and answers 503 (Meta retries) until then.
type hookRelay struct {
	ts     *httptest.Server
	target atomic.Pointer[string]
}

func newHookRelay(t *testing.T) *hookRelay {
	r := &hookRelay{}
	r.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		target := r.target.Load()
		if target == nil {
			http.Error(w, "no daemon yet", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(req.Body)
		fwd, _ := http.NewRequestWithContext(req.Context(), req.Method, "http://"+*target+"/webhook", bytes.NewReader(body))
		fwd.Header = req.Header.Clone()
		resp, err := http.DefaultClient.Do(fwd)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(r.ts.Close)
	return r
}

// echoes makes the emulator post echoes through the relay.
func (r *hookRelay) echoes(cfg *fbtest.Config) {
	cfg.WebhookURL, cfg.Echoes, cfg.WebhookBackoff = r.ts.URL+"/webhook", true, 20*time.Millisecond
}

// echoDaemon runs serve on env's data dir and routes the emulator's
// webhooks to it, as Meta would; stop ends it.
func echoDaemon(t *testing.T, relay *hookRelay, env map[string]string) (stop func()) {
	t.Helper()
	stop = startInProcessDaemon(t, env, "127.0.0.1:0")
	c, err := attach(context.Background(), config{DataDir: env["PAGEINBOX_DATA"]}, thisAgent(config{}))
	if err != nil || c == nil {
		t.Fatalf("attach: %v", err)
	}
	defer c.Close()
	s, err := c.Status(context.Background())
	if err != nil || s.Webhook == "" {
		t.Fatalf("status: %+v %v", s, err)
	}
	addr := daemon.Dialable(s.Webhook)
	relay.target.Store(&addr)
	return stop
}

// itemsOf reads every outbox item of the data dir, by PSID.
func itemsOf(t *testing.T, dir string) map[string][]store.OutboxItem {
	t.Helper()
	out := map[string][]store.OutboxItem{}
	withStore(t, dir, func(st *store.Store) {
		for id := uint64(1); ; id++ {
			it, err := st.Item(context.Background(), id)
			if err != nil {
				return
			}
			out[it.PSID] = append(out[it.PSID], it)
		}
	})
	return out
}

// Meta accepts the send and an edge answers 502: `send` through the
// daemon neither repeats it nor reports a failure. The echo settles it:
// exit 0 with Meta's mid, and the customer has it once.
func TestSendSettledByTheEchoAfterA502(t *testing.T) {
	relay := newHookRelay(t)
	srv, env, dir := campaignEnv(t, map[string]group{"p": {1, time.Hour}}, relay.echoes)
	stop := echoDaemon(t, relay, env)
	srv.FaultAfterAccept(1, fbtest.Edge502)
	code, stdout, stderr := runCLI(t, env, "send", "--to", "p0000", "--text", "Your parcel left today")
	sent := srv.SentTo("p0000")
	if code != 0 || len(sent) != 1 || strings.TrimSpace(stdout) != sent[0].MID || srv.AcceptFaults() != 1 {
		t.Fatalf("send: exit %d, stdout %q, delivered %+v, faults %d\n%s", code, stdout, sent, srv.AcceptFaults(), stderr)
	}
	if !strings.HasSuffix(stderr, "sent\n") {
		t.Errorf("stderr does not say it was sent: %q", stderr)
	}
	stop()
	if its := itemsOf(t, dir)["p0000"]; len(its) != 1 || its[0].State != store.OutboxSent || its[0].MID != sent[0].MID {
		t.Errorf("items: %+v", its)
	}
}

// A campaign to 50 with a fifth of the answers lost to 502s after Meta
// accepted them: everyone gets it exactly once, and every recipient ends
// sent with Meta's mid, settled by the echoes.
func TestCampaignSettledByEchoesAfter502s(t *testing.T) {
	const n = 50
	relay := newHookRelay(t)
	srv, env, dir := campaignEnv(t, map[string]group{"p": {n, time.Hour}}, relay.echoes)
	stop := echoDaemon(t, relay, env)
	srv.SetAcceptFaultRate(0.2, fbtest.Edge502)
	code, stdout, stderr := runCLI(t, env, "campaign", "--title", "T", "--text", "Summer sale", "--all")
	if code != 0 || stdout != fmt.Sprintf("sent %d, failed 0, skipped 0\n", n) || srv.AcceptFaults() == 0 {
		t.Fatalf("campaign: exit %d, %q, faults %d\n%s", code, stdout, srv.AcceptFaults(), stderr)
	}
	t.Logf("%d of %d answers were 502s after Meta accepted the send", srv.AcceptFaults(), n)
	stop()
	items := itemsOf(t, dir)
	for i := range n {
		psid := fmt.Sprintf("p%04d", i)
		sent, its := srv.SentTo(psid), items[psid]
		if len(sent) != 1 || len(its) != 1 || its[0].State != store.OutboxSent || its[0].MID != sent[0].MID {
			t.Errorf("%s: delivered %d, items %+v", psid, len(sent), its)
		}
	}
}

// Exit 0 sent, 1 not sent, 3 maybe sent; each says which in words.
func TestSendExitCodes(t *testing.T) {
	srv, env := graphEnv(t)
	code, stdout, stderr := runCLI(t, env, "send", "--to", "fresh", "--text", "one")
	if code != 0 || strings.TrimSpace(stdout) != srv.Sent()[0].MID || strings.TrimSpace(stderr) != "sent" {
		t.Errorf("sent: exit %d %q %q", code, stdout, stderr)
	}
	srv.FailNext(1, 368, 0, 403)
	code, stdout, stderr = runCLI(t, env, "send", "--to", "fresh", "--text", "two")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "failed: not sent: not permitted") {
		t.Errorf("refused: exit %d %q %q", code, stdout, stderr)
	}
	// No daemon: nothing here receives echoes, so an ambiguous answer is
	// final at once: exit 3, sent once, never again by itself.
	srv.FaultAfterAccept(1, fbtest.Edge502)
	code, stdout, stderr = runCLI(t, env, "send", "--to", "fresh", "--text", "three")
	if code != exitUnknown || stdout != "" || !strings.Contains(stderr, "unknown: may have been sent: HTTP 502 without Meta's error") ||
		!strings.Contains(stderr, "will not be sent again by itself") {
		t.Errorf("502 after accepting: exit %d %q %q", code, stdout, stderr)
	}
	if n := sentWithText(srv, "fresh", "three"); n != 1 {
		t.Errorf("the customer got %d copies", n)
	}
	if its := itemsOf(t, env["PAGEINBOX_DATA"])["fresh"]; len(its) != 3 || its[2].State != store.OutboxUnknown || its[2].ErrorKind != store.KindNoEcho {
		t.Errorf("items: %+v", its)
	}
}

// A send refused for a bad token leaves nothing that a later process with
// a good token would send: the item ends failed, in the file and through
// the daemon alike.
func TestSendWithABadTokenLeavesNothingQueued(t *testing.T) {
	for _, viaDaemon := range []bool{false, true} {
		t.Run(map[bool]string{false: "file", true: "daemon"}[viaDaemon], func(t *testing.T) {
			srv, env, dir := campaignEnv(t, map[string]group{"p": {2, time.Hour}})
			stop := func() {}
			if viaDaemon {
				stop = startInProcessDaemon(t, env, "127.0.0.1:0")
			}
			srv.ExpireToken()
			code, stdout, stderr := runCLI(t, env, "send", "--to", "p0000", "--text", "held back")
			if code != 1 || stdout != "" || !strings.Contains(stderr, "failed: not sent: the Page access token is invalid or expired") ||
				!strings.Contains(stderr, "nothing of it stays queued") || strings.Contains(stderr, testToken) {
				t.Fatalf("bad token: exit %d %q\n%s", code, stdout, stderr)
			}
			stop()
			// A later process with a good token sends what is queued, oldest
			// first: a reply queued now goes out, and nothing before it.
			srv.SetToken(testToken)
			withStore(t, dir, func(st *store.Store) {
				ctx := context.Background()
				if n, _ := st.Queued(ctx); n != 0 {
					t.Errorf("%d items left queued", n)
				}
				if it, _ := st.Item(ctx, 1); it.State != store.OutboxFailed || !strings.HasPrefix(it.Reason, "not sent: the Page access token") {
					t.Errorf("the refused send: %+v", it)
				}
				later, err := st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: srv.PageID(), PSID: "p0001"}, Text: "later"})
				if err != nil {
					t.Fatal(err)
				}
				gc := fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), PageToken: testToken})
				d := fbgraph.NewDispatcher(st, gc, fbgraph.DispatcherOptions{Poll: 10 * time.Millisecond})
				dctx, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() { d.Run(dctx); close(done) }()
				for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if it, _ := st.Item(ctx, later.ID); it.State.Done() {
						break
					}
				}
				cancel()
				<-done
			})
			if sent := srv.Sent(); len(sent) != 1 || sent[0].Text != "later" {
				t.Errorf("a dispatcher with a good token sent %+v", sent)
			}
		})
	}
}
