package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/tui"
	"github.com/pageinbox/pageinbox/tui/keymap"
	"github.com/pageinbox/pageinbox/tui/styles"
)

// loadConfig is the configuration from defaults, then the config file
// (flagPath, PAGEINBOX_CONFIG or the default place), then env. Flags come
// on top in parseArgs.
func loadConfig(env func(string) string, flagPath string) (config, error) {
	path, explicit := configFilePath(flagPath, env)
	f, err := readConfigFile(path, explicit)
	if err != nil {
		return config{}, err
	}
	return resolveConfig(env, f)
}

// resolveConfig puts f (nil: no file) between the defaults and env:
// configFromEnv's value stands where its variable is set, the file's
// where it is not. It notes where each setting came from.
func resolveConfig(env func(string) string, f *loadedFile) (config, error) {
	c := configFromEnv(env)
	c.Origins = map[string]string{}
	r := resolver{env: env, f: f, c: &c}
	if f == nil {
		r.f = &loadedFile{}
	} else {
		c.ConfigFile = f.path
	}
	fd, fn := r.f.cfg.Defaults, r.f.cfg.Notify
	r.str(&c.DataDir, "defaults.data", fd.Data, "PAGEINBOX_DATA")
	r.str(&c.Listen, "defaults.listen", fd.Listen, "PAGEINBOX_LISTEN")
	r.str(&c.GraphURL, "defaults.graph_url", fd.GraphURL, "PAGEINBOX_GRAPH_URL")
	r.str(&c.GraphVersion, "defaults.graph_version", fd.GraphVersion, "PAGEINBOX_GRAPH_VERSION")
	r.str(&c.Server, "defaults.server", fd.Server, "PAGEINBOX_SERVER")
	r.str(&c.AgentName, "defaults.agent", fd.Agent, "PAGEINBOX_AGENT")
	r.str(&c.APIListen, "defaults.api_listen", fd.APIListen, "PAGEINBOX_API_LISTEN")
	r.str(&c.SSHListen, "defaults.ssh_listen", fd.SSHListen, "PAGEINBOX_SSH_LISTEN")
	r.str(&c.MetricsListen, "defaults.metrics_listen", fd.MetricsListen, "PAGEINBOX_METRICS_LISTEN")
	notZero, one := func(v string) bool { return v != "0" }, func(v string) bool { return v == "1" }
	r.flag(&c.Debug, "defaults.debug", fd.Debug, "", nil)
	r.flag(&c.Images, "defaults.images", fd.Images, "PAGEINBOX_IMAGES", notZero)
	r.flag(&c.MarkSeen, "defaults.mark_seen", fd.MarkSeen, "PAGEINBOX_MARK_SEEN", one)
	r.flag(&c.NoColor, "defaults.no_color", fd.NoColor, "NO_COLOR", func(string) bool { return true })
	typing, autoAssign := !c.NoTyping, !c.NoAutoAssign
	r.flag(&typing, "defaults.typing", fd.Typing, "PAGEINBOX_TYPING", notZero)
	r.flag(&autoAssign, "defaults.auto_assign", fd.AutoAssign, "PAGEINBOX_AUTO_ASSIGN", notZero)
	c.NoTyping, c.NoAutoAssign = !typing, !autoAssign
	r.flag(&c.Bell, "notify.bell", fn.Bell, "PAGEINBOX_BELL", notZero)
	r.str(&c.Notify.Desktop, "notify.desktop", fn.Desktop, "PAGEINBOX_NOTIFY_DESKTOP")
	r.flag(&c.Notify.Title, "notify.title", fn.Title, "PAGEINBOX_TITLE", one)
	c.Notify.Tmux = env("TMUX") != ""
	err := errors.Join(r.desktop(), r.command(fn.Command), r.timezone(), r.keys(), r.theme())
	return c, err
}

// desktop checks notify.desktop, which says how the agent's terminal
// takes a desktop notification; "off" is "".
func (r *resolver) desktop() error {
	switch r.c.Notify.Desktop {
	case "", "osc9", "osc777":
		return nil
	case "off":
		r.c.Notify.Desktop = ""
		return nil
	}
	where := r.f.where("notify.desktop")
	if o := r.c.Origins["notify.desktop"]; strings.HasPrefix(o, "env ") {
		where = o
	}
	return fmt.Errorf("%s: notify.desktop %q: want off, osc9 or osc777", where, r.c.Notify.Desktop)
}

// command is notify.command, or PAGEINBOX_NOTIFY_COMMAND (a JSON array)
// over it: argv, the program first, never a shell line.
func (r *resolver) command(file *[]string) error {
	const name = "notify.command"
	r.c.Origins[name] = "default"
	if file != nil {
		r.c.Notify.Command, r.c.Origins[name] = *file, r.fromFile(name)
		if len(*file) > 0 && (*file)[0] == "" {
			return fmt.Errorf("%s: notify.command: the program (its first word) is empty", r.f.where(name))
		}
	}
	if v := r.env("PAGEINBOX_NOTIFY_COMMAND"); v != "" {
		var argv []string
		if err := json.Unmarshal([]byte(v), &argv); err != nil || len(argv) == 0 || argv[0] == "" {
			return errors.New(`PAGEINBOX_NOTIFY_COMMAND: want a JSON array of strings, the program first, like ["notify-send", "pageinbox", "{name}: {text}"]`)
		}
		r.c.Notify.Command, r.c.Origins[name] = argv, "env PAGEINBOX_NOTIFY_COMMAND"
	}
	return nil
}

