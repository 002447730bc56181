package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestConfigResolution(t *testing.T) {
	home := map[string]string{"HOME": "/home/ann"}
	with := func(kv ...string) map[string]string {
		env := map[string]string{"HOME": "/home/ann"}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(config) string // returns the field under test
		val  string
	}{
		// --data
		{"data default from HOME", home, []string{"serve"}, fieldDataDir, "/home/ann/.local/share/pageinbox"},
		{"data default from XDG_DATA_HOME", with("XDG_DATA_HOME", "/xdg"), []string{"serve"}, fieldDataDir, "/xdg/pageinbox"},
		{"relative XDG_DATA_HOME ignored", with("XDG_DATA_HOME", "rel"), []string{"serve"}, fieldDataDir, "/home/ann/.local/share/pageinbox"},
		{"data no HOME", nil, []string{"serve"}, fieldDataDir, ""},
		{"data from env", with("PAGEINBOX_DATA", "/env"), []string{"serve"}, fieldDataDir, "/env"},
		{"data flag beats env", with("PAGEINBOX_DATA", "/env"), []string{"serve", "--data", "/flag"}, fieldDataDir, "/flag"},
		{"data flag=value form", with("PAGEINBOX_DATA", "/env"), []string{"serve", "--data=/flag"}, fieldDataDir, "/flag"},
		{"data flag before command", with("PAGEINBOX_DATA", "/env"), []string{"--data", "/root", "serve"}, fieldDataDir, "/root"},
		{"flag after command beats flag before", home, []string{"--data", "/root", "serve", "--data", "/sub"}, fieldDataDir, "/sub"},
		{"data flag without command (TUI)", with("PAGEINBOX_DATA", "/env"), []string{"--data", "/flag"}, fieldDataDir, "/flag"},

		// --listen
		{"listen default", home, []string{"serve"}, fieldListen, ":8080"},
		{"listen from env", with("PAGEINBOX_LISTEN", "127.0.0.1:9000"), []string{"serve"}, fieldListen, "127.0.0.1:9000"},
		{"listen flag beats env", with("PAGEINBOX_LISTEN", "127.0.0.1:9000"), []string{"serve", "--listen", ":7000"}, fieldListen, ":7000"},

		// --graph-url
		{"graph-url default", home, []string{"demo"}, fieldGraphURL, "https://graph.facebook.com"},
		{"graph-url from env", with("PAGEINBOX_GRAPH_URL", "http://127.0.0.1:4000"), []string{"demo"}, fieldGraphURL, "http://127.0.0.1:4000"},
		{"graph-url flag beats env", with("PAGEINBOX_GRAPH_URL", "http://127.0.0.1:4000"), []string{"demo", "--graph-url", "http://emu:5000/"}, fieldGraphURL, "http://emu:5000"},

		// --graph-version and --debug
		{"graph-version default", home, []string{"sync"}, fieldGraphVersion, "v25.0"},
		{"graph-version from env", with("PAGEINBOX_GRAPH_VERSION", "v26.0"), []string{"sync"}, fieldGraphVersion, "v26.0"},
		{"graph-version flag beats env", with("PAGEINBOX_GRAPH_VERSION", "v26.0"), []string{"sync", "--graph-version", "v24.0"}, fieldGraphVersion, "v24.0"},
		{"debug off", home, []string{"sync"}, fieldDebug, "false"},
		{"debug on", home, []string{"sync", "--debug"}, fieldDebug, "true"},

		// secrets and PAGE_ID come from env only
		{"verify token", with("VERIFY_TOKEN", "v1"), []string{"serve"}, fieldVerifyToken, "v1"},
		{"verify token fallback", with("WEBHOOK_VERIFY_TOKEN", "w1"), []string{"serve"}, fieldVerifyToken, "w1"},
		{"VERIFY_TOKEN beats WEBHOOK_VERIFY_TOKEN", with("VERIFY_TOKEN", "v1", "WEBHOOK_VERIFY_TOKEN", "w1"), []string{"serve"}, fieldVerifyToken, "v1"},
		{"verify token unset", home, []string{"serve"}, fieldVerifyToken, ""},
		{"page token", with("PAGE_ACCESS_TOKEN", "EAAB"), []string{"send"}, func(c config) string { return c.PageAccessToken.Reveal() }, "EAAB"},
		{"app secret", with("APP_SECRET", "s3"), []string{"serve"}, func(c config) string { return c.AppSecret.Reveal() }, "s3"},
		{"page id", with("PAGE_ID", "1234"), []string{"serve"}, func(c config) string { return c.PageID }, "1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := parseArgs(tt.args, mapEnv(tt.env))
			if err != nil {
				t.Fatalf("parseArgs(%q): %v", tt.args, err)
			}
			if got := tt.want(req.cfg); got != tt.val {
				t.Errorf("got %q, want %q", got, tt.val)
			}
		})
	}
}

