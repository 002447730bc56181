package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// cliHostile surrounds words with terminal attacks: a title OSC, an OSC 52
// clipboard write, a clear screen in 7-bit and C1 form, a DCS, a bidi
// override and a bell.
func cliHostile(words string) string {
	return "\x1b]2;pwned\x07" + words + "\x1b]52;c;cHduZWQ=\x1b\\\x1b[2J\u009b2J\x1bP$qm\x1b\\\u202e\x07"
}

// checkCLIInert fails when out holds anything a terminal would act on, or
// lacks one of words.
func checkCLIInert(t *testing.T, what, out string, words ...string) {
	t.Helper()
	for _, r := range out {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			t.Errorf("%s: output holds %U:\n%q", what, r, out)
			return
		}
	}
	if strings.Contains(out, "pwned") {
		t.Errorf("%s: an escape sequence's payload is in the output:\n%q", what, out)
	}
	for _, w := range words {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

// Every human-readable output of the commands passes inert: customers'
// names, Meta's failure reasons and error messages, campaign titles.
func TestCLIOutputIsInert(t *testing.T) {
	// A Graph API that refuses everything with a hostile message.
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"\u001b]2;pwned\u0007Unsupported get request\u001b]52;c;cHduZWQ=\u0007\u202e","type":"GraphMethodException","code":100,"fbtrace_id":"AbC"}}`)
	}))
	t.Cleanup(graph.Close)

	dir := t.TempDir()
	page, psid := "106512345678901", "2490000000006666"
	withStore(t, dir, func(st *store.Store) {
		ctx := context.Background()
		key := store.ConvKey{PageID: page, PSID: psid}
		must(t, st.EnsurePages(ctx, []string{page}))
		must(t, st.Ingest(ctx, []store.Event{{Kind: store.EventMessage, PageID: page, PSID: psid, MID: "m1",
			Text: cliHostile("Parcel 7731 arrived"), Time: time.Now().Add(-time.Hour)}}))
		_, err := st.SetName(ctx, key, cliHostile("Mallory Quinn"))
		must(t, err)
		_, err = st.CreateCampaign(ctx, store.Campaign{PageID: page, Title: cliHostile("Spring sale"), Text: "20% off"},
			[]store.Recipient{{ConvKey: key}})
		must(t, err)
		items, err := st.Claim(ctx, 10)
		must(t, err)
		if len(items) != 1 {
			t.Fatalf("claimed %d items, want the campaign's one", len(items))
		}
		must(t, st.Complete(ctx, items[0].ID, store.Result{Failed: true, ErrorKind: store.KindUserUnavailable,
			Reason: cliHostile("This person isn't available right now")}))
	})
	env := map[string]string{"PAGEINBOX_DATA": dir, "PAGEINBOX_GRAPH_URL": graph.URL, "PAGE_ACCESS_TOKEN": testToken,
		"PAGE_ID": page, "HOME": dir, "PAGEINBOX_LISTEN": "127.0.0.1:0"}

	_, out, errOut := runCLI(t, env, "campaigns")
	checkCLIInert(t, "campaigns", out+errOut, "Spring sale")
	_, out, errOut = runCLI(t, env, "campaigns", "1")
	checkCLIInert(t, "campaigns 1", out+errOut, psid, "This person isn't available right now")
	_, out, errOut = runCLI(t, env, "campaign", "--title", "Autumn", "--text", "hi", "--all", "--dry-run")
	checkCLIInert(t, "campaign --dry-run", out+errOut, "Mallory Quinn", "This person isn't available right now",
		"the token could not be checked", "Unsupported get request")
	_, out, errOut = runCLI(t, env, "doctor")
	checkCLIInert(t, "doctor", out+errOut, "Unsupported get request")
	code, out, errOut := runCLI(t, env, "sync")
	if code == 0 {
		t.Errorf("sync against a Graph API that refuses everything: exit 0")
	}
	checkCLIInert(t, "sync", out+errOut, "pageinbox: ", "Unsupported get request")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
