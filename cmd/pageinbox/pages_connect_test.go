package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

// The second Page of the connect tests, beside the emulator's default.
const (
	pageB      = "2000000000000002"
	pageBName  = "Second Shop"
	pageBToken = "EAApageBtoken-must-not-leak"
	userTok    = "EAAuser-short-lived-must-not-leak"
)

// connectRig is an emulator with two Pages that one user manages, and the
// environment of a pageinbox that talks to it.
type connectRig struct {
	srv *fbtest.Server
	env map[string]string
	dir string // the config dir
}

func newConnectRig(t *testing.T) *connectRig {
	t.Helper()
	srv := fbtest.NewServer(fbtest.Config{Pages: []fbtest.Page{{ID: pageB, Name: pageBName, Token: pageBToken}}})
	t.Cleanup(srv.Close)
	srv.AddUserToken(fbtest.UserToken{Token: userTok, Expires: time.Now().Add(time.Hour)})
	dir := t.TempDir()
	return &connectRig{srv: srv, dir: dir, env: map[string]string{
		"XDG_CONFIG_HOME": dir, "HOME": dir, "PAGEINBOX_DATA": filepath.Join(dir, "data"),
		"PAGEINBOX_GRAPH_URL": srv.URL(), "APP_ID": fbtest.DefaultAppID, "APP_SECRET": fbtest.DefaultAppSecret,
	}}
}

func (r *connectRig) file() string { return filepath.Join(r.dir, "pageinbox", "pages.json") }

// run runs pageinbox with stdin, and checks no token reached its output.
func (r *connectRig) run(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	req, err := parseArgs(args, mapEnv(r.env))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = req.run(context.Background(), cmdEnv{cfg: req.cfg, args: req.args, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut})
	all := out.String() + errOut.String()
	if err != nil {
		all += err.Error()
	}
	r.noTokens(t, all)
	return out.String(), errOut.String(), err
}

// noTokens fails if any token or the app secret is in text.
func (r *connectRig) noTokens(t *testing.T, text string) {
	t.Helper()
	secrets := []string{userTok, pageBToken, fbtest.DefaultPageToken, fbtest.DefaultAppSecret, "EAAlonglived"}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("output carries a secret (%.8s...):\n%s", s, text)
		}
	}
}

// stored reads the secrets file as JSON.
func (r *connectRig) stored(t *testing.T) []pageRecord {
	t.Helper()
	b, err := os.ReadFile(r.file())
	if err != nil {
		t.Fatal(err)
	}
	var doc pagesDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Pages
}

// Two Pages from one user token on stdin with --all: both are stored
// with their own tokens in a 0600 file in a 0700 dir, and each Page is
// subscribed to the fields with its own token.
func TestPagesConnectAllFromStdin(t *testing.T) {
	r := newConnectRig(t)
	out, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "connected Page Demo Shop") || !strings.Contains(out, "connected Page Second Shop") {
		t.Errorf("stdout does not name both Pages:\n%s", out)
	}
	got := r.stored(t)
	want := map[string]string{fbtest.DefaultPageID: fbtest.DefaultPageToken, pageB: pageBToken}
	if len(got) != 2 {
		t.Fatalf("stored %d Pages, want 2", len(got))
	}
	for _, p := range got {
		if want[p.ID] != p.Token || p.Name == "" || !slices.Equal(p.Fields, connectFields) || p.ConnectedAt.IsZero() ||
			!slices.Contains(p.Scopes, "pages_messaging") {
			t.Errorf("stored %s %q: fields %v scopes %v connected %v; want its own token, the fields, scopes, a time",
				p.ID, p.Name, p.Fields, p.Scopes, p.ConnectedAt)
		}
	}
	for path, mode := range map[string]os.FileMode{r.file(): 0o600, filepath.Dir(r.file()): 0o700} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, %v; want %04o", path, fi.Mode().Perm(), err, mode)
		}
	}
	subscribed := map[string]bool{}
	for _, q := range r.srv.Requests() {
		r.noTokens(t, q.Path+"?"+q.RawQuery) // no token in any URL
		if q.Method != "POST" || !strings.HasSuffix(q.Path, "/subscribed_apps") || q.Status != 200 {
			continue
		}
		id := strings.Split(strings.Trim(q.Path, "/"), "/")[1]
		var body struct {
			Fields []string `json:"subscribed_fields"`
		}
		json.Unmarshal(q.Body, &body)
		if q.Header.Get("Authorization") != "Bearer "+want[id] || !slices.Equal(body.Fields, connectFields) {
			t.Errorf("subscribe %s: auth with the wrong token or fields %v", id, body.Fields)
		}
		subscribed[id] = true
	}
	if !subscribed[fbtest.DefaultPageID] || !subscribed[pageB] {
		t.Errorf("subscribed %v, want both Pages", subscribed)
	}
	if r.srv.Exchanges() != 1 {
		t.Errorf("%d exchanges, want 1", r.srv.Exchanges())
	}
}

