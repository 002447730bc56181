package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// forgetBodies are webhook bodies where u1, who will be forgotten, shares
// POSTs with u2, who stays: one of both, one of u1's alone (with the
// Page's echo to them), one of u2's alone.
func forgetBodies(ms int64) [][]byte {
	return [][]byte{
		e2eBody(e2eInbound("u1", ms, `{"mid":"m-u1-a","text":"my card is 4242"}`),
			e2eInbound("u2", ms+1, `{"mid":"m-u2-a","text":"hello"}`)),
		e2eBody(e2eInbound("u1", ms+2, `{"mid":"m-u1-b","text":"and my address"}`),
			`{"sender":{"id":"`+e2ePage+`"},"recipient":{"id":"u1"},"timestamp":`+strconv.FormatInt(ms+3, 10)+
				`,"message":{"is_echo":true,"mid":"m-echo-u1","text":"noted"}}`),
		e2eBody(e2eInbound("u2", ms+4, `{"mid":"m-u2-b","text":"still here"}`)),
	}
}

// checkForgotten asserts u1 is gone (or only has the messages in u1mids)
// and u2 has both messages, with counts that match the list.
func checkForgotten(t *testing.T, st *store.Store, u1mids ...string) {
	t.Helper()
	ctx := context.Background()
	th, err := st.Thread(ctx, store.ConvKey{PageID: e2ePage, PSID: "u1"}, "", 100)
	switch {
	case len(u1mids) == 0 && !errors.Is(err, store.ErrNotFound):
		t.Errorf("u1 is back: %+v %v", th.Messages, err)
	case len(u1mids) > 0 && (err != nil || len(th.Messages) != len(u1mids) || th.Messages[0].MID != u1mids[0]):
		t.Errorf("u1's thread: %+v %v; want only %v", th.Messages, err, u1mids)
	}
	for _, mid := range []string{"m-u1-a", "m-u1-b", "m-echo-u1"} {
		if _, err := st.MessageByMID(ctx, e2ePage, mid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s is back: %v", mid, err)
		}
	}
	th, err = st.Thread(ctx, store.ConvKey{PageID: e2ePage, PSID: "u2"}, "", 100)
	if err != nil || len(th.Messages) != 2 {
		t.Errorf("u2's thread: %+v %v", th.Messages, err)
	}
	counts, _ := st.AllCounts(ctx)
	page, _ := st.Conversations(ctx, store.FilterAll, "", 100)
	unread, _ := st.Conversations(ctx, store.FilterUnread, "", 100)
	if counts.All != len(page.Conversations) || counts.Unread != len(unread.Conversations) {
		t.Errorf("counts %+v, but the list has %d, unread %d", counts, len(page.Conversations), len(unread.Conversations))
	}
}

// replayStore reads one store's journal and ingests into another.
type replayStore struct{ from, into *store.Store }

func (r replayStore) Journal(ctx context.Context, since time.Time, after store.Cursor, limit int) ([]store.JournalEntry, store.Cursor, error) {
	return r.from.Journal(ctx, since, after, limit)
}
func (r replayStore) Ingest(ctx context.Context, evs []store.Event) error {
	return r.into.Ingest(ctx, evs)
}
func (r replayStore) EnsurePages(ctx context.Context, ids []string) error {
	return r.into.EnsurePages(ctx, ids)
}

