package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// `sync` reads each customer's labels back from Meta's Page Inbox; a Page
// whose Contact Terms are not accepted leaves them as they are, says
// where to accept them, and the sync still succeeds.
func TestSyncLabelsFromMeta(t *testing.T) {
	srv, env := graphEnv(t)
	srv.AddUser("old", "Olga Old")
	srv.InboundMessage("old", "m-old-1", "are you open on sunday?", time.Now().Add(-48*time.Hour))
	if _, err := srv.PageInboxLabel(context.Background(), nil, "old", "wholesale", true); err != nil {
		t.Fatal(err) // not subscribed to inbox_labels: nothing is posted
	}
	code, out, errOut := runCLI(t, env, "sync")
	if code != 0 || !strings.Contains(out, "labels of") {
		t.Fatalf("sync: exit %d %q %q", code, out, errOut)
	}
	if got := storedLabels(t, env, srv.PageID(), "old"); got != "wholesale" {
		t.Fatalf("labels after sync %q, want wholesale", got)
	}
	srv.SetContactTermsPending(true)
	code, _, errOut = runCLI(t, env, "sync")
	if code != 0 || !strings.Contains(errOut, fbgraph.ContactTermsURL(srv.PageID())) {
		t.Fatalf("sync with the Contact Terms pending: exit %d %q", code, errOut)
	}
	if got := storedLabels(t, env, srv.PageID(), "old"); got != "wholesale" {
		t.Errorf("labels %q when Meta could not be asked, want wholesale kept", got)
	}
}

// storedLabels reads a conversation's labels from the data file.
func storedLabels(t *testing.T, env map[string]string, pageID, psid string) string {
	t.Helper()
	st, err := store.Open(filepath.Join(env["PAGEINBOX_DATA"], "inbox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Conversation(context.Background(), store.ConvKey{PageID: pageID, PSID: psid})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(c.Labels.Names(), ",")
}

// doctor recommends inbox_labels without failing for it.
func TestDoctorRecommendsInboxLabels(t *testing.T) {
	srv, env := graphEnv(t)
	code, out, _ := runCLI(t, env, "doctor")
	if code != 0 || !strings.Contains(out, "[note] not subscribed to inbox_labels") {
		t.Fatalf("doctor without inbox_labels: exit %d\n%s", code, out)
	}
	srv.SetSubscribedFields(append(fbtest.DefaultSubscribedFields, "inbox_labels"))
	if code, out, _ = runCLI(t, env, "doctor"); code != 0 || strings.Contains(out, "inbox_labels") {
		t.Errorf("doctor with inbox_labels: exit %d\n%s", code, out)
	}
}
