package inbox_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

const hookSecret = "app-secret"

// labelRig is a Service on a fresh file with a Page token for the
// emulator, and the emulator's Page Inbox posting to a real webhook on
// the same store.
type labelRig struct {
	srv *fbtest.Server
	st  *store.Store
	svc *inbox.Service
	d   *fbtest.Driver
	gc  *fbgraph.Client
}

func newLabelRig(t *testing.T, psids ...string) *labelRig {
	t.Helper()
	srv := fbtest.NewServer(fbtest.Config{AppSecret: hookSecret})
	t.Cleanup(srv.Close)
	srv.SetSubscribedFields(append(fbtest.DefaultSubscribedFields, "inbox_labels"))
	st, err := store.Open(filepath.Join(t.TempDir(), "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	st.EnsurePages(ctx, []string{srv.PageID()})
	for _, psid := range psids {
		at := time.Now().Add(-time.Hour)
		srv.AddUser(psid, "Customer "+psid)
		srv.Inbound(psid, at)
		ev := store.Event{Kind: store.EventMessage, PageID: srv.PageID(), PSID: psid, MID: "m-" + psid, Text: "hi", Time: at}
		if err := st.Ingest(ctx, []store.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	gc := fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), Version: "v25.0", PageToken: fbtest.DefaultPageToken})
	svc := inbox.Start(ctx, st, inbox.Options{Graph: gc, Agent: store.Agent{ID: "a1", Name: "ana"}})
	t.Cleanup(func() { cancel(); svc.Wait() })
	ts := httptest.NewServer(webhook.New(st, webhook.Config{AppSecret: hookSecret}))
	t.Cleanup(ts.Close)
	d := &fbtest.Driver{URL: ts.URL + "/webhook", AppSecret: hookSecret, PageID: srv.PageID()}
	return &labelRig{srv: srv, st: st, svc: svc, d: d, gc: gc}
}

func (r *labelRig) key(psid string) store.ConvKey {
	return store.ConvKey{PageID: r.srv.PageID(), PSID: psid}
}

// labelCalls are the emulator's requests on the labels API.
func (r *labelRig) labelCalls() []fbtest.Request {
	var out []fbtest.Request
	for _, q := range r.srv.Requests() {
		if strings.Contains(q.Path, "label") {
			out = append(out, q)
		}
	}
	return out
}

// waitFor polls cond with a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An agent's label reaches Meta: created once at the Page, put on the
// PSID, reused for the next customer, and taken off when the agent
// takes it off.
func TestAgentLabelReachesMeta(t *testing.T) {
	r := newLabelRig(t, "u1", "u2")
	ctx := context.Background()
	if _, err := r.svc.ToggleLabel(ctx, r.key("u1"), "wholesale"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "u1 labelled at Meta", func() bool { return slices.Equal(r.srv.LabelNames("u1"), []string{"wholesale"}) })
	if _, err := r.svc.SetLabels(ctx, r.key("u2"), []string{"wholesale"}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "u2 labelled at Meta", func() bool { return slices.Equal(r.srv.LabelNames("u2"), []string{"wholesale"}) })
	if n := len(r.srv.PageLabels()); n != 1 {
		t.Fatalf("the Page has %d labels at Meta, want the one, reused: %v", n, r.srv.PageLabels())
	}
	ls, _ := r.st.Labels(ctx, r.srv.PageID())
	if len(ls) != 1 || r.srv.PageLabels()[ls[0].MetaID] != "wholesale" {
		t.Fatalf("stored labels %+v, want wholesale with Meta's id", ls)
	}
	if _, err := r.svc.ToggleLabel(ctx, r.key("u1"), "wholesale"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "u1 unlabelled at Meta", func() bool { return len(r.srv.LabelNames("u1")) == 0 })
	if st, _ := r.svc.Status(ctx); st.Labels != "" {
		t.Errorf("status notice %q while Meta takes labels", st.Labels)
	}
}

// A label put on in Meta's Page Inbox arrives by the webhook and lands on
// the conversation, and nothing is sent back to Meta for it.
func TestMetaLabelArrivesAndIsNotEchoed(t *testing.T) {
	r := newLabelRig(t, "u1", "u2")
	ctx := context.Background()
	id, err := r.srv.PageInboxLabel(ctx, r.d, "u1", "vip", true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.st.Conversation(ctx, r.key("u1"))
	if err != nil || !c.Labels.Has("vip") {
		t.Fatalf("u1 after Meta's label: %v, %v", c.Labels.Names(), err)
	}
	// A barrier: an agent's change queued after the webhook's. Once it
	// reached Meta, anything the webhook's change had queued went first.
	if _, err := r.svc.ToggleLabel(ctx, r.key("u2"), "vip"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "u2 labelled at Meta", func() bool { return slices.Equal(r.srv.LabelNames("u2"), []string{"vip"}) })
	for _, q := range r.labelCalls() {
		if strings.Contains(q.RawQuery+string(q.Body), "u1") {
			t.Errorf("Meta's own change was sent back: %s %s %s %s", q.Method, q.Path, q.RawQuery, q.Body)
		}
	}
	if _, err := r.srv.PageInboxLabel(ctx, r.d, "u1", "vip", false); err != nil {
		t.Fatal(err)
	}
	if c, _ := r.st.Conversation(ctx, r.key("u1")); c.Labels.Has("vip") {
		t.Fatalf("Meta took vip off u1, the inbox still has %v", c.Labels.Names())
	}
	if got := r.srv.PageLabels(); len(got) != 1 || got[id] != "vip" {
		t.Errorf("Meta's labels %v, want only vip (%s)", got, id)
	}
}

// 2/2018344: one request, a notice with the link where a Page admin
// accepts the Page Contact Terms, and no retry, however many labels the
// agents set afterwards; the labels stay in the inbox.
func TestContactTermsNoticeNeverRetried(t *testing.T) {
	r := newLabelRig(t, "u1", "u2")
	r.srv.SetContactTermsPending(true)
	ctx := context.Background()
	if _, err := r.svc.ToggleLabel(ctx, r.key("u1"), "wholesale"); err != nil {
		t.Fatal(err)
	}
	var notice string
	waitFor(t, "the notice", func() bool { st, _ := r.svc.Status(ctx); notice = st.Labels; return notice != "" })
	link := fbgraph.ContactTermsURL(r.srv.PageID())
	if !strings.Contains(notice, link) {
		t.Fatalf("notice %q lacks the link %s", notice, link)
	}
	if _, err := r.svc.ToggleLabel(ctx, r.key("u2"), "late"); err != nil {
		t.Fatal(err)
	}
	r.assertOneLabelCall(t, "wholesale", "u2", "late")
}

// assertOneLabelCall: after a later change on psid (label) went through
// the local store, Meta was asked once in all. The syncer's queue is
// drained in order, so a barrier change is awaited by a re-read through
// the service (LabelPending), whose own request would show.
func (r *labelRig) assertOneLabelCall(t *testing.T, first, psid, label string) {
	t.Helper()
	ctx := context.Background()
	if c, _ := r.st.Conversation(ctx, r.key(psid)); !c.Labels.Has(label) {
		t.Fatalf("local label %s on %s lost: %v", label, psid, c.Labels.Names())
	}
	// Give the syncer every chance to misbehave: wait until the queued
	// change was taken and dropped (the queue is empty when a further
	// Changed call is handled), then count.
	r.svc.LabelSync().Flush(ctx)
	if calls := r.labelCalls(); len(calls) != 1 {
		t.Fatalf("%d label requests, want 1: %+v", len(calls), calls)
	}
	if c, _ := r.st.Conversation(ctx, r.key("u1")); !c.Labels.Has(first) {
		t.Fatalf("local label %s lost: %v", first, c.Labels.Names())
	}
}

// Without the permission labels stay local, with one notice.
func TestLabelsDeniedStayLocal(t *testing.T) {
	r := newLabelRig(t, "u1", "u2")
	r.srv.SetLabelsDenied(200)
	ctx := context.Background()
	if _, err := r.svc.ToggleLabel(ctx, r.key("u1"), "wholesale"); err != nil {
		t.Fatal(err)
	}
	var notice string
	waitFor(t, "the notice", func() bool { st, _ := r.svc.Status(ctx); notice = st.Labels; return notice != "" })
	if _, err := r.svc.ToggleLabel(ctx, r.key("u2"), "late"); err != nil {
		t.Fatal(err)
	}
	r.assertOneLabelCall(t, "wholesale", "u2", "late")
	if st, _ := r.svc.Status(ctx); st.Labels != notice {
		t.Errorf("notice changed from %q to %q", notice, st.Labels)
	}
	p, err := r.svc.Conversations(ctx, store.ListQuery{Label: "late"})
	if err != nil || len(p.Conversations) != 1 {
		t.Fatalf("local label filter: %+v, %v", p.Conversations, err)
	}
}

// ReadBackLabels (what sync does) brings Meta's labels for a PSID in;
// Meta's win for shared labels, local ones stay.
func TestSyncReadsLabelsBack(t *testing.T) {
	r := newLabelRig(t, "u1")
	ctx := context.Background()
	if _, err := r.st.SetLabels(ctx, r.key("u1"), []string{"local"}); err != nil {
		t.Fatal(err)
	}
	r.srv.SetSubscribedFields(fbtest.DefaultSubscribedFields) // no webhook: only sync can tell
	if _, err := r.srv.PageInboxLabel(ctx, r.d, "u1", "vip", true); err != nil {
		t.Fatal(err)
	}
	c, err := inbox.ReadBackLabels(ctx, r.gc, r.st, r.key("u1"))
	if err != nil || !slices.Equal(c.Labels.Names(), []string{"local", "vip"}) {
		t.Fatalf("after sync: %v, %v", c.Labels.Names(), err)
	}
	r.srv.PageInboxLabel(ctx, r.d, "u1", "vip", false)
	c, err = inbox.ReadBackLabels(ctx, r.gc, r.st, r.key("u1"))
	if err != nil || !slices.Equal(c.Labels.Names(), []string{"local"}) {
		t.Fatalf("after Meta took vip off: %v, %v", c.Labels.Names(), err)
	}
}
