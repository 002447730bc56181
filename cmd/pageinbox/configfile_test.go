package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/tui"
)

// writeConfig puts doc in a config dir's pageinbox/config.toml and returns
// the env that finds it (XDG_CONFIG_HOME) and its path.
func writeConfig(t testing.TB, doc string) (map[string]string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "pageinbox", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"HOME": "/home/ann", "XDG_CONFIG_HOME": dir}, path
}

func TestConfigFileLoading(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		env    map[string]string // added to the file's env
		args   []string
		got    func(config) string
		want   string
		origin [2]string // setting, its source ("FILE" stands for the file's path)
	}{
		// precedence: default < file < env < flag
		{name: "listen default", doc: "", got: fieldListen, want: ":8080", origin: [2]string{"defaults.listen", "default"}},
		{name: "listen from file", doc: "[defaults]\nlisten = \":9001\"\n", got: fieldListen, want: ":9001",
			origin: [2]string{"defaults.listen", "file FILE:2:1"}},
		{name: "env beats file", doc: "[defaults]\nlisten = \":9001\"\n", env: map[string]string{"PAGEINBOX_LISTEN": ":9002"},
			got: fieldListen, want: ":9002", origin: [2]string{"defaults.listen", "env PAGEINBOX_LISTEN"}},
		{name: "flag beats env and file", doc: "[defaults]\nlisten = \":9001\"\n", env: map[string]string{"PAGEINBOX_LISTEN": ":9002"},
			args: []string{"--listen", ":9003"}, got: fieldListen, want: ":9003", origin: [2]string{"defaults.listen", "flag --listen"}},
		{name: "graph_url from file", doc: "[defaults]\ngraph_url = \"http://127.0.0.1:4000/\"\n", got: fieldGraphURL, want: "http://127.0.0.1:4000"},
		{name: "data from file", doc: "[defaults]\ndata = \"/srv/inbox\"\n", got: fieldDataDir, want: "/srv/inbox"},
		{name: "debug from file", doc: "[defaults]\ndebug = true\n", got: fieldDebug, want: "true"},
		{name: "typing off in file", doc: "[defaults]\ntyping = false\n", got: func(c config) string { return boolStr(c.NoTyping) }, want: "true"},
		{name: "typing env beats file", doc: "[defaults]\ntyping = false\n", env: map[string]string{"PAGEINBOX_TYPING": "1"},
			got: func(c config) string { return boolStr(c.NoTyping) }, want: "false"},
		{name: "auto_assign off", doc: "[defaults]\nauto_assign = false\n", got: func(c config) string { return boolStr(c.NoAutoAssign) }, want: "true"},
		{name: "agent file beats USER", doc: "[defaults]\nagent = \"ann\"\n", env: map[string]string{"USER": "root"},
			got: func(c config) string { return c.AgentName }, want: "ann", origin: [2]string{"defaults.agent", "file FILE:2:1"}},
		{name: "images off", doc: "[defaults]\nimages = false\n", got: func(c config) string { return boolStr(c.Images) }, want: "false"},

		// each section
		{name: "timezone", doc: "timezone = \"Asia/Tokyo\"\n", got: func(c config) string { return c.location().String() }, want: "Asia/Tokyo",
			origin: [2]string{"timezone", "file FILE:1:1"}},
		{name: "timezone unset is local", doc: "", got: func(c config) string { return c.location().String() }, want: "Local"},
		{name: "keys", doc: "[keys]\nquit = [\"Q\"]\nreply_to = [\"ctrl+y\", \"Y\"]\n",
			got: func(c config) string {
				return strings.Join(c.Keys.Quit.Keys(), ",") + " " + strings.Join(c.Keys.QuoteReply.Keys(), ",")
			}, want: "Q ctrl+y,Y", origin: [2]string{"keys.reply_to", "file FILE:3:1"}},
		{name: "theme both sides", doc: "[theme]\naccent = { light = \"#112233\", dark = \"200\" }\n",
			got: func(c config) string { return c.Theme.Accent.Light + " " + c.Theme.Accent.Dark }, want: "#112233 200"},
		{name: "theme one side keeps the other", doc: "[theme]\n  muted = { dark = \"240\" }\n",
			got: func(c config) string { return c.Theme.Muted.Light + " " + c.Theme.Muted.Dark }, want: "245 240",
			origin: [2]string{"theme.muted", "file FILE:2:3"}},
		{name: "notify", doc: "[notify]\nbell = false\ndesktop = \"osc777\"\ntitle = true\ncommand = [\"notify-send\", \"pageinbox\"]\n",
			got: func(c config) string {
				return boolStr(c.Bell) + " " + c.Notify.Desktop + " " + boolStr(c.Notify.Title) + " " + strings.Join(c.Notify.Command, ",")
			}, want: "false osc777 true notify-send,pageinbox", origin: [2]string{"notify.command", "file FILE:5:1"}},
		{name: "desktop off is empty", doc: "[notify]\ndesktop = \"off\"\n", got: func(c config) string { return c.Notify.Desktop }, want: ""},
		{name: "notify env beats file", doc: "[notify]\ndesktop = \"osc9\"\ncommand = [\"a\"]\n",
			env: map[string]string{"PAGEINBOX_NOTIFY_DESKTOP": "osc777", "PAGEINBOX_NOTIFY_COMMAND": `["b", "{text}"]`},
			got: func(c config) string { return c.Notify.Desktop + " " + strings.Join(c.Notify.Command, ",") }, want: "osc777 b,{text}",
			origin: [2]string{"notify.command", "env PAGEINBOX_NOTIFY_COMMAND"}},
		{name: "bell env beats file", doc: "[notify]\nbell = false\n", env: map[string]string{"PAGEINBOX_BELL": "1"},
			got: func(c config) string { return boolStr(c.Bell) }, want: "true", origin: [2]string{"notify.bell", "env PAGEINBOX_BELL"}},
		{name: "NO_COLOR", doc: "", env: map[string]string{"NO_COLOR": "1"}, got: func(c config) string { return boolStr(c.NoColor) }, want: "true",
			origin: [2]string{"defaults.no_color", "env NO_COLOR"}},
		{name: "no_color in file", doc: "[defaults]\nno_color = true\n", got: func(c config) string { return boolStr(c.NoColor) }, want: "true"},
		{name: "colour by default", doc: "", got: func(c config) string { return boolStr(c.NoColor) }, want: "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, path := writeConfig(t, tt.doc)
			for k, v := range tt.env {
				env[k] = v
			}
			req, err := parseArgs(append([]string{"doctor"}, tt.args...), mapEnv(env))
			if err != nil {
				t.Fatalf("parseArgs: %v", err)
			}
			if got := tt.got(req.cfg); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.origin[0] != "" {
				want := strings.ReplaceAll(tt.origin[1], "FILE", path)
				if got := req.cfg.Origins[tt.origin[0]]; got != want {
					t.Errorf("%s comes from %q, want %q", tt.origin[0], got, want)
				}
			}
		})
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// A bad file stops every command with the path, line and column, and
// never falls back to the defaults.
func TestConfigFileErrors(t *testing.T) {
	for _, tt := range []struct {
		name, doc string
		want      string // after "PATH:"
		never     string
	}{
		{"syntax", "[defaults]\nlisten = \n", `2:10: unexpected character`, ""},
		{"bad type", "[defaults]\nimages = \"no\"\n", `2:10: defaults.images: want true or false, not a TOML string`, ""},
		{"keys not a list", "[keys]\nquit = \"Q\"\n", `2:8: keys.quit: want a list of strings, not a TOML string`, ""},
		{"unknown key", "[defaults]\nlisen = \":1\"\n", `2:1: unknown key "defaults.lisen"`, ""},
		{"unknown section", "[colours]\naccent = 1\n", `1:2: unknown key "colours"`, ""},
		{"unknown action", "[keys]\nquiet = [\"Q\"]\n", `2:1: keys: unknown action "quiet"`, ""},
		{"no keys", "[keys]\nquit = []\n", `2:1: keys: quit: give at least one key`, ""},
		{"not a key", "[keys]\nselect = [\"space\"]\n", `2:1: keys: select: "space" is no key`, ""},
		{"conflict", "[keys]\nquit = [\"Q\"]\ndone = [\"Q\"]\n", `3:1: keys: quit and done are both bound to "Q" in the list`, ""},
		{"conflict with a default", "[keys]\n\nreply_to = [\"r\"]\n", `3:1: keys: resend and reply_to are both bound to "r" in the thread`, ""},
		{"bad desktop", "[notify]\n desktop = \"yes\"\n", `2:2: notify.desktop "yes": want off, osc9 or osc777`, ""},
		{"empty program", "[notify]\ncommand = [\"\", \"x\"]\n", `2:1: notify.command: the program (its first word) is empty`, ""},
		{"unknown colour", "[theme]\naccnt = { dark = \"1\" }\n", `2:1: theme: unknown colour "accnt"`, ""},
		{"bad colour", "[theme]\naccent = { dark = \"red\" }\n", `2:1: theme.accent.dark "red": want an ANSI colour 0-255 or #rrggbb`, ""},
		{"bad timezone", "timezone = \"Mars/Olympus\"\n", `1:1: timezone "Mars/Olympus": want an IANA name`, ""},
		{"page token refused", "page_access_token = \"EAAB-sekrit\"\n", `1:1: "page_access_token": config.toml holds no secrets`, "EAAB-sekrit"},
		{"app secret refused", "[defaults]\napp_secret = \"s3kr1t\"\n", `2:1: "defaults.app_secret": config.toml holds no secrets`, "s3kr1t"},
		{"verify token in a table", "[notify]\nx = { verify_token = \"vvv\" }\n", `2:7: "notify.x.verify_token": config.toml holds no secrets`, "vvv"},
		{"api token", "[defaults]\napi_token = \"aaa\"\n", "2:1: \"defaults.api_token\": config.toml holds no secrets", "aaa"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, path := writeConfig(t, tt.doc)
			code, stdout, stderr := runCLI(t, env, "config")
			if code == exitOK || stdout != "" {
				t.Fatalf("exit %d, stdout %q: a bad file must stop the command", code, stdout)
			}
			if want := path + ":" + tt.want; !strings.Contains(stderr, want) {
				t.Errorf("stderr %q\nlacks %q", stderr, want)
			}
			if tt.never != "" && strings.Contains(stderr, tt.never) {
				t.Errorf("the error shows the secret: %q", stderr)
			}
		})
	}
}

