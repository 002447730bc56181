package main

import (
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

// campaignTemplateEnv: 3 customers inside the window, 3 who last wrote 3
// days ago, and the Page's order_update template synced.
func campaignTemplateEnv(t *testing.T) (*fbtest.Server, map[string]string) {
	t.Helper()
	srv, env, _ := campaignEnv(t, map[string]group{"in": {3, time.Hour}, "old": {3, 72 * time.Hour}})
	srv.AddTemplate(fbtestTemplate("order_update", "Order {{1}} ships on {{2}}."))
	srv.AddTemplate(fbtest.TemplateSpec{Name: "promo", Lang: "en_US", Body: "Sale!", Category: "MARKETING"})
	if code, _, stderr := runCLI(t, env, "templates", "sync"); code != 0 {
		t.Fatalf("templates sync: exit %d %s", code, stderr)
	}
	return srv, env
}

var templateCampaignArgs = []string{"campaign", "--title", "Delay", "--text", "Your order is a day late", "--all",
	"--template", "order_update", "--param", "1=A-7", "--param", "2=Friday"}

// checkTemplateCampaign runs the campaign with --template (dry run, then
// for real) and checks the ledger's three kinds and that each customer got
// exactly one message: the text inside the window, the template outside.
func checkTemplateCampaign(t *testing.T, srv *fbtest.Server, env map[string]string) {
	t.Helper()
	code, out, errOut := runCLI(t, env, append(templateCampaignArgs, "--dry-run")...)
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	if !regexpMatch(`(?m)^\s+text\s+3\s+inside the 24 h window, sent as UPDATE$`, out) ||
		!regexpMatch(`(?m)^\s+template\s+3\s+outside it: Utility template order_update \(en_US\), sent as UTILITY$`, out) ||
		!regexpMatch(`(?m)^\s+skip\s+0\s`, out) || !regexpMatch(`(?m)^send text\s+in0000\s`, out) ||
		!regexpMatch(`(?m)^send template order_update\s+old0002\s`, out) {
		t.Errorf("dry run ledger:\n%s", out)
	}
	if sendCalls(srv) != 0 {
		t.Fatalf("a dry run sent %d", sendCalls(srv))
	}
	code, out, errOut = runCLI(t, env, templateCampaignArgs...)
	if code != 0 || out != "sent 6, failed 0, skipped 0\n" || !regexpMatch(`(?m)^\s+template\s+3\s+outside it`, errOut) {
		t.Fatalf("campaign: exit %d %q\n%s", code, out, errOut)
	}
	for _, p := range []string{"in0000", "in0001", "in0002"} {
		if sent := srv.SentTo(p); len(sent) != 1 || sent[0].MessagingType != "UPDATE" || sent[0].Text != "Your order is a day late" {
			t.Errorf("%s got %+v", p, sent)
		}
	}
	for _, p := range []string{"old0000", "old0001", "old0002"} {
		if sent := srv.SentTo(p); len(sent) != 1 || sent[0].MessagingType != "UTILITY" || sent[0].Text != "Order A-7 ships on Friday." {
			t.Errorf("%s got %+v", p, sent)
		}
	}
}

// On the data file: the ledger's kinds, one message each, and a marketing
// template refused before anything is shown, created or sent.
func TestCampaignTemplateCommand(t *testing.T) {
	srv, env := campaignTemplateEnv(t)
	code, _, stderr := runCLI(t, env, "campaign", "--title", "P", "--text", "x", "--all", "--template", "promo")
	if code != 1 || !strings.Contains(stderr, "only UTILITY templates are sent, never marketing") {
		t.Fatalf("marketing template: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, env, "campaign", "--title", "P", "--text", "x", "--all", "--param", "1=a"); code != 1 || !strings.Contains(stderr, "--param goes with --template") {
		t.Fatalf("--param alone: exit %d %q", code, stderr)
	}
	checkTemplateCampaign(t, srv, env)
	code, stdout, _ := runCLI(t, env, "campaigns")
	if code != 0 || !regexpMatch(`(?m)^1\s+done\s+6\s`, stdout) {
		t.Errorf("campaigns: exit %d\n%s", code, stdout)
	}
	// Without the Utility permission the texts go and the template sends
	// fail, with one line saying what to request.
	srv.SetUtilityDenied(true)
	code, stdout, stderr = runCLI(t, env, templateCampaignArgs...)
	if code != 1 || stdout != "sent 3, failed 3, skipped 0\n" ||
		!regexpMatch(`3 template sends of campaign 2 failed: .*pages_utility_messaging`, stderr) {
		t.Errorf("without the permission: exit %d %q\n%s", code, stdout, stderr)
	}
}

// Through the daemon: the campaign and its template travel over /ws and
// the daemon's dispatcher sends the same one message each; a template the
// daemon's store refuses creates nothing.
func TestCampaignTemplateThroughTheDaemon(t *testing.T) {
	srv, env := campaignTemplateEnv(t)
	inProcessDaemon(t, env)
	code, _, stderr := runCLI(t, env, "campaign", "--title", "P", "--text", "x", "--all", "--template", "order_update", "--param", "1=a")
	if code != 1 || !strings.Contains(stderr, "needs parameter 2") {
		t.Fatalf("missing parameter through the daemon: exit %d %q", code, stderr)
	}
	if _, _, errOut := runCLI(t, env, "campaigns"); !strings.Contains(errOut, "no campaigns yet") {
		t.Fatalf("a refused template created a campaign: %q", errOut)
	}
	if _, out, _ := runCLI(t, env, append(templateCampaignArgs, "--dry-run")...); !strings.Contains(out, "checked when the campaign is created") {
		t.Errorf("a dry run through the daemon does not say the template is checked later:\n%s", out)
	}
	checkTemplateCampaign(t, srv, env)
	// The daemon's store kept the campaign's template: it came over /ws.
	code, stdout, _ := runCLI(t, env, "campaigns", "1")
	if code != 0 || !strings.Contains(stdout, "outside the 24 h window: Utility template order_update (en_US), sent as UTILITY") {
		t.Errorf("campaigns 1: exit %d\n%s", code, stdout)
	}
}
