package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
)

// TestServeTwoPages: one daemon, two connected Pages. Webhooks of both
// land under their Page; a reply from each Page goes with that Page's
// token (the emulator refuses a token on the other Page's customers);
// a webhook of a Page not connected is stored and reported in the log.
func TestServeTwoPages(t *testing.T) {
	const pageB, tokB, stranger = "1000000000000002", "harbour-kids-token", "1000000000000099"
	hookAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	apiAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	emu := fbtest.NewServer(fbtest.Config{PageName: "Harbour Outfitters",
		Pages: []fbtest.Page{{ID: pageB, Name: "Harbour Kids", Token: tokB}}})
	t.Cleanup(emu.Close)
	pageA := emu.PageID()
	emu.AddUser("a1", "Ann Archer")
	emu.AddPageUser(pageB, "b1", "Bo Baker")
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "PAGEINBOX_DATA": dir + "/data", "APP_SECRET": fbtest.DefaultAppSecret,
		"VERIFY_TOKEN": "v", "PAGEINBOX_GRAPH_URL": emu.URL(), "PAGEINBOX_TYPING": "0"}
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	req, err := parseArgs([]string{"serve", "--listen", hookAddr, "--api-listen", apiAddr, "--metrics-listen", metricsAddr}, mapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	req.cfg.PageTokens = []pageToken{{ID: pageA, Name: "Harbour Outfitters", Token: newSecret(fbtest.DefaultPageToken)},
		{ID: pageB, Name: "Harbour Kids", Token: newSecret(tokB)}}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	exited := make(chan error, 1)
	go func() { exited <- req.run(ctx, cmdEnv{cfg: req.cfg, stdout: logs, stderr: logs}) }()
	t.Cleanup(func() { cancel(); <-exited })
	for deadline := time.Now().Add(15 * time.Second); daemonURL(config{DataDir: env["PAGEINBOX_DATA"]}) == ""; {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	d := &fbtest.Driver{URL: "http://" + hookAddr + "/webhook", PageID: pageA}
	now := time.Now()
	for _, p := range []struct {
		d    *fbtest.Driver
		psid string
	}{{d, "a1"}, {d.ForPage(pageB), "b1"}, {d.ForPage(stranger), "x1"}} {
		emu.Inbound(p.psid, now)
		if err := p.d.Post(ctx, fbtest.Message(p.psid, "m_"+p.psid, "hello", now)); err != nil {
			t.Fatal(err)
		}
	}
	cli := func(args ...string) (int, string) {
		var out, errOut syncBuffer
		code := run(ctx, args, mapEnv(env), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := cli("send", "--page", pageB, "--to", "b1", "--text", "from Kids"); code != exitOK {
		t.Fatalf("send from Page B: exit %d\n%s\n%s", code, out, logs.String())
	}
	if code, out := cli("send", "--page", pageA, "--to", "a1", "--text", "from Outfitters"); code != exitOK {
		t.Fatalf("send from Page A: exit %d\n%s", code, out)
	}
	if got := emu.SentFrom(pageB); len(got) != 1 || got[0].PSID != "b1" || got[0].Text != "from Kids" {
		t.Errorf("Page B sent %+v", got)
	}
	if got := emu.SentFrom(pageA); len(got) != 1 || got[0].PSID != "a1" {
		t.Errorf("Page A sent %+v", got)
	}
	// b1 is Page B's: under Page A it does not exist, so nothing goes.
	if code, _ := cli("send", "--page", pageA, "--to", "b1", "--text", "wrong Page"); code == exitOK {
		t.Error("a send to Page B's customer from Page A succeeded")
	}
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "pageinbox_webhook_unconnected_page_events_total 1\n") {
		t.Errorf("the unconnected Page's webhook is not in /metrics:\n%s", metrics)
	}
	// The Pages' names come from their tokens into the data file.
	c, err := attach(ctx, configFromEnv(mapEnv(env)), inbox.NewAgent("test"))
	if err != nil || c == nil {
		t.Fatalf("attach: %v", err)
	}
	defer c.Close()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		pages, err := c.Pages(ctx)
		names := map[string]string{}
		for _, p := range pages {
			names[p.ID] = p.Name
		}
		if err == nil && names[pageA] == "Harbour Outfitters" && names[pageB] == "Harbour Kids" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Pages are not named: %+v, %v", pages, err)
		}
	}
	// A campaign of Page B reaches B's customers only, with B's token.
	if code, out := cli("campaign", "--page", "Harbour Kids", "--title", "Kids sale", "--text", "sale!", "--all"); code != exitOK {
		t.Fatalf("campaign from Page B: exit %d\n%s", code, out)
	}
	if got := emu.SentFrom(pageB); len(got) != 2 || got[1].PSID != "b1" || got[1].Text != "sale!" {
		t.Errorf("Page B sent %+v", got)
	}
	if code, out := cli("campaigns", "--page", pageA); code != exitOK || !strings.Contains(out, "no campaigns yet") {
		t.Errorf("campaigns --page A: exit %d\n%s", code, out)
	}
	if code, out := cli("campaigns", "--page", pageB); code != exitOK || !strings.Contains(out, "Kids sale") {
		t.Errorf("campaigns --page B: exit %d\n%s", code, out)
	}
	if code, out := cli("export", "--page", pageB); code != exitOK || !strings.Contains(out, `"psid":"b1"`) ||
		strings.Contains(out, `"psid":"a1"`) || strings.Contains(out, `"psid":"x1"`) {
		t.Errorf("export --page B: exit %d\n%s", code, out)
	}
	// The name of Page B's customer is looked up with B's token (with
	// A's, Meta knows no such user).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, out := cli("conversations", "--page", pageB, "--json")
		if strings.Contains(out, "Bo Baker") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Page B's customer was not named:\n%s", out)
		}
	}
	if code, out := cli("conversations", "--page", stranger, "--json"); code != exitOK || !strings.Contains(out, `"x1"`) {
		t.Errorf("the unconnected Page's conversation is not stored: exit %d\n%s", code, out)
	}
}
