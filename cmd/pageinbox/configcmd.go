package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
)

// setupConfig is `pageinbox config`: the effective settings and where each
// came from, or (--default) a complete example file.
func setupConfig(fs *flag.FlagSet) runFunc {
	asJSON := fs.Bool("json", false, "print JSON")
	example := fs.Bool("default", false, "print a complete config.toml with every default, commented")
	return func(ctx context.Context, env cmdEnv) error {
		if *example {
			_, err := fmt.Fprint(env.stdout, defaultConfigTOML())
			return err
		}
		settings := env.cfg.settings()
		if *asJSON {
			enc := json.NewEncoder(env.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(struct {
				File     string    `json:"file"`
				Settings []setting `json:"settings"`
			}{env.cfg.ConfigFile, settings})
		}
		file := env.cfg.ConfigFile
		if file == "" {
			file = "none"
		}
		fmt.Fprintf(env.stdout, "config file: %s\n\n", file)
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		for _, s := range settings {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, tomlValue(s.Value), s.Source)
		}
		return tw.Flush()
	}
}

// setting is one effective value and its source.
type setting struct {
	Name   string `json:"name"`
	Value  any    `json:"value"`
	Source string `json:"source"`
}

// settings lists every setting of c in the file's order, then the secrets,
// which show as set or unset and never their text.
func (c config) settings() []setting {
	var out []setting
	add := func(name string, v any) { out = append(out, setting{name, v, c.Origins[name]}) }
	add("timezone", c.Timezone)
	for _, d := range c.defaultsTable() {
		add("defaults."+d.name, d.value)
	}
	add("notify.bell", c.Bell)
	add("notify.desktop", c.Notify.Desktop)
	add("notify.title", c.Notify.Title)
	add("notify.command", c.Notify.Command)
	if c.Theme != nil {
		for _, tc := range c.Theme.Colours() {
			add("theme."+tc.Name, map[string]string{"light": tc.Colour.Light, "dark": tc.Colour.Dark})
		}
	}
	if c.Keys != nil {
		for _, a := range c.Keys.Actions() {
			add("keys."+a.Name, a.Binding.Keys())
		}
	}
	for _, s := range []struct {
		name, env string
		v         secret
	}{
		{"page_access_token", "PAGE_ACCESS_TOKEN", c.PageAccessToken},
		{"app_secret", "APP_SECRET", c.AppSecret},
		{"verify_token", "VERIFY_TOKEN or WEBHOOK_VERIFY_TOKEN", c.VerifyToken},
		{"api_token", "PAGEINBOX_API_TOKEN", c.APIToken},
	} {
		src := "env " + s.env
		if !s.v.IsSet() {
			src = "unset"
		}
		out = append(out, setting{"secret." + s.name, s.v.String(), src})
	}
	return out
}

type defaultSetting struct {
	name  string
	value any
	doc   string
}

// defaultsTable is [defaults]: the settings a flag or env var also sets.
func (c config) defaultsTable() []defaultSetting {
	return []defaultSetting{
		{"data", c.DataDir, "--data, PAGEINBOX_DATA: the data dir; default $XDG_DATA_HOME/pageinbox or ~/.local/share/pageinbox"},
		{"listen", c.Listen, "--listen, PAGEINBOX_LISTEN: the webhook server's address"},
		{"graph_url", c.GraphURL, "--graph-url, PAGEINBOX_GRAPH_URL: the Graph API, an emulator or a proxy"},
		{"graph_version", c.GraphVersion, "--graph-version, PAGEINBOX_GRAPH_VERSION"},
		{"server", c.Server, "--server, PAGEINBOX_SERVER: a daemon's /ws URL to attach to; default: the one serving data"},
		{"agent", c.AgentName, "PAGEINBOX_AGENT: how this session appears to other agents; default $USER"},
		{"debug", c.Debug, "--debug: log at debug level"},
		{"images", c.Images, "PAGEINBOX_IMAGES=0: no picture previews in the thread"},
		{"typing", !c.NoTyping, "PAGEINBOX_TYPING=0: no typing_on while agents type"},
		{"mark_seen", c.MarkSeen, "PAGEINBOX_MARK_SEEN=1: opening a conversation sends mark_seen"},
		{"auto_assign", !c.NoAutoAssign, "PAGEINBOX_AUTO_ASSIGN=0: a reply does not assign the conversation to the replier"},
		{"no_color", c.NoColor, "NO_COLOR: no colour at all"},
		{"api_listen", c.APIListen, "PAGEINBOX_API_LISTEN: serve's --api-listen"},
		{"ssh_listen", c.SSHListen, "PAGEINBOX_SSH_LISTEN: serve's --ssh-listen"},
		{"metrics_listen", c.MetricsListen, "PAGEINBOX_METRICS_LISTEN: serve's --metrics-listen"},
	}
}

// tomlValue writes v as TOML writes it.
func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return tomlString(v)
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = tomlString(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case map[string]string:
		return fmt.Sprintf("{ light = %s, dark = %s }", tomlString(v["light"]), tomlString(v["dark"]))
	default:
		return fmt.Sprint(v)
	}
}

// tomlString is a TOML basic string: \ and " escaped, control characters
// as \uXXXX.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