// checkJournalAlone replays the data dir's journal into a fresh store:
// without the forget's record, the journal itself must not hold u1.
func checkJournalAlone(t *testing.T, dataDir string, u1mids ...string) {
	t.Helper()
	withStore(t, dataDir, func(st *store.Store) {
		fresh, err := store.Open(filepath.Join(t.TempDir(), "fresh.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		if _, err := webhook.Replay(context.Background(), replayStore{st, fresh}, time.Time{}, time.Now); err != nil {
			t.Fatal(err)
		}
		checkForgotten(t, fresh, u1mids...)
	})
}

func TestForgetOnTheFileThenReplay(t *testing.T) {
	env := dataEnv(t)
	dir := env["PAGEINBOX_DATA"]
	ms := time.Now().Add(-time.Hour).UnixMilli()
	withStore(t, dir, func(st *store.Store) {
		st.EnsurePages(t.Context(), []string{e2ePage})
		for _, body := range forgetBodies(ms) {
			p, err := webhook.Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.IngestJournaled(t.Context(), body, p.Events); err != nil {
				t.Fatal(err)
			}
		}
		st.SaveDraft(t.Context(), "ana", store.ConvKey{PageID: e2ePage, PSID: "u1"}, "dear u1")
	})
	code, out, errOut := runCLI(t, env, "forget", "--psid", "u1")
	if code != 0 || !strings.Contains(out, "forgot u1 on Page "+e2ePage+": 1 conversation(s), 3 message(s), 1 draft(s)") ||
		!strings.Contains(out, "1 body(ies) removed, 1 rewritten") {
		t.Fatalf("forget: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, env, "replay"); code != 0 || !strings.Contains(out, "replayed 2 webhook bodies") {
		t.Errorf("replay: exit %d, %q", code, out)
	}
	withStore(t, dir, func(st *store.Store) { checkForgotten(t, st) })
	checkJournalAlone(t, dir)

	if code, _, errOut := runCLI(t, env, "forget"); code != 1 || !strings.Contains(errOut, "--psid is required") {
		t.Errorf("forget without --psid: exit %d, %q", code, errOut)
	}
	if code, out, _ := runCLI(t, env, "forget", "--psid", "u1"); code != 0 || !strings.Contains(out, "nothing was stored about u1") {
		t.Errorf("forgetting twice: exit %d, %q", code, out)
	}
}

// Must show: forget through the daemon, then replay. The customer stays
// gone, others in the same journal bodies stay; a new message from them
// starts a new conversation.
func TestForgetThroughTheDaemonThenReplay(t *testing.T) {
	env := dataEnv(t)
	dir := env["PAGEINBOX_DATA"]
	hook, stop := serveWithWebhook(t, env)
	for _, body := range forgetBodies(time.Now().Add(-time.Hour).UnixMilli()) {
		mustPost(t, hook, body)
	}
	owner, err := attachAs(t, env, mustAPIToken(t, env), store.Agent{ID: "o", Name: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u1 := store.ConvKey{PageID: e2ePage, PSID: "u1"}
	if err := owner.SaveDraft(ctx, u1, "dear u1"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, env, "forget", "--psid", "u1", "--page", e2ePage)
	if code != 0 || !strings.Contains(out, "forgot u1 on Page "+e2ePage+": 1 conversation(s), 3 message(s), 1 draft(s)") {
		t.Fatalf("forget through the daemon: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := owner.Thread(ctx, u1, "", 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("u1's thread after forget: %v", err)
	}
	list, _ := owner.Conversations(ctx, store.ListQuery{Filter: store.FilterAll, Limit: 10})
	counts, _ := owner.Counts(ctx)
	if len(list.Conversations) != 1 || list.Conversations[0].PSID != "u2" || counts.All != 1 || counts.Unread != 1 {
		t.Errorf("after forget: list %+v, counts %+v", list.Conversations, counts)
	}
	if d, _ := owner.Draft(ctx, u1); d != "" {
		t.Errorf("the draft survived: %q", d)
	}
	// Meta redelivers an old POST: it does not bring them back.
	mustPost(t, hook, forgetBodies(time.Now().Add(-time.Hour).UnixMilli())[1])
	if _, err := owner.Thread(ctx, u1, "", 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a redelivered old POST brought u1 back: %v", err)
	}
	// They write again: a new conversation.
	mustPost(t, hook, e2eBody(e2eInbound("u1", time.Now().Add(time.Second).UnixMilli(), `{"mid":"m-u1-new","text":"hi again"}`)))
	th, err := owner.Thread(ctx, u1, "", 10)
	if err != nil || len(th.Messages) != 1 || th.Messages[0].MID != "m-u1-new" {
		t.Errorf("u1's new thread: %+v %v", th.Messages, err)
	}
	// A compacted backup through the daemon carries not a byte of it.
	dst := filepath.Join(t.TempDir(), "compact.db")
	if code, out, errOut := runCLI(t, env, "backup", "--compact", dst); code != 0 || !strings.Contains(out, "compacted") {
		t.Fatalf("backup --compact: exit %d %q %q", code, out, errOut)
	}
	if raw, _ := os.ReadFile(dst); bytes.Contains(raw, []byte("my card is 4242")) || bytes.Contains(raw, []byte("and my address")) {
		t.Error("the compacted backup holds the forgotten messages")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".backup-compact-*")); len(left) > 0 {
		t.Errorf("the daemon left %v behind", left)
	}
	stop()

	if code, out, _ := runCLI(t, env, "replay"); code != 0 {
		t.Errorf("replay: exit %d, %q", code, out)
	}
	withStore(t, dir, func(st *store.Store) { checkForgotten(t, st, "m-u1-new") })
	checkJournalAlone(t, dir, "m-u1-new")
}

// sync backfills from the Graph API, which still has a forgotten
// customer's history: it does not bring them back; what they write after
// the forget comes in as a new conversation.
func TestSyncAfterForget(t *testing.T) {
	srv, env := graphEnv(t)
	srv.AddUser("olga", "Olga Old")
	srv.InboundMessage("olga", "m-olga-1", "my phone is 555", time.Now().Add(-48*time.Hour))
	srv.PageInboxReply("olga", "noted")
	if code, out, errOut := runCLI(t, env, "sync"); code != 0 {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, env, "forget", "--psid", "olga"); code != 0 || !strings.Contains(out, "2 message(s)") {
		t.Fatalf("forget: %d %q", code, out)
	}
	code, out, errOut := runCLI(t, env, "sync")
	if code != 0 || !strings.Contains(out, "skipped 2 messages of forgotten customers") {
		t.Fatalf("sync after forget: %d %q %q", code, out, errOut)
	}
	if _, out, _ := runCLI(t, env, "export"); strings.Contains(out, `"psid":"olga"`) {
		t.Fatalf("sync brought olga back:\n%s", out)
	}
	// The Conversations API gives times to the second: a message in the
	// second of the forget counts as before it.
	srv.InboundMessage("olga", "m-olga-2", "hello again", time.Now().Add(2*time.Second))
	if code, _, errOut := runCLI(t, env, "sync"); code != 0 {
		t.Fatalf("sync: %d %q", code, errOut)
	}
	_, out, _ = runCLI(t, env, "export")
	if strings.Count(out, `"psid":"olga"`) != 1 || !strings.Contains(out, `"mid":"m-olga-2"`) {
		t.Errorf("olga's new conversation:\n%s", out)
	}
}
