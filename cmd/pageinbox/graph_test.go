package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

const testToken = "EAAB-cmd-test-token-9876543210"

// graphEnv is an emulator with two customers (one inside the window, one
// who wrote 3 days ago), a data dir holding their conversations, and the
// environment that points pageinbox at both.
func graphEnv(t *testing.T) (*fbtest.Server, map[string]string) {
	t.Helper()
	srv := fbtest.NewServer(fbtest.Config{PageToken: testToken, AppSecret: "cmd-secret"})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	page := srv.PageID()
	st.EnsurePages(context.Background(), []string{page})
	now := time.Now()
	for psid, at := range map[string]time.Time{"fresh": now.Add(-time.Hour), "stale": now.Add(-72 * time.Hour)} {
		srv.AddUser(psid, "Customer "+psid)
		srv.Inbound(psid, at)
		if err := st.Ingest(context.Background(), []store.Event{{Kind: store.EventMessage, PageID: page, PSID: psid, MID: "m-" + psid, Text: "hi", Time: at}}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	return srv, map[string]string{"PAGEINBOX_DATA": dir, "PAGEINBOX_GRAPH_URL": srv.URL(), "PAGE_ACCESS_TOKEN": testToken,
		"APP_SECRET": "cmd-secret", "VERIFY_TOKEN": "vt", "HOME": dir, "PAGEINBOX_LISTEN": "127.0.0.1:0"}
}

func TestSendCommand(t *testing.T) {
	srv, env := graphEnv(t)
	code, out, errOut := runCLI(t, env, "send", "--to", "fresh", "--text", "Yes, we ship to Porto")
	if code != 0 || len(srv.Sent()) != 1 || strings.TrimSpace(out) != srv.Sent()[0].MID {
		t.Fatalf("send: exit %d, stdout %q, stderr %q, sent %+v", code, out, errOut, srv.Sent())
	}
	// Outside the 24 h window: refused before calling Meta.
	before := len(srv.Requests())
	code, _, errOut = runCLI(t, env, "send", "--to", "stale", "--text", "hello?")
	if code != 1 || !strings.Contains(errOut, "outside the 24 h window") || len(srv.Requests()) != before {
		t.Errorf("outside window: exit %d, %q, %d new requests", code, errOut, len(srv.Requests())-before)
	}
	// A human reply within 7 days may go with HUMAN_AGENT.
	code, out, errOut = runCLI(t, env, "send", "--to", "stale", "--text", "Sorry for the wait!", "--tag", "HUMAN_AGENT")
	if code != 0 || srv.SentTo("stale")[0].Tag != "HUMAN_AGENT" {
		t.Errorf("HUMAN_AGENT: exit %d %q %q", code, out, errOut)
	}
	// Retired tags and unknown customers are refused with a reason.
	code, _, errOut = runCLI(t, env, "send", "--to", "stale", "--text", "x", "--tag", "POST_PURCHASE_UPDATE")
	if code != 1 || !strings.Contains(errOut, "retired") {
		t.Errorf("retired tag: exit %d %q", code, errOut)
	}
	code, _, errOut = runCLI(t, env, "send", "--to", "nobody", "--text", "x")
	if code != 1 || !strings.Contains(errOut, "no conversation") {
		t.Errorf("unknown customer: exit %d %q", code, errOut)
	}
	// Meta refusing: the reason in words, exit 1.
	srv.SetUnavailable("fresh")
	code, _, errOut = runCLI(t, env, "send", "--to", "fresh", "--text", "again")
	if code != 1 || !strings.Contains(errOut, "isn't available") {
		t.Errorf("unavailable: exit %d %q", code, errOut)
	}
	// An expired token: said once, clearly; nothing of the send stays queued.
	srv.ExpireToken()
	code, _, errOut = runCLI(t, env, "send", "--to", "stale", "--text", "one more", "--tag", "HUMAN_AGENT")
	if code != 1 || !strings.Contains(errOut, "token is invalid or expired") {
		t.Errorf("expired token: exit %d %q", code, errOut)
	}
	if strings.Contains(errOut, testToken) {
		t.Error("the token reached the screen")
	}
}

func TestSyncCommand(t *testing.T) {
	srv, env := graphEnv(t)
	srv.AddUser("old", "Olga Old")
	srv.InboundMessage("old", "m-old-1", "are you open on sunday?", time.Now().Add(-48*time.Hour))
	srv.PageInboxReply("old", "Yes, 10 to 4")
	for i := 0; i < 2; i++ { // twice: nothing is duplicated
		code, out, errOut := runCLI(t, env, "sync")
		if code != 0 || !strings.Contains(out, "synced") {
			t.Fatalf("sync: exit %d %q %q", code, out, errOut)
		}
	}
	code, out, _ := runCLI(t, env, "export")
	if code != 0 {
		t.Fatal("export failed")
	}
	if n := strings.Count(out, `"psid":"old"`); n != 2 {
		t.Errorf("old's thread has %d messages after two syncs, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, `"mid":"m-fresh"`); n != 1 {
		t.Errorf("webhook-stored message duplicated by sync: %d", n)
	}
	_, out, _ = runCLI(t, env, "export", "--conversations")
	if !strings.Contains(out, `"name":"Olga Old"`) {
		t.Errorf("name not synced:\n%s", out)
	}
}

func TestDoctorCommand(t *testing.T) {
	srv, env := graphEnv(t)
	code, out, _ := runCLI(t, env, "doctor")
	if code != 0 || !strings.Contains(out, "all checks passed") || !strings.Contains(out, "Demo Shop") {
		t.Fatalf("doctor on a good set-up: exit %d\n%s", code, out)
	}
	srv.SetSubscribedFields([]string{"messages"})
	code, out, _ = runCLI(t, env, "doctor")
	if code != 1 || !strings.Contains(out, "message_echoes") || !strings.Contains(out, "subscribed_apps") {
		t.Errorf("missing fields not reported: exit %d\n%s", code, out)
	}
	srv.ExpireToken()
	env["APP_SECRET"] = ""
	code, out, _ = runCLI(t, env, "doctor")
	if code != 1 || !strings.Contains(out, "new Page access token") || !strings.Contains(out, "APP_SECRET") {
		t.Errorf("expired token and no secret: exit %d\n%s", code, out)
	}
	if strings.Contains(out, testToken) {
		t.Error("doctor printed the token")
	}
}
