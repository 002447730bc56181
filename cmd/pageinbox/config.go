package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/tui"
	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// Defaults for the settings that have one. The Graph API version is pinned
// rather than "latest" so a Meta release never changes behaviour under us.
const (
	defaultListen       = ":8080"
	defaultGraphURL     = "https://graph.facebook.com"
	defaultGraphVersion = "v25.0"
)

// config is everything a command needs to know about its surroundings,
// resolved from defaults, then config.toml, then env, then flags (flags win).
//
// Secrets are held as secret values, which print as "set" or "unset" in every
// form (fmt verbs, slog, JSON), so logging a config can never leak one.
type config struct {
	DataDir      string // bbolt file, logs
	Listen       string // address of the webhook and /ws server
	GraphURL     string // base URL of everything that talks to Meta
	GraphVersion string // Graph API version, e.g. v25.0
	Debug        bool
	Server       string // a daemon's /ws URL to attach to; "" finds one through the data dir

	PageID          string // optional: learnt from the token when empty; not a secret
	PageAccessToken secret
	// PageTokens are the connected Pages, one token each (pages.go).
	// PAGE_ACCESS_TOKEN (+PAGE_ID) fills the first; more sources (the
	// secrets file) append to it. Empty: no Page is connected.
	PageTokens  []pageToken
	AppSecret   secret
	VerifyToken secret
	AppID       string // APP_ID: `pages connect` exchanges tokens as this app
	FBUserToken secret // FB_USER_TOKEN: `pages connect`'s user token, else read from stdin

	// FaultCommit is PAGEINBOX_FAULT_COMMIT, a test fault injector and
	// nothing else: the Nth commit of the data file is made to fail
	// (store.Options.FaultCommit), to test that serve fails stop. "" is off.
	FaultCommit string

	// Notify: PAGEINBOX_NOTIFY_DESKTOP (osc9, osc777), PAGEINBOX_TITLE=1,
	// TMUX, and the command from PAGEINBOX_NOTIFY_COMMAND, a JSON array
	// of strings (NotifyCommand, parsed by check).
	Notify        tui.Notify
	NotifyCommand string

	// Set only through the environment; this file is the one place it is
	// read.
	APIToken      secret // PAGEINBOX_API_TOKEN: the token shown to a daemon; unset: the data dir's api-token
	AgentName     string // PAGEINBOX_AGENT, else USER: how this session appears to other agents
	Bell          bool   // PAGEINBOX_BELL is not "0": the TUI rings the terminal for new messages
	MarkSeen      bool   // PAGEINBOX_MARK_SEEN is "1": opening a conversation sends mark_seen
	NoAutoAssign  bool   // PAGEINBOX_AUTO_ASSIGN is "0": a reply does not make an unassigned conversation the replier's
	Images        bool   // PAGEINBOX_IMAGES is not "0": the thread previews image attachments
	NoTyping      bool   // PAGEINBOX_TYPING is "0": no typing_on while agents type
	APIListen     string // PAGEINBOX_API_LISTEN: serve's --api-listen unless given
	SSHListen     string // PAGEINBOX_SSH_LISTEN: serve's --ssh-listen unless given
	MetricsListen string // PAGEINBOX_METRICS_LISTEN: serve's --metrics-listen unless given
	ConfigDir     string // $XDG_CONFIG_HOME, else ~/.config: where serve looks for authorized_keys

	// From config.toml (configfile.go); SSH sessions use the server's.
	ConfigFile string            // the file read; "" when there is none
	Keys       *keymap.KeyMap    // [keys] applied to keymap.Default
	Theme      *styles.Theme     // [theme] applied to styles.DefaultTheme
	NoColor    bool              // NO_COLOR, or defaults.no_color: no colour at all
	Timezone   string            // IANA name; "" is the local zone
	TZ         *time.Location    // Timezone loaded; time.Local when it is ""
	Origins    map[string]string // setting -> "default", "file PATH:LINE:COL", "env NAME", "flag --x"
}

