package main

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

const teamPage = "PTEAM"

// teamEnv is a data dir with two customers who wrote (u1 the latest),
// run by the local user olga.
func teamEnv(t *testing.T) map[string]string {
	t.Helper()
	env := dataEnv(t)
	env["USER"] = "olga"
	st, err := store.Open(filepath.Join(env["PAGEINBOX_DATA"], "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.EnsurePages(ctx, []string{teamPage}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, p := range []string{"u1", "u2"} {
		ev := store.Event{Kind: store.EventMessage, PageID: teamPage, PSID: p, MID: "m-" + p, Text: "where is my order",
			Time: now.Add(-time.Duration(i+1) * time.Minute)}
		if err := st.Ingest(ctx, []store.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.SetName(ctx, store.ConvKey{PageID: teamPage, PSID: "u1"}, "Ana Customer"); err != nil {
		t.Fatal(err)
	}
	return env
}

// cli runs a command that must succeed.
func cli(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
	}
	return out
}

// cliFails runs a command that must fail with an error naming want.
func cliFails(t *testing.T, env map[string]string, want string, args ...string) {
	t.Helper()
	code, _, errOut := runCLI(t, env, args...)
	if code == 0 || !strings.Contains(errOut, want) {
		t.Errorf("%v: exit %d, stderr %q, want an error with %q", args, code, errOut, want)
	}
}

// jsonLines decodes `--json` output into one map per line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		rows = append(rows, m)
	}
	return rows
}

func psids(rows []map[string]any) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r["psid"].(string))
	}
	return out
}

// teamScenario runs every team command against env, on the file or
// through the daemon serving it.
func teamScenario(t *testing.T, env map[string]string) {
	rows := jsonLines(t, cli(t, env, "conversations", "--json"))
	if !slices.Equal(psids(rows), []string{"u1", "u2"}) {
		t.Fatalf("open conversations = %v", psids(rows))
	}
	wantKeys := []string{"labels", "last_message_time", "name", "page_id", "psid", "state", "unread"}
	if got := slices.Sorted(maps.Keys(rows[0])); !slices.Equal(got, wantKeys) {
		t.Errorf("JSON fields = %v, want %v", got, wantKeys)
	}
	if r := rows[0]; r["page_id"] != teamPage || r["name"] != "Ana Customer" || r["state"] != "open" || r["unread"] != 1.0 {
		t.Errorf("u1 = %v", r)
	}
	if _, err := time.Parse(time.RFC3339, rows[0]["last_message_time"].(string)); err != nil {
		t.Errorf("last_message_time: %v", err)
	}
	teamAssign(t, env)
	teamLabels(t, env)
	teamStates(t, env)
	teamReplies(t, env)
	cli(t, env, "note", "u1", "parcel lost? ask the courier")
	cliFails(t, env, "not found", "note", "nobody", "hello")
	cliFails(t, env, "usage", "note", "u1")
	teamExportNotes(t, env)
}

// export --notes adds the note as a row of its own; plain export does not.
func teamExportNotes(t *testing.T, env map[string]string) {
	plain := cli(t, env, "export")
	if strings.Contains(plain, "parcel lost") || strings.Contains(plain, `"note"`) {
		t.Errorf("plain export carries the note:\n%s", plain)
	}
	rows := jsonLines(t, cli(t, env, "export", "--notes"))
	if len(rows) != len(jsonLines(t, plain))+1 {
		t.Fatalf("export --notes has %d rows, plain %d", len(rows), len(jsonLines(t, plain)))
	}
	note := rows[len(rows)-1]
	want := map[string]any{"page_id": teamPage, "psid": "u1", "direction": "note", "agent": "olga", "text": "parcel lost? ask the courier"}
	for k, v := range want {
		if note[k] != v {
			t.Errorf("note row %s = %v, want %v (%v)", k, note[k], v, note)
		}
	}
	if _, err := time.Parse(time.RFC3339, note["time"].(string)); err != nil {
		t.Errorf("note time: %v", err)
	}
	cliFails(t, env, "not with --conversations", "export", "--notes", "--conversations")
}

