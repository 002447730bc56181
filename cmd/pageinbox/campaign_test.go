package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// campaignEnv is an emulator and a data dir holding the same customers,
// each group having last written `ago` before now, and the environment
// pointing pageinbox at both.
func campaignEnv(t testing.TB, groups map[string]struct {
	n   int
	ago time.Duration
}, opts ...func(*fbtest.Config)) (*fbtest.Server, map[string]string, string) {
	t.Helper()
	cfg := fbtest.Config{PageToken: testToken, AppSecret: "cmd-secret"}
	for _, o := range opts {
		o(&cfg)
	}
	srv := fbtest.NewServer(cfg)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	page := srv.PageID()
	if err := st.EnsurePages(context.Background(), []string{page}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var evs []store.Event
	for prefix, g := range groups {
		for i := 0; i < g.n; i++ {
			psid := fmt.Sprintf("%s%04d", prefix, i)
			at := now.Add(-g.ago)
			srv.AddUser(psid, "Customer "+psid)
			srv.Inbound(psid, at)
			evs = append(evs, store.Event{Kind: store.EventMessage, PageID: page, PSID: psid, MID: "m-" + psid, Text: "hi", Time: at})
		}
	}
	for i := 0; i < len(evs); i += 500 {
		if err := st.Ingest(context.Background(), evs[i:min(i+500, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	return srv, map[string]string{"PAGEINBOX_DATA": dir, "PAGEINBOX_GRAPH_URL": srv.URL(), "PAGE_ACCESS_TOKEN": testToken,
		"APP_SECRET": "cmd-secret", "HOME": dir}, dir
}

type group = struct {
	n   int
	ago time.Duration
}

// withStore opens the data dir while no command runs.
func withStore(t testing.TB, dir string, fn func(*store.Store)) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}

// seedConversation gives st one conversation on pageID: name, PSID u1,
// has written text.
func seedConversation(st *store.Store, pageID, name, text string) store.ConvKey {
	ctx, key := context.Background(), store.ConvKey{PageID: pageID, PSID: "u1"}
	st.EnsurePages(ctx, []string{pageID})
	st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: pageID, PSID: "u1", MID: "m1", Text: text, Time: time.Now()}})
	st.SetName(ctx, key, name)
	return key
}

// seedDataDir makes dataDir a data dir holding seedConversation's one
// conversation.
func seedDataDir(t testing.TB, dataDir, pageID, name, text string) {
	t.Helper()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	withStore(t, dataDir, func(st *store.Store) { seedConversation(st, pageID, name, text) })
}

func sendCalls(srv *fbtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/messages") {
			n++
		}
	}
	return n
}

func sentWithText(srv *fbtest.Server, psid, text string) int {
	n := 0
	for _, m := range srv.SentTo(psid) {
		if m.Text == text {
			n++
		}
	}
	return n
}