// configFromEnv returns the configuration before any flag is parsed. env is
// os.Getenv in production and a map lookup in tests.
func configFromEnv(env func(string) string) config {
	verify := env("VERIFY_TOKEN")
	if verify == "" {
		verify = env("WEBHOOK_VERIFY_TOKEN") // the name many Meta samples use
	}
	var pages []pageToken
	if tok := env("PAGE_ACCESS_TOKEN"); tok != "" {
		pages = append(pages, pageToken{ID: env("PAGE_ID"), Token: newSecret(tok)})
	}
	return config{
		PageTokens:   pages,
		DataDir:      firstNonEmpty(env("PAGEINBOX_DATA"), defaultDataDir(env)),
		Listen:       firstNonEmpty(env("PAGEINBOX_LISTEN"), defaultListen),
		GraphURL:     firstNonEmpty(env("PAGEINBOX_GRAPH_URL"), defaultGraphURL),
		GraphVersion: firstNonEmpty(env("PAGEINBOX_GRAPH_VERSION"), defaultGraphVersion),
		Server:       env("PAGEINBOX_SERVER"),

		PageID:          env("PAGE_ID"),
		PageAccessToken: newSecret(env("PAGE_ACCESS_TOKEN")),
		AppSecret:       newSecret(env("APP_SECRET")),
		VerifyToken:     newSecret(verify),
		AppID:           env("APP_ID"),
		FBUserToken:     newSecret(env("FB_USER_TOKEN")),

		FaultCommit: env("PAGEINBOX_FAULT_COMMIT"),

		APIToken:      newSecret(env("PAGEINBOX_API_TOKEN")),
		AgentName:     firstNonEmpty(env("PAGEINBOX_AGENT"), env("USER")),
		Bell:          env("PAGEINBOX_BELL") != "0",
		MarkSeen:      env("PAGEINBOX_MARK_SEEN") == "1",
		NoAutoAssign:  env("PAGEINBOX_AUTO_ASSIGN") == "0",
		Images:        env("PAGEINBOX_IMAGES") != "0",
		NoTyping:      env("PAGEINBOX_TYPING") == "0",
		APIListen:     env("PAGEINBOX_API_LISTEN"),
		SSHListen:     env("PAGEINBOX_SSH_LISTEN"),
		MetricsListen: env("PAGEINBOX_METRICS_LISTEN"),
		ConfigDir:     configDir(env),
		Notify: tui.Notify{Desktop: env("PAGEINBOX_NOTIFY_DESKTOP"), Title: env("PAGEINBOX_TITLE") == "1",
			Tmux: env("TMUX") != ""},
		NotifyCommand: env("PAGEINBOX_NOTIFY_COMMAND"),
	}
}

// childEnv is the environment of a program the TUI starts (the editor):
// this process's, without the secrets (childEnviron). It is read here, the
// one place pageinbox reads its environment.
func childEnv() []string { return childEnviron(os.Environ()) }

// configDir is os.UserConfigDir on Unix, read through env: XDG_CONFIG_HOME
// if absolute, else ~/.config; "" when neither is usable.
func configDir(env func(string) string) string {
	if x := env("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return x
	}
	if home := env("HOME"); home != "" {
		return filepath.Join(home, ".config")
	}
	return ""
}

// defaultDataDir follows the XDG base directory spec. It returns "" when
// neither XDG_DATA_HOME nor HOME is usable; commands that need the data dir
// then ask for --data instead of guessing.
func defaultDataDir(env func(string) string) string {
	// The spec says a relative XDG_DATA_HOME is invalid and must be ignored.
	if x := env("XDG_DATA_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "pageinbox")
	}
	if home := env("HOME"); home != "" {
		return filepath.Join(home, ".local", "share", "pageinbox")
	}
	return ""
}