// FB_USER_TOKEN and a numbered pick store only the Page picked; --page
// adds another; an id the user does not manage is refused by name.
func TestPagesConnectPickAndPageFlag(t *testing.T) {
	r := newConnectRig(t)
	r.env["FB_USER_TOKEN"] = userTok
	out, _, err := r.run(t, "2\n", "pages", "connect")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1  Demo Shop") || !strings.Contains(out, "2  Second Shop") {
		t.Errorf("no numbered list:\n%s", out)
	}
	if got := r.stored(t); len(got) != 1 || got[0].ID != pageB {
		t.Fatalf("stored %+v; want Page B alone", len(got))
	}
	if _, _, err := r.run(t, "", "pages", "connect", "--page", fbtest.DefaultPageID); err != nil {
		t.Fatal(err)
	}
	if got := r.stored(t); len(got) != 2 || got[0].ID != pageB || got[1].ID != fbtest.DefaultPageID {
		t.Fatalf("after --page: %d Pages; want B then the default", len(got))
	}
	_, _, err = r.run(t, "", "pages", "connect", "--page", "999")
	if err == nil || !strings.Contains(err.Error(), "Second Shop ("+pageB+")") {
		t.Fatalf("--page 999: %v; want an error naming the Pages the user manages", err)
	}
	if _, _, err := r.run(t, "7\n", "pages", "connect"); err == nil || !strings.Contains(err.Error(), "from 1 to 2") {
		t.Fatalf("pick 7: %v; want a range error", err)
	}
}

// An expiring token shows in pages list with its expiry; a permission the
// token lacks is named for each Page; --check marks a refused token.
func TestPagesListExpiryAndMissingPermission(t *testing.T) {
	r := newConnectRig(t)
	expires := time.Now().Add(3*24*time.Hour - time.Hour)
	r.srv.SetTokenInfo(pageBToken, fbtest.TokenInfo{Expires: expires})
	r.srv.DropScope("pages_read_engagement")
	_, errOut, err := r.run(t, userTok+"\n", "pages", "connect", "--all")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Demo Shop", "Second Shop"} {
		if !strings.Contains(errOut, "warning: Page "+name) || !strings.Contains(errOut, "lacks the permission pages_read_engagement") {
			t.Errorf("missing permission not named for %s:\n%s", name, errOut)
		}
	}
	out, _, err := r.run(t, "", "pages", "list")
	if err != nil {
		t.Fatal(err)
	}
	lineB := lineWith(out, pageB)
	if !strings.Contains(lineB, "expires in 3 days") || !strings.Contains(lineB, expires.UTC().Format("2006-01-02")) {
		t.Errorf("Page B's line %q; want expires in 3 days and the date", lineB)
	}
	if lineA := lineWith(out, fbtest.DefaultPageID); !strings.Contains(lineA, " ok ") || !strings.Contains(lineA, "never") {
		t.Errorf("Page A's line %q; want ok, never", lineA)
	}

	r.srv.SetTokenInfo(fbtest.DefaultPageToken, fbtest.TokenInfo{Invalid: true})
	out, _, err = r.run(t, "", "pages", "list", "--check", "--json")
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]pageJSON{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var p pageJSON
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		states[p.ID] = p
	}
	if a, b := states[fbtest.DefaultPageID], states[pageB]; a.TokenState != "refused" || b.TokenState != "expires in 3 days" ||
		!slices.Equal(b.MissingScopes, []string{"pages_read_engagement"}) {
		t.Errorf("--check --json: A %+v, B %+v", a, b)
	}
}