// resolver applies one source after another to a config.
type resolver struct {
	c   *config
	env func(string) string
	f   *loadedFile
}

func (r *resolver) fromFile(name string) string { return "file " + r.f.where(name) }

// str gives *dst envName's value if set, else the file's; else it keeps
// the default.
func (r *resolver) str(dst *string, name string, file *string, envName string) {
	r.c.Origins[name] = "default"
	if file != nil {
		*dst, r.c.Origins[name] = *file, r.fromFile(name)
	}
	if v := r.env(envName); v != "" {
		*dst, r.c.Origins[name] = v, "env "+envName
	}
}

// flag is str for a switch; parse reads envName's value when it is set.
func (r *resolver) flag(dst *bool, name string, file *bool, envName string, parse func(string) bool) {
	r.c.Origins[name] = "default"
	if file != nil {
		*dst, r.c.Origins[name] = *file, r.fromFile(name)
	}
	if envName == "" {
		return
	}
	if v := r.env(envName); v != "" {
		*dst, r.c.Origins[name] = parse(v), "env "+envName
	}
}

func (r *resolver) timezone() error {
	r.c.TZ, r.c.Origins["timezone"] = time.Local, "default"
	tz := r.f.cfg.Timezone
	if tz == nil || *tz == "" {
		return nil
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("%s: timezone %q: want an IANA name such as Europe/Paris (%v)", r.f.where("timezone"), *tz, err)
	}
	r.c.Timezone, r.c.TZ, r.c.Origins["timezone"] = *tz, loc, r.fromFile("timezone")
	return nil
}

// keys applies [keys] to the default KeyMap and refuses unknown actions
// and two actions of one context on one key.
func (r *resolver) keys() error {
	km := keymap.Default()
	r.c.Keys = &km
	for _, a := range km.Actions() {
		r.c.Origins["keys."+a.Name] = "default"
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(r.f.cfg.Keys)) {
		where := r.f.where("keys." + name)
		if err := km.Rebind(name, r.f.cfg.Keys[name]); err != nil {
			errs = append(errs, fmt.Errorf("%s: keys: %w", where, err))
			continue
		}
		r.c.Origins["keys."+name] = "file " + where
	}
	for _, c := range km.Conflicts() {
		where := r.f.where("keys." + c.B)
		if _, ok := r.f.cfg.Keys[c.B]; !ok {
			where = r.f.where("keys." + c.A)
		}
		errs = append(errs, fmt.Errorf("%s: keys: %w", where, c))
	}
	return errors.Join(errs...)
}

var colourPattern = regexp.MustCompile(`^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$`)

// theme applies [theme] to the default colours; a side not given keeps
// its default.
func (r *resolver) theme() error {
	t := styles.DefaultTheme()
	r.c.Theme = &t
	byName := map[string]*lipgloss.AdaptiveColor{}
	for _, c := range t.Colours() {
		byName[c.Name] = c.Colour
		r.c.Origins["theme."+c.Name] = "default"
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(r.f.cfg.Theme)) {
		where, fc := r.f.where("theme."+name), r.f.cfg.Theme[name]
		dst, ok := byName[name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: theme: unknown colour %q", where, name))
			continue
		}
		for i, v := range []*string{fc.Light, fc.Dark} {
			if v != nil && !colourPattern.MatchString(*v) {
				errs = append(errs, fmt.Errorf("%s: theme.%s.%s %q: want an ANSI colour 0-255 or #rrggbb", where, name, []string{"light", "dark"}[i], *v))
			}
		}
		if fc.Light != nil {
			dst.Light = *fc.Light
		}
		if fc.Dark != nil {
			dst.Dark = *fc.Dark
		}
		r.c.Origins["theme."+name] = "file " + where
	}
	return errors.Join(errs...)
}

// markFlag notes the flags given on the command line as the source of its
// setting.
func (c *config) markFlag(name string) {
	if c.Origins == nil {
		return
	}
	setting := "defaults." + strings.ReplaceAll(name, "-", "_")
	if _, ok := c.Origins[setting]; ok {
		c.Origins[setting] = "flag --" + name
	}
}

// tuiLook is what config.toml changes in a TUI: keys, colours, time zone.
// An SSH session's TUI gets the server's (per-agent files are not read).
type tuiLook struct {
	Keys    *keymap.KeyMap
	Theme   *styles.Theme
	NoColor bool
	TZ      *time.Location
}

func (c config) look() tuiLook { return tuiLook{c.Keys, c.Theme, c.NoColor, c.location()} }

// sshLook is look for SSH sessions: the server's NO_COLOR says nothing of
// a client's terminal (whose own NO_COLOR, if sent, the session's renderer
// reads), so only the file's no_color applies.
func (c config) sshLook() tuiLook {
	l := c.look()
	if strings.HasPrefix(c.Origins["defaults.no_color"], "env ") {
		l.NoColor = false
	}
	return l
}

func (l tuiLook) apply(o tui.Options) tui.Options {
	o.Keys, o.Theme, o.NoColor, o.TZ = l.Keys, l.Theme, l.NoColor, l.TZ
	return o
}

// location is the zone times are shown and read in: the config's
// timezone, else the local one.
func (c config) location() *time.Location {
	if c.TZ == nil {
		return time.Local
	}
	return c.TZ
}