// Help and the example config print even when the file is broken.
func TestBrokenConfigStillHelps(t *testing.T) {
	env, _ := writeConfig(t, "[keys]\nquit = \n")
	for _, args := range [][]string{{"config", "--default"}, {"--help"}, {"help", "config"}, {"config", "-h"}} {
		code, stdout, stderr := runCLI(t, env, args...)
		if code != exitOK || stdout == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	for _, args := range [][]string{{"config", "--json"}, {"note", "PSID", "help"}, {"config", "--default=false"}} {
		if code, _, stderr := runCLI(t, env, args...); code == exitOK || !strings.Contains(stderr, "config.toml:2:") {
			t.Errorf("%v ran with a broken file: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestConfigFileWhere(t *testing.T) {
	dir := t.TempDir()
	named := filepath.Join(dir, "other.toml")
	if err := os.WriteFile(named, []byte("[defaults]\nlisten = \":7777\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	home := map[string]string{"HOME": filepath.Join(dir, "home")}
	for _, tt := range []struct {
		name    string
		env     map[string]string
		args    []string
		listen  string
		wantErr string
	}{
		{"no file at the default place", home, nil, ":8080", ""},
		{"--config", home, []string{"--config", named}, ":7777", ""},
		{"--config=", home, []string{"--config=" + named}, ":7777", ""},
		{"--config after the command", home, []string{"doctor", "--config", named}, ":7777", ""},
		{"PAGEINBOX_CONFIG", map[string]string{"PAGEINBOX_CONFIG": named}, nil, ":7777", ""},
		{"a named file must exist", home, []string{"--config", filepath.Join(dir, "nope.toml")}, "", "nope.toml: no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if !slices.Contains(args, "doctor") {
				args = append(slices.Clone(args), "doctor")
			}
			req, err := parseArgs(args, mapEnv(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.cfg.Listen != tt.listen {
				t.Errorf("listen %q, want %q", req.cfg.Listen, tt.listen)
			}
		})
	}
}

// `pageinbox config --json` shows each value's source; secrets only as
// set or unset.
func TestConfigCommand(t *testing.T) {
	env, path := writeConfig(t, "[defaults]\nlisten = \":9001\"\n[keys]\nquit = [\"Q\"]\n")
	env["PAGE_ACCESS_TOKEN"] = "EAAB-sekrit"
	env["PAGEINBOX_GRAPH_VERSION"] = "v26.0"
	code, stdout, stderr := runCLI(t, env, "config", "--json", "--debug")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "EAAB-sekrit") {
		t.Fatal("config prints the page token")
	}
	var out struct {
		File     string
		Settings []struct {
			Name   string
			Value  any
			Source string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range out.Settings {
		v, _ := json.Marshal(s.Value)
		got[s.Name] = string(v) + " " + s.Source
	}
	for name, want := range map[string]string{
		"defaults.listen":          `":9001" file ` + path + `:2:1`,
		"defaults.graph_version":   `"v26.0" env PAGEINBOX_GRAPH_VERSION`,
		"defaults.debug":           `true flag --debug`,
		"defaults.graph_url":       `"https://graph.facebook.com" default`,
		"keys.quit":                `["Q"] file ` + path + `:4:1`,
		"keys.done":                `["d"] default`,
		"secret.page_access_token": `"set" env PAGE_ACCESS_TOKEN`,
		"secret.app_secret":        `"unset" unset`,
	} {
		if got[name] != want {
			t.Errorf("%s: %s, want %s", name, got[name], want)
		}
	}
	if out.File != path {
		t.Errorf("file %q, want %q", out.File, path)
	}
	code, text, _ := runCLI(t, env, "config")
	if code != exitOK || !regexp.MustCompile(`(?m)^keys\.quit\s+\["Q"\]\s+file `+regexp.QuoteMeta(path)+`:4:1$`).MatchString(text) {
		t.Errorf("text output:\n%s", text)
	}
}

// The example `config --default` prints loads, and changes nothing; the
// README carries it whole.
func TestDefaultConfigIsTheDefault(t *testing.T) {
	example := defaultConfigTOML()
	env, _ := writeConfig(t, example)
	loaded, err := parseArgs([]string{"config"}, mapEnv(env))
	if err != nil {
		t.Fatalf("the default config does not load: %v", err)
	}
	plain, err := parseArgs([]string{"config"}, mapEnv(map[string]string{"HOME": "/home/ann"}))
	if err != nil {
		t.Fatal(err)
	}
	a, b := loaded.cfg.settings(), plain.cfg.settings()
	if len(a) != len(b) || len(a) < 80 {
		t.Fatalf("%d settings against %d", len(a), len(b))
	}
	for i := range a {
		av, _ := json.Marshal(a[i].Value)
		bv, _ := json.Marshal(b[i].Value)
		if a[i].Name != b[i].Name || string(av) != string(bv) {
			t.Errorf("%s = %s in the example, %s = %s by default", a[i].Name, av, b[i].Name, bv)
		}
	}
	for _, a := range loaded.cfg.Keys.Actions() {
		if !strings.Contains(example, "\n"+a.Name+" = ") {
			t.Errorf("the example lacks keys.%s", a.Name)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```toml\n"+example+"```\n") {
		t.Error("README.md's example config is not `pageinbox config --default`'s output; paste it again")
	}
}

// FuzzLoadConfig: no file makes loading panic, and every error names a
// place in the file (line and column).
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(defaultConfigTOML()))
	for _, s := range []string{"", "x = ", "[keys]\nquit = [\"Q\"]\ndone = [\"Q\"]\n", "timezone = 3", "[theme]\naccent = { dark = \"red\" }",
		"a.b.c = 1", "[[keys]]\n", "[defaults]\nlisten = \"\\u0000\"", "app_secret = 1", "[keys]\n\"\" = [\"\"]", "x = {a={b={c=1}}}"} {
		f.Add([]byte(s))
	}
	placed := regexp.MustCompile(`^f\.toml:\d+:\d+: `)
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := parseConfigFile("f.toml", data)
		if err == nil {
			_, err = resolveConfig(func(string) string { return "" }, lf)
		}
		if err == nil {
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !placed.MatchString(line) {
				t.Fatalf("error without a position: %q", line)
			}
		}
	})
}

// The TUI options carry the file's keys, theme and time zone; an SSH
// session takes the file's no_color but not the server's NO_COLOR.
func TestConfigReachesTheTUIOptions(t *testing.T) {
	doc := "timezone = \"Asia/Tokyo\"\n[keys]\nquit = [\"Q\"]\n[theme]\naccent = { dark = \"#ff0000\" }\n"
	for _, tt := range []struct {
		name           string
		doc            string
		env            map[string]string
		local, overSSH bool // NoColor
	}{
		{"colour", doc, nil, false, false},
		{"server's NO_COLOR", doc, map[string]string{"NO_COLOR": "1"}, true, false},
		{"file's no_color", doc + "[defaults]\nno_color = true\n", nil, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := writeConfig(t, tt.doc)
			for k, v := range tt.env {
				env[k] = v
			}
			req, err := parseArgs([]string{"serve"}, mapEnv(env))
			if err != nil {
				t.Fatal(err)
			}
			o := req.cfg.look().apply(tui.Options{})
			if o.TZ.String() != "Asia/Tokyo" || o.Keys.Quit.Keys()[0] != "Q" || o.Theme.Accent.Dark != "#ff0000" {
				t.Errorf("options: tz %v, quit %v, accent %v", o.TZ, o.Keys.Quit.Keys(), o.Theme.Accent)
			}
			if o.NoColor != tt.local {
				t.Errorf("local NoColor %v, want %v", o.NoColor, tt.local)
			}
			if s := req.cfg.sshLook().apply(tui.Options{}); s.NoColor != tt.overSSH || s.Keys != o.Keys {
				t.Errorf("SSH NoColor %v, want %v (keys shared: %v)", s.NoColor, tt.overSSH, s.Keys == o.Keys)
			}
		})
	}
}