func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// remove unsubscribes the app from the Page's webhooks with that Page's
// token and forgets it; an unknown id is an error naming the others; when
// Meta cannot be reached the Page is forgotten all the same and the
// warning says how to stop its webhooks by hand.
func TestPagesRemove(t *testing.T) {
	r := newConnectRig(t)
	if _, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all"); err != nil {
		t.Fatal(err)
	}
	before := len(r.srv.Requests())
	out, _, err := r.run(t, "", "pages", "remove", pageB)
	if err != nil || !strings.Contains(out, "no longer receives its webhooks") {
		t.Fatalf("remove: %q %v", out, err)
	}
	var deletes []string
	for _, q := range r.srv.Requests()[before:] {
		if q.Method == "DELETE" && strings.HasSuffix(q.Path, "/subscribed_apps") && q.Status == 200 {
			deletes = append(deletes, q.Path+" "+q.Header.Get("Authorization"))
		}
	}
	if len(deletes) != 1 || !strings.Contains(deletes[0], "/"+pageB+"/") || !strings.HasSuffix(deletes[0], "Bearer "+pageBToken) {
		t.Errorf("unsubscribe calls %v, want one DELETE of %s with its own token", deletes, pageB)
	}
	if got := r.stored(t); len(got) != 1 || got[0].ID != fbtest.DefaultPageID {
		t.Fatalf("after remove: %d Pages", len(got))
	}
	if fi, _ := os.Stat(r.file()); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after remove %v", fi.Mode().Perm())
	}
	if _, _, err := r.run(t, "", "pages", "remove", pageB); err == nil || !strings.Contains(err.Error(), "Demo Shop") {
		t.Fatalf("second remove: %v", err)
	}
	r.srv.Close() // Meta unreachable
	out, errOut, err := r.run(t, "", "pages", "remove", fbtest.DefaultPageID)
	if err != nil || !strings.Contains(errOut, "Meta still sends the webhooks of Demo Shop") || !strings.Contains(errOut, "Business integrations") ||
		strings.Contains(out, "no longer receives") {
		t.Fatalf("remove without Meta: out %q, err %q, %v", out, errOut, err)
	}
	if got := r.stored(t); len(got) != 0 {
		t.Errorf("after remove without Meta: %d Pages", len(got))
	}
}

// A file others can read, or a damaged one, is refused with a message
// that says what to do, by pages and by any command that reads tokens;
// the file is left as it was.
func TestPagesFileRefused(t *testing.T) {
	r := newConnectRig(t)
	if _, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all"); err != nil {
		t.Fatal(err)
	}
	os.Chmod(r.file(), 0o644)
	_, _, err := r.run(t, "", "pages", "list")
	if err == nil || !strings.Contains(err.Error(), "mode 0644") || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("wide file: %v", err)
	}
	code, _, errOut := runCLI(t, r.env, "conversations")
	if code != exitError || !strings.Contains(errOut, "chmod 600") {
		t.Fatalf("conversations with a wide pages file: %d %s", code, errOut)
	}
	r.noTokens(t, errOut)
	// Commands that use no Page token do not read it: serve's health
	// check keeps working while someone fixes the file.
	for _, args := range [][]string{{"healthcheck", "--help"}, {"completion", "bash"}, {"config"}} {
		if _, err := parseArgs(args, mapEnv(r.env)); err != nil {
			t.Errorf("%v with a wide pages file: %v", args, err)
		}
	}

	os.Chmod(r.file(), 0o600)
	os.WriteFile(r.file(), []byte(`{"pages":[{"id":"1","token":`), 0o600)
	_, _, err = r.run(t, "", "pages", "connect", "--all")
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged file: %v", err)
	}
	if b, _ := os.ReadFile(r.file()); string(b) != `{"pages":[{"id":"1","token":` {
		t.Errorf("the damaged file was changed: %q", b)
	}
	if r.srv.Exchanges() != 1 {
		t.Errorf("connect called Meta with a damaged file")
	}
}

// The file's Pages become config.PageTokens; PAGE_ACCESS_TOKEN with
// PAGE_ID stands for its Page over the file's entry.
func TestPageTokensFromFile(t *testing.T) {
	r := newConnectRig(t)
	if _, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all"); err != nil {
		t.Fatal(err)
	}
	cfg := configFromEnv(mapEnv(r.env))
	if err := cfg.addPagesFile(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.PageTokens) != 2 || cfg.PageTokens[1].ID != pageB || cfg.PageTokens[1].Token.Reveal() != pageBToken ||
		cfg.PageTokens[1].Name != pageBName {
		t.Fatalf("PageTokens = %v; want both Pages from the file", cfg.PageTokens)
	}
	r.env["PAGE_ACCESS_TOKEN"], r.env["PAGE_ID"] = "EAAenv-token", pageB
	cfg = configFromEnv(mapEnv(r.env))
	if err := cfg.addPagesFile(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.PageTokens) != 2 || cfg.PageTokens[0].ID != pageB || cfg.PageTokens[0].Token.Reveal() != "EAAenv-token" ||
		cfg.PageTokens[1].ID != fbtest.DefaultPageID {
		t.Fatalf("PageTokens = %v; want B from the env, then the default Page from the file", cfg.PageTokens)
	}
}

