package daemon_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
)

func startAgentDaemon(t *testing.T, st *store.Store) (*daemon.Server, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := daemon.NewServer(storeInbox(st), apiToken, nil)
	srv.AllowAgents(st)
	go srv.Run(ctx)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { cancel(); hs.Close() })
	return srv, "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
}

// presentIn waits for the presence the store's feed announces in key.
func presentIn(t *testing.T, feed *store.Subscription, key store.ConvKey) []store.AgentPresence {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ch := <-feed.C:
			if ch.Kind == store.PresenceChanged && ch.Presence.Key == key {
				return ch.Presence.Agents
			}
		case <-deadline:
			t.Fatalf("no presence in %v within 10 s", key)
		}
	}
}

func dialAs(t *testing.T, url, token string, hello store.Agent) *daemon.Client {
	t.Helper()
	c, err := daemon.Dial(context.Background(), url, token, hello, nil)
	if err != nil {
		t.Fatalf("dial with %s's token: %v", hello.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// A session opened with a named agent's token is that agent, whatever its
// hello claims: its drafts and presence are that agent's, and it cannot
// read or overwrite another agent's draft. The API token stays the
// owner's, named as its hello says.
func TestNamedAgentIsWhoTheTokenSays(t *testing.T) {
	st := openStore(t)
	_, url := startAgentDaemon(t, st)
	ctx := context.Background()
	feed := st.Subscribe(1024)
	defer feed.Close()
	postMessage(t, &testDaemon{hook: newHandler(t, st, nil)}, "u1", "m1")
	key := store.ConvKey{PageID: pageID, PSID: "u1"}
	anaTok, _, err := st.AddAgent(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	benTok, _, err := st.AddAgent(ctx, "ben")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveDraft(ctx, "ben", key, "ben's own words"); err != nil {
		t.Fatal(err)
	}

	// Ana's token, a hello that says Ben (with Ben's session id).
	ana := dialAs(t, url, anaTok, store.Agent{ID: "ben/laptop", Name: "ben"})
	if got := ana.Agent(); got.Name != "ana" || !strings.HasPrefix(got.ID, "ana/") {
		t.Fatalf("ana's session is %+v, want ana", got)
	}
	if d, err := ana.Draft(ctx, key); err != nil || d != "" {
		t.Errorf("ana's session read draft %q (%v): ben's draft leaked", d, err)
	}
	if err := ana.SaveDraft(ctx, key, "ana typing"); err != nil {
		t.Fatal(err)
	}
	if d, _ := st.Draft(ctx, "ana", key); d != "ana typing" {
		t.Errorf("ana's draft in the store = %q", d)
	}
	if d, _ := st.Draft(ctx, "ben", key); d != "ben's own words" {
		t.Errorf("ben's draft became %q: ana's session overwrote it", d)
	}
	if err := ana.Presence(ctx, key, true); err != nil {
		t.Fatal(err)
	}
	if got := presentIn(t, feed, key); len(got) != 1 || got[0].Agent != ana.Agent() || !got[0].Typing {
		t.Errorf("presence announced %+v, want ana's session %+v typing", got, ana.Agent())
	}

	// Ben's own token: his draft, his name.
	ben := dialAs(t, url, benTok, store.Agent{ID: "laptop", Name: "whoever"})
	if got := ben.Agent(); got != (store.Agent{ID: "ben/laptop", Name: "ben"}) {
		t.Errorf("ben's session is %+v", got)
	}
	if d, _ := ben.Draft(ctx, key); d != "ben's own words" {
		t.Errorf("ben reads %q", d)
	}

	// The owner's token: the hello names the session, as before.
	owner := dialAs(t, url, apiToken, store.Agent{ID: "o1", Name: "boss"})
	if got := owner.Agent(); got != (store.Agent{ID: "o1", Name: "boss"}) {
		t.Errorf("owner's session is %+v", got)
	}
}

// Revoking an agent refuses its token from then on and cuts its open
// sessions; other agents stay attached.
func TestRevokedAgentTokenIsRefusedAndCut(t *testing.T) {
	st := openStore(t)
	api, url := startAgentDaemon(t, st)
	ctx := context.Background()
	anaTok, _, _ := st.AddAgent(ctx, "ana")
	benTok, _, _ := st.AddAgent(ctx, "ben")
	ana := dialAs(t, url, anaTok, store.Agent{ID: "a", Name: "ana"})
	ben := dialAs(t, url, benTok, store.Agent{ID: "b", Name: "ben"})
	for _, c := range []*daemon.Client{ana, ben} {
		if _, err := c.Counts(ctx); err != nil {
			t.Fatal(err)
		}
	}

	if err := st.RevokeAgent(ctx, "ana"); err != nil {
		t.Fatal(err)
	}
	if n := api.CutAgent("ana"); n != 1 {
		t.Errorf("cut %d sessions of ana, want 1", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := ana.Counts(ctx)
		if errors.Is(err, daemon.ErrDisconnected) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ana's session still answers after revocation: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := daemon.Dial(ctx, url, anaTok, store.Agent{Name: "ana"}, nil); err == nil || !strings.Contains(err.Error(), "refused the API token") {
		t.Errorf("revoked token: %v, want refused", err)
	}
	if _, err := ben.Counts(ctx); err != nil {
		t.Errorf("ben was cut too: %v", err)
	}
}
