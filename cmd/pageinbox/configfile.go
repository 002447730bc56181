package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// fileConfig is config.toml. Pointers tell "not in the file" from a zero
// value, so only what the file says overrides a default.
type fileConfig struct {
	Timezone *string              `toml:"timezone"`
	Keys     map[string][]string  `toml:"keys"`
	Theme    map[string]fileColor `toml:"theme"`
	Notify   fileNotify           `toml:"notify"`
	Defaults fileDefaults         `toml:"defaults"`
}

// fileColor is one theme colour: an ANSI number ("63") or "#rrggbb", for
// a light and a dark background.
type fileColor struct {
	Light *string `toml:"light"`
	Dark  *string `toml:"dark"`
}

type fileNotify struct {
	Bell    *bool     `toml:"bell"`
	Desktop *string   `toml:"desktop"`
	Title   *bool     `toml:"title"`
	Command *[]string `toml:"command"`
}

type fileDefaults struct {
	Data          *string `toml:"data"`
	Listen        *string `toml:"listen"`
	GraphURL      *string `toml:"graph_url"`
	GraphVersion  *string `toml:"graph_version"`
	Server        *string `toml:"server"`
	Agent         *string `toml:"agent"`
	Debug         *bool   `toml:"debug"`
	Images        *bool   `toml:"images"`
	Typing        *bool   `toml:"typing"`
	MarkSeen      *bool   `toml:"mark_seen"`
	AutoAssign    *bool   `toml:"auto_assign"`
	NoColor       *bool   `toml:"no_color"`
	APIListen     *string `toml:"api_listen"`
	SSHListen     *string `toml:"ssh_listen"`
	MetricsListen *string `toml:"metrics_listen"`
}

// loadedFile is a parsed config file and the line of each key in it.
type loadedFile struct {
	path  string
	cfg   fileConfig
	lines map[string]position // "defaults.listen" -> 4:1
}

type position struct{ line, col int }

// where is a key's place in the file, PATH:LINE:COLUMN, for errors and
// `pageinbox config`.
func (f *loadedFile) where(key string) string {
	if p, ok := f.lines[key]; ok {
		return fmt.Sprintf("%s:%d:%d", f.path, p.line, p.col)
	}
	return f.path
}

// configFilePath is --config, else PAGEINBOX_CONFIG, else the default
// place; explicit says the file must exist.
func configFilePath(flagPath string, env func(string) string) (path string, explicit bool) {
	if p := firstNonEmpty(flagPath, env("PAGEINBOX_CONFIG")); p != "" {
		return p, true
	}
	if d := configDir(env); d != "" {
		return filepath.Join(d, "pageinbox", "config.toml"), false
	}
	return "", false
}

// readConfigFile loads path. A missing file is no error unless it was asked
// for by name; every other problem is, with the path and a line.
func readConfigFile(path string, explicit bool) (*loadedFile, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	return parseConfigFile(path, data)
}

// secretWords mark a key that would hold a credential. Such keys are
// refused by name, before anything else, so a token never sits in a file
// that is shared, backed up and printed by `pageinbox config`.
var secretWords = []string{"token", "secret", "password"}

// parseConfigFile decodes data strictly: a syntax error, a value of the
// wrong type and an unknown key each name the path, line and column.
func parseConfigFile(path string, data []byte) (*loadedFile, error) {
	f := &loadedFile{path: path, lines: map[string]position{}}
	if err := f.scanKeys(data); err != nil {
		return nil, err
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&f.cfg)
	var de *toml.DecodeError
	var se *toml.StrictMissingError
	switch {
	case errors.As(err, &se):
		e := se.Errors[0]
		row, col := e.Position()
		return nil, fmt.Errorf("%s:%d:%d: unknown key %q (`pageinbox config --default` lists them all)",
			path, row, col, strings.Join(e.Key(), "."))
	case errors.As(err, &de):
		row, col := de.Position()
		return nil, fmt.Errorf("%s:%d:%d: %s", path, row, col, typeError(de))
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// scanKeys records the line of every key and refuses secrets. A syntax
// error is left to the decoder, which reports it with its column.
func (f *loadedFile) scanKeys(data []byte) error {
	var p unstable.Parser
	p.Reset(data)
	var table []string
	var walk func(prefix []string, n *unstable.Node) error
	walk = func(prefix []string, n *unstable.Node) error {
		path, pos := keyPath(&p, prefix, n)
		if len(path) == 0 {
			return nil
		}
		name := strings.Join(path, ".")
		if _, ok := f.lines[name]; !ok {
			f.lines[name] = pos
		}
		last := strings.ToLower(path[len(path)-1])
		for _, w := range secretWords {
			if strings.Contains(last, w) {
				return fmt.Errorf("%s: %q: config.toml holds no secrets; page tokens, the app secret, the verify token and API tokens come from the environment (PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN, PAGEINBOX_API_TOKEN) or `pageinbox pages connect`",
					f.where(name), name)
			}
		}
		if n.Kind == unstable.KeyValue && n.Value().Kind == unstable.InlineTable {
			for it := n.Value().Children(); it.Next(); {
				if err := walk(path, it.Node()); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			path, _ := keyPath(&p, nil, e)
			table = path
			if err := walk(nil, e); err != nil {
				return err
			}
		case unstable.KeyValue:
			if err := walk(table, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// keyPath is n's dotted key under prefix, and where it starts.
func keyPath(p *unstable.Parser, prefix []string, n *unstable.Node) ([]string, position) {
	path := append([]string(nil), prefix...)
	var pos position
	for it := n.Key(); it.Next(); {
		k := it.Node()
		if pos.line == 0 {
			start := p.Shape(k.Raw).Start
			pos = position{start.Line, start.Column}
		}
		path = append(path, string(k.Data))
	}
	return path, pos
}

var decodeTypeError = regexp.MustCompile(`cannot decode TOML (\w+) into .*?([][a-z]+)$`)

// typeError says what a value of the wrong type should have been, in the
// file's terms rather than Go's.
func typeError(de *toml.DecodeError) string {
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	m := decodeTypeError.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := map[string]string{"string": "a string", "bool": "true or false", "[]string": "a list of strings"}[m[2]]
	if want == "" {
		want = `a table like { light = "63", dark = "111" }`
	}
	return fmt.Sprintf("%s: want %s, not a TOML %s", strings.Join(de.Key(), "."), want, m[1])
}