// doctor warns 7 days ahead of a Page token's expiry and fails an expired
// one, live with APP_ID and APP_SECRET, else from the recorded expiry;
// it checks every Page's token whichever Page --page picks.
func TestDoctorPageTokenExpiry(t *testing.T) {
	r := newConnectRig(t)
	r.srv.SetTokenInfo(pageBToken, fbtest.TokenInfo{Expires: time.Now().Add(3*24*time.Hour - time.Hour)})
	if _, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all"); err != nil {
		t.Fatal(err)
	}
	r.env["PAGEINBOX_LISTEN"] = "127.0.0.1:0"
	_, out, _ := runCLI(t, r.env, "doctor", "--page", pageB)
	r.noTokens(t, out)
	if l := lineWith(out, "Page Second Shop"); !strings.HasPrefix(l, "[warn]") || !strings.Contains(l, "expires in 3 days") {
		t.Errorf("Page B: %q; want a warning 3 days ahead\n%s", l, out)
	}
	if l := lineWith(out, "Page Demo Shop"); !strings.HasPrefix(l, "[ok  ]") {
		t.Errorf("Page A: %q; want ok", l)
	}

	r.srv.SetTokenInfo(fbtest.DefaultPageToken, fbtest.TokenInfo{Expires: time.Now().Add(-time.Hour)})
	code, out, _ := runCLI(t, r.env, "doctor", "--page", pageB)
	if l := lineWith(out, "Page Demo Shop"); code != exitError || !strings.HasPrefix(l, "[FAIL]") || !strings.Contains(l, "token expired") {
		t.Errorf("expired Page A: exit %d, %q\n%s", code, l, out)
	}

	delete(r.env, "APP_ID") // offline: the expiry recorded at connect
	_, out, _ = runCLI(t, r.env, "doctor", "--page", pageB)
	if l := lineWith(out, "Page Second Shop"); !strings.HasPrefix(l, "[warn]") || !strings.Contains(l, "expires in 3 days") {
		t.Errorf("offline, Page B: %q\n%s", l, out)
	}
}

// The status bar's warning names the Page whose token expires soon; with
// no such Page there is none.
func TestExpiryWarnerForStatusBar(t *testing.T) {
	r := newConnectRig(t)
	if _, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all"); err != nil {
		t.Fatal(err)
	}
	cfg := configFromEnv(mapEnv(r.env))
	if w := expiryWarner(cfg); w == nil || w() != "" {
		t.Fatalf("tokens that never expire: warner %v", w != nil)
	}
	r.srv.SetTokenInfo(pageBToken, fbtest.TokenInfo{Expires: time.Now().Add(3*24*time.Hour - time.Hour)})
	if _, _, err := r.run(t, "", "pages", "list", "--check"); err != nil {
		t.Fatal(err)
	}
	if got := expiryWarner(cfg)(); got != "token of Second Shop expires in 3 days" {
		t.Fatalf("warning %q", got)
	}
}

// With only the secrets file (no PAGE_ACCESS_TOKEN), a command reaches
// Meta with the token of the Page it is given; without --page it names
// the connected Pages; doctor reports a bad file among its checks.
func TestCommandsUsePagesFile(t *testing.T) {
	r := newConnectRig(t)
	if _, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, r.env, "sync")
	if code != exitUsage || !strings.Contains(errOut, "Second Shop") || !strings.Contains(errOut, "Demo Shop") {
		t.Fatalf("sync without --page: exit %d, %s; want the Pages named", code, errOut)
	}
	before := len(r.srv.Requests())
	code, out, errOut := runCLI(t, r.env, "sync", "--page", pageBName)
	if code != exitOK {
		t.Fatalf("sync --page %q: exit %d\n%s%s", pageBName, code, out, errOut)
	}
	calls := 0
	for _, q := range r.srv.Requests()[before:] {
		if strings.Contains(q.Path, "/conversations") {
			calls++
			if q.Header.Get("Authorization") != "Bearer "+pageBToken {
				t.Errorf("%s went with another token than Page B's", q.Path)
			}
		}
	}
	if calls == 0 {
		t.Fatal("sync made no Conversations API call")
	}

	// doctor without --page checks the token of every Page against Meta.
	_, out, _ = runCLI(t, r.env, "doctor")
	for _, name := range []string{"Demo Shop", pageBName} {
		if l := lineWith(out, "token works: Page \""+name+"\""); !strings.HasPrefix(l, "[ok") {
			t.Errorf("doctor did not check %s's token: %q\n%s", name, l, out)
		}
	}

	os.Chmod(r.file(), 0o640)
	_, out, _ = runCLI(t, r.env, "doctor")
	if l := lineWith(out, "pages file"); !strings.HasPrefix(l, "[FAIL]") || !strings.Contains(l, "chmod 600") {
		t.Errorf("doctor with a wide pages file: %q\n%s", l, out)
	}
}

