package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// templates sync stores what Meta has, list shows it (and --json), and
// send --template reaches a customer who wrote three days ago, where
// --text is refused; without the permission sync says what to request.
func TestTemplatesCLI(t *testing.T) {
	srv, env, _ := campaignEnv(t, map[string]group{"old": {1, 72 * time.Hour}})
	srv.AddTemplate(fbtestTemplate("order_update", "Order {{1}} ships on {{2}}."))
	code, stdout, stderr := runCLI(t, env, "templates", "sync")
	if code != 0 || !strings.Contains(stdout, "synced 1 templates (1 approved UTILITY") {
		t.Fatalf("sync: exit %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, env, "templates", "list", "--json")
	var tpl store.Template
	if code != 0 || json.Unmarshal([]byte(strings.TrimSpace(stdout)), &tpl) != nil || tpl.Name != "order_update" ||
		strings.Join(tpl.Params, ",") != "1,2" || tpl.Status != "APPROVED" {
		t.Fatalf("list --json: exit %d %q", code, stdout)
	}
	if code, _, stderr = runCLI(t, env, "send", "--to", "old0000", "--text", "late"); code != 1 || !strings.Contains(stderr, "outside") {
		t.Fatalf("text outside the window: exit %d %q", code, stderr)
	}
	code, stdout, stderr = runCLI(t, env, "send", "--to", "old0000", "--template", "order_update", "--param", "1=A-7", "--param", "2=Friday")
	sent := srv.SentTo("old0000")
	if code != 0 || len(sent) != 1 || sent[0].MessagingType != "UTILITY" || sent[0].Text != "Order A-7 ships on Friday." {
		t.Fatalf("send --template: exit %d %q %q, emulator %+v", code, stdout, stderr, sent)
	}
	srv.SetUtilityDenied(true)
	code, _, stderr = runCLI(t, env, "templates", "sync")
	if code == 0 || !strings.Contains(stderr, "pages_utility_messaging") || !strings.Contains(stderr, "market") {
		t.Fatalf("sync without permission: exit %d %q", code, stderr)
	}
}

func fbtestTemplate(name, body string) fbtest.TemplateSpec {
	return fbtest.TemplateSpec{Name: name, Lang: "en_US", Body: body}
}