func teamAssign(t *testing.T, env map[string]string) {
	cliFails(t, env, `unknown agent "ana"`, "assign", "u1", "ana")
	cliFails(t, env, "olga", "assign", "u1", "ana") // the refusal lists who may be assigned
	cli(t, env, "agents", "add", "ana")
	if out := cli(t, env, "assign", "u1", "ana"); !strings.Contains(out, "ana") {
		t.Errorf("assign printed %q", out)
	}
	cli(t, env, "assign", "u2", "olga") // the owner
	rows := jsonLines(t, cli(t, env, "conversations", "--assignee", "ana", "--json"))
	if !slices.Equal(psids(rows), []string{"u1"}) || rows[0]["assignee"] != "ana" {
		t.Errorf("ana's = %v", rows)
	}
	cli(t, env, "assign", "u2", "--none")
	rows = jsonLines(t, cli(t, env, "conversations", "--unassigned", "--json"))
	if !slices.Equal(psids(rows), []string{"u2"}) {
		t.Errorf("unassigned = %v", psids(rows))
	}
	if _, ok := rows[0]["assignee"]; ok {
		t.Errorf("an unassigned row has an assignee: %v", rows[0])
	}
	cliFails(t, env, "not found", "assign", "nobody", "ana")
	cliFails(t, env, "usage", "assign", "u1")
	cliFails(t, env, "exclude", "conversations", "--assignee", "ana", "--unassigned")
}

func teamLabels(t *testing.T, env map[string]string) {
	cli(t, env, "label", "u2", "--add", "wholesale", "--add", "vip")
	cli(t, env, "label", "u1", "--add", "vip")
	cli(t, env, "label", "u2", "--remove", "vip")
	rows := jsonLines(t, cli(t, env, "conversations", "--label", "wholesale", "--json"))
	if !slices.Equal(psids(rows), []string{"u2"}) || !slices.Equal(rows[0]["labels"].([]any), []any{"wholesale"}) {
		t.Errorf("wholesale = %v", rows)
	}
	rows = jsonLines(t, cli(t, env, "conversations", "--label", "vip", "--json"))
	if !slices.Equal(psids(rows), []string{"u1"}) {
		t.Errorf("vip = %v", psids(rows))
	}
	cliFails(t, env, "--add", "label", "u1")
	cliFails(t, env, "not found", "label", "nobody", "--add", "x")
}

func teamStates(t *testing.T, env map[string]string) {
	before := time.Now()
	cli(t, env, "snooze", "u1", "2h")
	rows := jsonLines(t, cli(t, env, "conversations", "--state", "snoozed", "--json"))
	if !slices.Equal(psids(rows), []string{"u1"}) || rows[0]["state"] != "snoozed" {
		t.Fatalf("snoozed = %v", rows)
	}
	until, err := time.Parse(time.RFC3339, rows[0]["snoozed_until"].(string))
	if err != nil || until.Before(before.Add(2*time.Hour-time.Second)) || until.After(time.Now().Add(2*time.Hour)) {
		t.Errorf("snoozed_until = %v (%v), want 2 h from now", rows[0]["snoozed_until"], err)
	}
	if rows := jsonLines(t, cli(t, env, "conversations", "--json")); !slices.Equal(psids(rows), []string{"u2"}) {
		t.Errorf("open while u1 sleeps = %v", psids(rows))
	}
	cliFails(t, env, "not a time", "snooze", "u1", "soonish")
	cliFails(t, env, "has passed", "snooze", "u1", "2020-01-01T09:00")
	cliFails(t, env, "has passed", "snooze", "u1", "2020-01-01T09:00:00Z")
	cli(t, env, "snooze", "u1", "tomorrow 9:00") // the TUI menu's words work here too
	cli(t, env, "done", "u2")
	if rows := jsonLines(t, cli(t, env, "conversations", "--state", "done", "--json")); !slices.Equal(psids(rows), []string{"u2"}) {
		t.Errorf("done = %v", psids(rows))
	}
	cli(t, env, "reopen", "u1")
	cli(t, env, "reopen", "u2")
	if rows := jsonLines(t, cli(t, env, "conversations", "--state", "all", "--json")); len(rows) != 2 || rows[0]["state"] != "open" || rows[1]["state"] != "open" {
		t.Errorf("all = %v", rows)
	}
	cliFails(t, env, "--state", "conversations", "--state", "sleeping")
	cliFails(t, env, "not found", "done", "nobody")
}

func teamReplies(t *testing.T, env map[string]string) {
	cli(t, env, "replies", "add", "hi", "Hi {first_name}, {agent} here from {page}.")
	rows := jsonLines(t, cli(t, env, "replies", "list", "--json"))
	if len(rows) != 1 || rows[0]["shortcut"] != "hi" || rows[0]["text"] != "Hi {first_name}, {agent} here from {page}." {
		t.Errorf("replies = %v", rows)
	}
	if out := cli(t, env, "replies"); !strings.Contains(out, "hi") {
		t.Errorf("replies list = %q", out)
	}
	cli(t, env, "replies", "rm", "hi")
	cliFails(t, env, "not found", "replies", "rm", "hi")
	cliFails(t, env, "usage", "replies", "drop", "hi")
}

