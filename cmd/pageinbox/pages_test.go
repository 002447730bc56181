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