// addGlobalFlags defines the flags every command shares, bound to cfg. cfg
// already holds the env values, so they become the flags' defaults and a flag
// given on the command line wins. The usage strings spell out the static
// defaults rather than the resolved ones, so help is the same everywhere.
func addGlobalFlags(fs *flag.FlagSet, cfg *config) {
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir,
		"`DIR` for inbox.db and logs\nenv PAGEINBOX_DATA; default $XDG_DATA_HOME/pageinbox or ~/.local/share/pageinbox")
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen,
		"`ADDR` the webhook server listens on\nenv PAGEINBOX_LISTEN; default "+defaultListen)
	fs.StringVar(&cfg.GraphURL, "graph-url", cfg.GraphURL,
		"base `URL` of the Graph API, or of an emulator or proxy standing in for it\nenv PAGEINBOX_GRAPH_URL; default "+defaultGraphURL)
	fs.StringVar(&cfg.GraphVersion, "graph-version", cfg.GraphVersion,
		"Graph API `VERSION` to call\nenv PAGEINBOX_GRAPH_VERSION; default "+defaultGraphVersion)
	fs.BoolVar(&cfg.Debug, "debug", cfg.Debug, "log at debug level")
	fs.StringVar(&cfg.ConfigFile, "config", cfg.ConfigFile,
		"read settings from `FILE`\nenv PAGEINBOX_CONFIG; default $XDG_CONFIG_HOME/pageinbox/config.toml or ~/.config/pageinbox/config.toml")
	fs.StringVar(&cfg.Server, "server", cfg.Server,
		"attach to the daemon at `URL` (ws://host:port/ws) instead of opening the data file\nenv PAGEINBOX_SERVER; default: the daemon serving --data, if one runs")
}

var graphVersionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// check rejects settings that would only fail later and further from their
// cause. Errors name the flag, because that is what the user can change.
func (c *config) check() error {
	c.GraphURL = strings.TrimRight(c.GraphURL, "/")
	u, err := url.Parse(c.GraphURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--graph-url %q: want an absolute http or https URL", c.GraphURL)
	}
	if !graphVersionPattern.MatchString(c.GraphVersion) {
		return fmt.Errorf("--graph-version %q: want a version like %s", c.GraphVersion, defaultGraphVersion)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("--listen %q: want host:port or :port", c.Listen)
	}
	if n, err := strconv.Atoi(c.FaultCommit); c.FaultCommit != "" && (err != nil || n < 1) {
		return fmt.Errorf("PAGEINBOX_FAULT_COMMIT %q: want a commit number from 1 (a test fault injector; unset it)", c.FaultCommit)
	}
	if err := c.Notify.Check(); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if c.NotifyCommand != "" {
		var argv []string
		if err := json.Unmarshal([]byte(c.NotifyCommand), &argv); err != nil || len(argv) == 0 || argv[0] == "" {
			return fmt.Errorf(`PAGEINBOX_NOTIFY_COMMAND: want a JSON array of strings, the program first, like ["notify-send", "pageinbox", "{name}: {text}"]`)
		}
		c.Notify.Command = argv
	}
	return nil
}

// String renders the config for humans and logs, secrets as "set"/"unset".
func (c config) String() string {
	return fmt.Sprintf("data=%q listen=%q graph-url=%q graph-version=%q debug=%t page-id=%q page-access-token=%s app-secret=%s verify-token=%s",
		c.DataDir, c.Listen, c.GraphURL, c.GraphVersion, c.Debug, c.PageID,
		c.PageAccessToken, c.AppSecret, c.VerifyToken)
}

// GoString keeps %#v as safe as %v.
func (c config) GoString() string { return "config{" + c.String() + "}" }

// LogValue makes slog log the config as a group, secrets as "set"/"unset".
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("data", c.DataDir),
		slog.String("listen", c.Listen),
		slog.String("graph_url", c.GraphURL),
		slog.String("graph_version", c.GraphVersion),
		slog.Bool("debug", c.Debug),
		slog.String("page_id", c.PageID),
		slog.Any("page_access_token", c.PageAccessToken),
		slog.Any("app_secret", c.AppSecret),
		slog.Any("verify_token", c.VerifyToken),
	)
}

// secret holds a credential. The value sits behind a pointer so that even
// reflection-based printing of an enclosing struct (fmt on an unexported
// field, where String is not consulted) shows an address, never the text.
// Reveal is the one way out and should appear only where the value is sent.
type secret struct{ value *string }

func newSecret(s string) secret {
	if s == "" {
		return secret{}
	}
	return secret{value: &s}
}

// Reveal returns the credential itself, for the HTTP call or HMAC that needs it.
func (s secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// IsSet reports whether the credential was given.
func (s secret) IsSet() bool { return s.value != nil }

func (s secret) String() string {
	if s.IsSet() {
		return "set"
	}
	return "unset"
}

func (s secret) GoString() string { return s.String() }

func (s secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText covers encoding/json and anything else that asks for text.
func (s secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