func TestCampaignCommand(t *testing.T) {
	srv, env, dir := campaignEnv(t, map[string]group{"in": {4, time.Hour}, "closed": {2, 25 * time.Hour}, "old": {1, 8 * 24 * time.Hour}})
	// in0003 was found unavailable by an earlier reply: blocked.
	srv.SetUnavailable("in0003")
	if code, _, errOut := runCLI(t, env, "send", "--to", "in0003", "--text", "your parcel is here"); code != 1 || !strings.Contains(errOut, "isn't available") {
		t.Fatalf("send to an unavailable customer: exit %d %q", code, errOut)
	}

	// --dry-run: the breakdown on stdout, nothing sent, nothing created.
	before := len(srv.Requests())
	code, out, errOut := runCLI(t, env, "campaign", "--title", "Spring", "--text", "New collection in store", "--all", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		`Campaign "Spring" to 7 recipients`,
		"inside the 24 h window, sent as UPDATE",
		"outside the 24 h window: 2, beyond 7 days: 1",
		"unreachable (unavailable or no such user): 1",
		"HUMAN_AGENT is never used for a campaign",
		"skip     closed0000  -  outside the 24 h window: it closed 1h00m ago",
		"blocked  in0003",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if !regexpMatch(`(?m)^\s+send\s+3\s+inside`, out) || !regexpMatch(`(?m)^\s+skip\s+3\s+`, out) || !regexpMatch(`(?m)^\s+blocked\s+1\s+`, out) {
		t.Errorf("counts not in the breakdown:\n%s", out)
	}
	if sendCalls(srv) != 1 || len(srv.Requests()) > before+1 { // the earlier send, and at most GET /me
		t.Errorf("dry run called Meta: %d send calls, %d requests", sendCalls(srv), len(srv.Requests())-before)
	}
	if _, _, errOut := runCLI(t, env, "campaigns"); !strings.Contains(errOut, "no campaigns yet") {
		t.Errorf("dry run created a campaign: %q", errOut)
	}

	// The real thing: one more becomes unavailable meanwhile and fails.
	srv.SetUnavailable("in0002")
	code, out, errOut = runCLI(t, env, "campaign", "--title", "Spring", "--text", "New collection in store", "--all")
	if code != 1 || out != "sent 2, failed 1, skipped 4\n" {
		t.Fatalf("campaign: exit %d, stdout %q\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"send          3  inside", "campaign 1 created: sending to 3, 4 skipped", "campaign 1: sent 2, failed 1, skipped 4 of 7", "--retry-failed 1"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	for _, psid := range []string{"in0000", "in0001"} {
		if n := sentWithText(srv, psid, "New collection in store"); n != 1 {
			t.Errorf("%s got %d campaign messages", psid, n)
		}
	}
	if sendCalls(srv) != 1+3 {
		t.Errorf("%d send calls, want 4", sendCalls(srv))
	}

	// Retry: a non-retryable failure is not retried; the exit stays 1.
	code, out, errOut = runCLI(t, env, "campaign", "--retry-failed", "1")
	if code != 1 || out != "sent 2, failed 1, skipped 4\n" || !strings.Contains(errOut, "0 retryable failures queued again") {
		t.Errorf("retry with nothing retryable: exit %d %q\n%s", code, out, errOut)
	}

	// A campaign whose sends Meta fails until the retries run out, then
	// Retry failed: each recipient ends with exactly one message.
	srv.FailNext(8, 2, 0, 500)
	code, out, errOut = runCLI(t, env, "campaign", "--title", "Flash", "--text", "Two hours only", "--to", "in0000", "--to", "in0001")
	if code != 1 || out != "sent 0, failed 2, skipped 0\n" {
		t.Fatalf("failing campaign: exit %d %q\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, env, "campaign", "--retry-failed", "2")
	if code != 0 || out != "sent 2, failed 0, skipped 0\n" || !strings.Contains(errOut, "2 retryable failures queued again") {
		t.Fatalf("retry failed: exit %d %q\n%s", code, out, errOut)
	}
	for _, psid := range []string{"in0000", "in0001"} {
		if n := sentWithText(srv, psid, "Two hours only"); n != 1 {
			t.Errorf("%s got %d flash messages", psid, n)
		}
	}
	// Resuming a finished campaign sends nothing more.
	calls := sendCalls(srv)
	if code, out, _ := runCLI(t, env, "campaign", "--resume", "2"); code != 0 || out != "sent 2, failed 0, skipped 0\n" || sendCalls(srv) != calls {
		t.Errorf("resume of a done campaign: exit %d %q, %d new calls", code, out, sendCalls(srv)-calls)
	}

	// A reply to campaign 2 shows in the history.
	withStore(t, dir, func(st *store.Store) {
		if err := st.Ingest(context.Background(), []store.Event{{Kind: store.EventMessage, PageID: srv.PageID(), PSID: "in0000",
			MID: "reply-1", Text: "still on?", Time: time.Now().Add(time.Second)}}); err != nil {
			t.Fatal(err)
		}
	})
	code, out, _ = runCLI(t, env, "campaigns")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") ||
		!regexpMatch(`^2\s+done\s+2\s+0\s+0\s+0\s+0\s+2\s+1\s+.*Flash$`, lines[1]) ||
		!regexpMatch(`^1\s+done\s+2\s+1\s+4\s+0\s+0\s+7\s+\d\s+.*Spring$`, lines[2]) {
		t.Errorf("campaigns: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, env, "campaigns", "1")
	if code != 0 || !strings.Contains(out, `campaign 1 "Spring", done: sent 2, failed 1, skipped 4`) ||
		!regexpMatch(`in0002\s+failed\s+user_unavailable\s+false\s+this person isn't available`, out) ||
		!regexpMatch(`old0000\s+skipped\s+beyond_7_days\s+beyond 7 days`, out) ||
		!regexpMatch(`in0003\s+skipped\s+blocked`, out) {
		t.Errorf("campaigns 1: exit %d\n%s", code, out)
	}
}

func TestCampaignCommandRefusals(t *testing.T) {
	srv, env, _ := campaignEnv(t, map[string]group{"in": {2, time.Hour}})
	for _, args := range [][]string{
		{"campaign", "--title", "T", "--text", "x"},
		{"campaign", "--title", "T", "--text", "x", "--all", "--unread"},
		{"campaign", "--text", "x", "--all"},
		{"campaign", "--title", "T", "--text", strings.Repeat("x", 2000), "--all"},
		{"campaign", "--resume", "1", "--retry-failed", "1"},
		{"campaign", "--resume", "1", "--text", "x"},
		{"campaign", "--resume", "7"},
		{"campaign", "--title", "T", "--text", "x", "--all", "stray"},
		{"campaigns", "x"},
	} {
		if code, out, errOut := runCLI(t, env, args...); code != 1 || out != "" || errOut == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	// Without a token only a dry run works, and says the token was not checked.
	noToken := map[string]string{}
	for k, v := range env {
		noToken[k] = v
	}
	delete(noToken, "PAGE_ACCESS_TOKEN")
	if code, _, errOut := runCLI(t, noToken, "campaign", "--title", "T", "--text", "x", "--all"); code != 1 || !strings.Contains(errOut, "PAGE_ACCESS_TOKEN") {
		t.Errorf("no token: exit %d %q", code, errOut)
	}
	if code, out, _ := runCLI(t, noToken, "campaign", "--title", "T", "--text", "x", "--all", "--dry-run"); code != 0 || !strings.Contains(out, "token was not checked") {
		t.Errorf("dry run without a token: exit %d %q", code, out)
	}
	// An invalid token: everyone is blocked, nothing is created.
	srv.ExpireToken()
	code, out, _ := runCLI(t, env, "campaign", "--title", "T", "--text", "x", "--all", "--dry-run")
	if code != 0 || !strings.Contains(out, "Page token invalid: 2") || !regexpMatch(`(?m)^\s+send\s+0\s`, out) {
		t.Errorf("dry run with an expired token: exit %d\n%s", code, out)
	}
	code, _, errOut := runCLI(t, env, "campaign", "--title", "T", "--text", "x", "--all")
	if code != 1 || !strings.Contains(errOut, "token is invalid or expired") || strings.Contains(errOut, testToken) {
		t.Errorf("expired token: exit %d\n%s", code, errOut)
	}
	if _, _, errOut := runCLI(t, env, "campaigns"); !strings.Contains(errOut, "no campaigns yet") {
		t.Errorf("a campaign was created with a dead token")
	}
	if sendCalls(srv) != 0 {
		t.Errorf("%d send calls", sendCalls(srv))
	}
}

// Ctrl-C stops cleanly: sends in flight are recorded, the campaign is
// paused (nothing unknown), and --resume finishes it, once per person.
func TestCampaignCommandInterruptAndResume(t *testing.T) {
	srv, env, dir := campaignEnv(t, map[string]group{"p": {40, time.Hour}})
	srv.SetLatency(30 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(srv.Sent()) < 10 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel() // what SIGINT does to main's context
	}()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"campaign", "--title", "T", "--text", "Hello all", "--window-open", "--rate", "20"}, mapEnv(env), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "interrupted: campaign 1 is paused; pageinbox campaign --resume 1 continues it") {
		t.Fatalf("interrupt: exit %d, stdout %q\n%s", code, out.String(), errOut.String())
	}
	withStore(t, dir, func(st *store.Store) {
		c, err := st.Campaign(context.Background(), 1)
		if err != nil || c.Status != store.CampaignPaused || c.Counts.Unknown != 0 || c.Counts.Sending != 0 || c.Counts.Failed != 0 ||
			c.Counts.Sent != len(srv.Sent()) || c.Counts.Sent >= 40 {
			t.Errorf("after Ctrl-C: %s %+v (emulator %d) %v", c.Status, c.Counts, len(srv.Sent()), err)
		}
	})
	code, stdout, stderr := runCLI(t, env, "campaign", "--resume", "1", "--rate", "200")
	if code != 0 || stdout != "sent 40, failed 0, skipped 0\n" || !strings.Contains(stderr, "resuming campaign 1") {
		_, items, _ := runCLI(t, env, "campaigns", "1")
		t.Fatalf("resume: exit %d %q\n%s\n%s", code, stdout, stderr, items)
	}
	for i := 0; i < 40; i++ {
		if n := len(srv.SentTo(fmt.Sprintf("p%04d", i))); n != 1 {
			t.Errorf("p%04d got %d messages", i, n)
		}
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

// --filter takes any filter of the store's table, the same as its
// shorthand, and refuses another name listing the ones there are.
func TestCampaignFilterFlag(t *testing.T) {
	_, env, _ := campaignEnv(t, map[string]group{"in": {3, time.Hour}, "closed": {2, 25 * time.Hour}})
	for _, pair := range [][2]string{{"--filter=window", "--window-open"}, {"--filter=all", "--all"}, {"--filter=unread", "--unread"}} {
		var outs [2]string
		for i, sel := range pair {
			code, out, errOut := runCLI(t, env, "campaign", "--title", "T", "--text", "x", sel, "--dry-run")
			if code != 0 {
				t.Fatalf("%s: exit %d\n%s", sel, code, errOut)
			}
			outs[i] = out
		}
		if outs[0] != outs[1] {
			t.Errorf("%s and %s differ:\n%s\n---\n%s", pair[0], pair[1], outs[0], outs[1])
		}
	}
	if _, out, _ := runCLI(t, env, "campaign", "--title", "T", "--text", "x", "--filter=window", "--dry-run"); !strings.Contains(out, "to 3 recipients") {
		t.Errorf("--filter=window did not select the 3 inside the window:\n%s", out)
	}
	code, out, errOut := runCLI(t, env, "campaign", "--title", "T", "--text", "x", "--filter=bogus")
	if code != 1 || out != "" || !strings.Contains(errOut, `"bogus"`) || !strings.Contains(errOut, strings.Join(store.FilterNames(), ", ")) {
		t.Errorf("--filter=bogus: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, _ := runCLI(t, env, "campaign", "--title", "T", "--text", "x", "--filter=all", "--unread"); code != 1 {
		t.Errorf("--filter with a shorthand: exit %d, want 1", code)
	}
}
