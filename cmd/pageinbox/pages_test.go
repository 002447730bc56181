package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestPageTokensFromEnv: PAGE_ACCESS_TOKEN (+PAGE_ID) is the one Page;
// without it no Page is connected; a pageToken never prints its token.
func TestPageTokensFromEnv(t *testing.T) {
	const tok = "EAAB-page-token-must-not-leak"
	cfg := configFromEnv(mapEnv(map[string]string{"HOME": "/h", "PAGE_ACCESS_TOKEN": tok, "PAGE_ID": "1001"}))
	if len(cfg.PageTokens) != 1 || cfg.PageTokens[0].ID != "1001" || cfg.PageTokens[0].Token.Reveal() != tok {
		t.Fatalf("PageTokens = %v, want Page 1001 with the token", cfg.PageTokens)
	}
	if cfg := configFromEnv(mapEnv(map[string]string{"HOME": "/h", "PAGE_ID": "1001"})); len(cfg.PageTokens) != 0 {
		t.Errorf("PAGE_ID alone connected %v", cfg.PageTokens)
	}
	js, _ := json.Marshal(cfg.PageTokens)
	for _, out := range []string{fmt.Sprintf("%v", cfg.PageTokens), fmt.Sprintf("%+v", cfg.PageTokens),
		fmt.Sprintf("%#v", cfg.PageTokens), string(js)} {
		if strings.Contains(out, tok) {
			t.Errorf("the token leaked: %s", out)
		}
	}
}

func twoPageConfig() config {
	return config{PageTokens: []pageToken{
		{ID: "1001", Name: "Harbour Outfitters", Token: newSecret("tok-a")},
		{ID: "1002", Name: "Harbour Kids", Token: newSecret("tok-b")},
	}}
}

// TestPickPage: --page takes an id or a name of a connected Page; with
// one Page it is the default; with several, leaving it out is an error
// naming each Page by id and name.
func TestPickPage(t *testing.T) {
	one := config{PageTokens: []pageToken{{ID: "1001", Name: "Harbour Outfitters", Token: newSecret("tok-a")}}}
	lone := config{PageTokens: []pageToken{{Token: newSecret("tok")}}}
	cases := []struct {
		name    string
		cfg     config
		page    string
		want    string
		wantErr string
	}{
		{"the only Page", one, "", "1001", ""},
		{"a lone token leaves it to the store", lone, "", "", ""},
		{"a lone token takes any id", lone, "77", "77", ""},
		{"no Page at all", config{}, "", "", ""},
		{"by id", twoPageConfig(), "1002", "1002", ""},
		{"by name", twoPageConfig(), "harbour kids", "1002", ""},
		{"ambiguous", twoPageConfig(), "", "",
			"several Pages are connected: pass --page ID: 1001 Harbour Outfitters, 1002 Harbour Kids"},
		{"not connected", twoPageConfig(), "1003", "", `no Page "1003" is connected: pass --page ID: 1001 Harbour Outfitters, 1002 Harbour Kids`},
	}
	for _, tc := range cases {
		got, err := tc.cfg.pickPage(tc.page)
		switch {
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || got != tc.want):
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

// TestPageFlagOnPageCommands: each Page command takes --page, which wins
// over PAGE_ID; a Page not connected is a usage error naming the Pages.
func TestPageFlagOnPageCommands(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir(), "PAGE_ACCESS_TOKEN": "tok", "PAGE_ID": "1001"}
	for name := range pageCommands {
		req, err := parseArgs([]string{name, "--page", "1001"}, mapEnv(env))
		if err != nil || req.cfg.PageID != "1001" {
			t.Errorf("%s --page 1001: %v, page %q", name, err, req.cfg.PageID)
		}
	}
	req, err := parseArgs([]string{"sync"}, mapEnv(env))
	if err != nil || req.cfg.PageID != "1001" {
		t.Errorf("sync without --page: %v, page %q; want PAGE_ID's", err, req.cfg.PageID)
	}
	code, stdout, _ := runCLI(t, env, "help", "send")
	if code != exitOK || !strings.Contains(stdout, "--page") {
		t.Errorf("send's help does not mention --page:\n%s", stdout)
	}
}

// TestExportPageFilter: rows of other Pages are dropped, whatever the
// write boundaries.
func TestExportPageFilter(t *testing.T) {
	in := `{"page_id":"1","psid":"a"}` + "\n" + `{"page_id":"2","psid":"b"}` + "\n" + `{"page_id":"1","psid":"c"}` + "\n"
	for _, chunk := range []int{1, 7, len(in)} {
		var out strings.Builder
		w := forPage(&out, "1")
		for i := 0; i < len(in); i += chunk {
			w.Write([]byte(in[i:min(i+chunk, len(in))]))
		}
		if want := `{"page_id":"1","psid":"a"}` + "\n" + `{"page_id":"1","psid":"c"}` + "\n"; out.String() != want {
			t.Errorf("chunks of %d: %q", chunk, out.String())
		}
	}
}