// A system user's token, which does not expire and which the exchange
// refuses, is used as it is.
func TestPagesConnectSystemUserToken(t *testing.T) {
	r := newConnectRig(t)
	const sysTok = "EAAsystem-user-token-must-not-leak"
	r.srv.AddUserToken(fbtest.UserToken{Token: sysTok, SystemUser: true, Pages: []string{pageB}})
	r.env["FB_USER_TOKEN"] = sysTok
	_, errOut, err := r.run(t, "", "pages", "connect", "--all")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "a system user token") {
		t.Errorf("no note of the unexchanged token:\n%s", errOut)
	}
	if got := r.stored(t); len(got) != 1 || got[0].ID != pageB || got[0].Token != pageBToken {
		t.Fatalf("stored %d Pages; want Page B, the one the system user has", len(got))
	}
	r.noTokens(t, errOut)
	if strings.Contains(errOut, sysTok) {
		t.Error("the system user token was printed")
	}
}

// An expired user token is refused with Meta's reason, and nothing is
// stored; no token at all says where one goes.
func TestPagesConnectBadUserToken(t *testing.T) {
	r := newConnectRig(t)
	const old = "EAAexpired-user-token-must-not-leak"
	r.srv.AddUserToken(fbtest.UserToken{Token: old, Expires: time.Now().Add(-time.Minute)})
	_, _, err := r.run(t, old+"\n", "pages", "connect", "--all")
	if err == nil || !strings.Contains(err.Error(), "expired") || strings.Contains(err.Error(), old) {
		t.Fatalf("expired token: %v", err)
	}
	if _, serr := os.Stat(r.file()); serr == nil {
		t.Error("a pages file was written")
	}
	if _, _, err := r.run(t, "", "pages", "connect", "--all"); err == nil || !strings.Contains(err.Error(), "FB_USER_TOKEN") {
		t.Fatalf("no token: %v", err)
	}
}

// Without pages_manage_metadata Meta refuses the subscription: the
// permission is named, the tokens are still stored (unsubscribed), and
// connect exits 1 naming the Pages to fix.
func TestPagesConnectSubscribeRefused(t *testing.T) {
	r := newConnectRig(t)
	r.srv.DropScope("pages_manage_metadata")
	_, errOut, err := r.run(t, userTok+"\n", "pages", "connect", "--all")
	if err == nil || !strings.Contains(err.Error(), "2 Pages not subscribed") || !strings.Contains(err.Error(), pageB) {
		t.Fatalf("err %v; want both Pages named as not subscribed", err)
	}
	if !strings.Contains(errOut, "lacks the permission pages_manage_metadata") || !strings.Contains(errOut, "Requires pages_manage_metadata") {
		t.Errorf("stderr does not name the permission and Meta's refusal:\n%s", errOut)
	}
	got := r.stored(t)
	if len(got) != 2 || len(got[0].Fields) != 0 || got[1].Token != pageBToken {
		t.Fatalf("stored %d Pages; want both, unsubscribed, with their tokens", len(got))
	}
	out, _, _ := r.run(t, "", "pages", "list")
	if l := lineWith(out, pageB); !strings.HasSuffix(strings.TrimSpace(l), "none") {
		t.Errorf("list: %q; want subscribed none", l)
	}
}

// The demo replaces every Page of the environment and the secrets file
// with the emulator's: no real token goes anywhere, not even to the
// emulator, and its one Page is the only Page connected.
func TestDemoUsesOnlyTheEmulatorsPage(t *testing.T) {
	r := newConnectRig(t)
	if _, _, err := r.run(t, userTok+"\n", "pages", "connect", "--all"); err != nil {
		t.Fatal(err)
	}
	env := maps.Clone(r.env)
	env["PAGE_ACCESS_TOKEN"], env["PAGE_ID"] = "real-env-token-123", "4242"
	req, err := parseArgs([]string{"demo"}, mapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	demo := fbtest.NewServer(fbtest.Config{PageName: "Demo Shop"})
	defer demo.Close()
	cfg := req.cfg
	useEmulator(&cfg, demo)
	if len(cfg.PageTokens) != 1 || cfg.PageTokens[0].ID != demo.PageID() || cfg.PageTokens[0].Token.Reveal() != demo.Config().PageToken {
		t.Fatalf("demo Pages: %v", cfg.PageTokens)
	}
	if got := fmt.Sprintf("%#v", cfg); strings.Contains(got, "real-env-token-123") || strings.Contains(got, pageBToken) {
		t.Errorf("a real token is left in the demo's configuration")
	}
}