func TestTeamCommandsOnTheFile(t *testing.T) {
	teamScenario(t, teamEnv(t))
}

// Through a running daemon; a named agent acts under their own name and
// may not pose as another.
func TestTeamCommandsThroughTheDaemon(t *testing.T) {
	env := teamEnv(t)
	serveWithWebhook(t, env)
	teamScenario(t, env)
	token := strings.TrimSpace(cli(t, env, "agents", "add", "ben"))
	ben := maps.Clone(env)
	ben["PAGEINBOX_API_TOKEN"] = token
	cliFails(t, ben, "--as is for the owner", "note", "u1", "hi", "--as", "olga")
	cli(t, ben, "assign", "u2", "ben")
	cli(t, env, "note", "u2", "for ben", "--as", "ana") // the owner may
}

// send --reply sends a saved reply with the customer's first name, the
// acting agent and the Page filled in, on the file and through the daemon.
func TestSendSavedReply(t *testing.T) {
	srv, env := graphEnv(t)
	env["USER"] = "olga"
	st, err := store.Open(filepath.Join(env["PAGEINBOX_DATA"], "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetName(context.Background(), store.ConvKey{PageID: srv.PageID(), PSID: "fresh"}, "Maria Lopez"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cli(t, env, "replies", "add", "where", "Hi {first_name}, {agent} here: your parcel left today.")
	cli(t, env, "send", "--to", "fresh", "--reply", "where")
	if n := sentWithText(srv, "fresh", "Hi Maria, olga here: your parcel left today."); n != 1 {
		t.Errorf("on the file: sent %d, all: %+v", n, srv.SentTo("fresh"))
	}
	cliFails(t, env, `no saved reply "gone"`, "send", "--to", "fresh", "--reply", "gone")
	cliFails(t, env, "not both", "send", "--to", "fresh", "--reply", "where", "--text", "x")
	serveWithWebhook(t, env)
	cli(t, env, "agents", "add", "ana")
	ana := maps.Clone(env)
	ana["PAGEINBOX_API_TOKEN"] = strings.TrimSpace(cli(t, env, "agents", "add", "ana2"))
	cli(t, ana, "send", "--to", "fresh", "--reply", "where")
	if n := sentWithText(srv, "fresh", "Hi Maria, ana2 here: your parcel left today."); n != 1 {
		t.Errorf("through the daemon: sent %d, all: %+v", n, srv.SentTo("fresh"))
	}
	cliFails(t, env, "no conversation with nobody", "send", "--to", "nobody", "--reply", "where")
}

// A saved reply as a campaign's text: each recipient gets their own
// first name, the agent and the Page filled once.
func TestCampaignSavedReply(t *testing.T) {
	srv, env := graphEnv(t)
	env["USER"] = "olga"
	st, err := store.Open(filepath.Join(env["PAGEINBOX_DATA"], "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, page, at := context.Background(), srv.PageID(), time.Now().Add(-time.Hour)
	srv.AddUser("second", "João Silva")
	srv.Inbound("second", at)
	if err := st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: page, PSID: "second", MID: "m-second", Text: "hi", Time: at}}); err != nil {
		t.Fatal(err)
	}
	for psid, name := range map[string]string{"fresh": "Maria Lopez", "second": "João Silva"} {
		if _, err := st.SetName(ctx, store.ConvKey{PageID: page, PSID: psid}, name); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	cli(t, env, "replies", "add", "sale", "Hi {first_name}, {agent} here: 20% off this week.")
	cli(t, env, "campaign", "--title", "Sale", "--reply", "sale", "--to", "fresh,second")
	for psid, want := range map[string]string{"fresh": "Hi Maria, olga here: 20% off this week.", "second": "Hi João, olga here: 20% off this week."} {
		if n := sentWithText(srv, psid, want); n != 1 {
			t.Errorf("%s got %q %d times; all: %+v", psid, want, n, srv.SentTo(psid))
		}
	}
	cliFails(t, env, "not both", "campaign", "--title", "x", "--reply", "sale", "--text", "y", "--to", "fresh")
	cliFails(t, env, `no saved reply "gone"`, "campaign", "--title", "x", "--reply", "gone", "--to", "fresh")
}