func fieldDataDir(c config) string      { return c.DataDir }
func fieldListen(c config) string       { return c.Listen }
func fieldGraphURL(c config) string     { return c.GraphURL }
func fieldGraphVersion(c config) string { return c.GraphVersion }
func fieldDebug(c config) string        { return fmt.Sprint(c.Debug) }
func fieldVerifyToken(c config) string  { return c.VerifyToken.Reveal() }

// TestConfigRedactsSecrets proves no way of printing a config, or a secret on
// its own, shows the secret's text.
func TestConfigRedactsSecrets(t *testing.T) {
	const (
		token  = "EAAGm0PX4ZCpsBAtoken-must-not-leak"
		appSec = "appsecret-must-not-leak"
		verify = "verify-must-not-leak"
	)
	cfg := configFromEnv(mapEnv(map[string]string{
		"HOME":              "/home/ann",
		"PAGE_ACCESS_TOKEN": token,
		"APP_SECRET":        appSec,
		"VERIFY_TOKEN":      verify,
	}))
	// %d does not call String; vet rightly flags it, hence the variable.
	decimalVerb := "%d"
	// A config inside another struct, reached by reflection through an
	// unexported field: fmt does not call String there.
	type holder struct{ cfg config }

	var outputs = map[string]string{
		"%v":         fmt.Sprintf("%v", cfg),
		"%+v":        fmt.Sprintf("%+v", cfg),
		"%#v":        fmt.Sprintf("%#v", cfg),
		"%s":         fmt.Sprintf("%s", cfg), //lint:ignore S1025 the %s verb is what is tested
		"%v pointer": fmt.Sprintf("%v", &cfg),
		"%+v nested": fmt.Sprintf("%+v", holder{cfg}),
		"%#v nested": fmt.Sprintf("%#v", holder{cfg}),
		"%x secret":  fmt.Sprintf("%x", cfg.AppSecret),
		"%q secret":  fmt.Sprintf("%q", cfg.AppSecret),
		"%d secret":  fmt.Sprintf(decimalVerb, cfg.AppSecret),
		"String()":   cfg.String(),
		"Sprint":     fmt.Sprint(cfg, cfg.PageAccessToken, cfg.AppSecret, cfg.VerifyToken),
		"error %v":   fmt.Errorf("send failed with %v", cfg.PageAccessToken).Error(),
	}

	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&buf, nil)
		if format == "json" {
			h = slog.NewJSONHandler(&buf, nil)
		}
		log := slog.New(h)
		log.Info("config", "cfg", cfg)
		log.Info("pointer", "cfg", &cfg)
		log.Info("secret", "token", cfg.PageAccessToken, "secret", cfg.AppSecret)
		log.Info("nested", "holder", holder{cfg})
		outputs["slog "+format] = buf.String()
	}

	js, err := json.Marshal(struct{ Cfg config }{cfg})
	if err != nil {
		t.Fatal(err)
	}
	outputs["json.Marshal"] = string(js)

	for name, out := range outputs {
		for _, s := range []string{token, appSec, verify} {
			if strings.Contains(out, s) {
				t.Errorf("%s leaks a secret: %s", name, out)
			}
		}
	}

	// Redacted is not the same as hidden: whether a secret is set is useful.
	if s := cfg.String(); !strings.Contains(s, "app-secret=set") || !strings.Contains(s, "page-access-token=set") {
		t.Errorf("String() = %q, want secrets shown as set", s)
	}
	if s := configFromEnv(mapEnv(nil)).String(); !strings.Contains(s, "verify-token=unset") {
		t.Errorf("String() = %q, want verify-token=unset", s)
	}
	if !strings.Contains(outputs["slog json"], `"app_secret":"set"`) {
		t.Errorf("slog JSON output does not show app_secret as set:\n%s", outputs["slog json"])
	}
}
