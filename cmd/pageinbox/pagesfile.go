package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The secrets file holds the Pages `pages connect` connected, with their
// tokens: <config dir>/pageinbox/pages.json, 0600 in a 0700 directory,
// replaced whole (temp file + rename) so a crash leaves the old or the new
// file, never half of one.

// connectedPage is one Page of the secrets file. Its token is a secret, so
// printing a connectedPage never shows it.
type connectedPage struct {
	ID, Name string
	Token    secret
	// Expires is when the token stops working, DataAccessExpires when the
	// app's access to the user's data lapses (debug_token); zero: never.
	Expires, DataAccessExpires time.Time
	Scopes                     []string // permissions the token carries
	Refused                    bool     // Meta said the token is not valid at the last check
	Fields                     []string // webhook fields the app is subscribed to
	ConnectedAt, CheckedAt     time.Time
}

// pageRecord is a connectedPage as stored: the only type with the token
// in the clear. It never leaves this file.
type pageRecord struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	Token             string    `json:"token"`
	Expires           time.Time `json:"token_expires_at,omitzero"`
	DataAccessExpires time.Time `json:"data_access_expires_at,omitzero"`
	Scopes            []string  `json:"scopes"`
	Refused           bool      `json:"refused,omitempty"`
	Fields            []string  `json:"subscribed_fields"`
	ConnectedAt       time.Time `json:"connected_at"`
	CheckedAt         time.Time `json:"checked_at,omitzero"`
}

// maxPagesFile bounds what loadPages reads: thousands of Pages fit.
const maxPagesFile = 4 << 20

type pagesDoc struct {
	Pages []pageRecord `json:"pages"`
}

// pagesFilePath is where the secrets file lives.
func pagesFilePath(cfg config) (string, error) {
	if cfg.ConfigDir == "" {
		return "", errors.New("no config dir for the Pages file: set XDG_CONFIG_HOME or HOME")
	}
	return filepath.Join(cfg.ConfigDir, "pageinbox", "pages.json"), nil
}

// loadPages reads the secrets file; a missing file is no Pages. A file
// others may read is refused: its tokens may already have leaked, and
// using it would hide that.
func loadPages(path string) ([]connectedPage, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pages file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pages file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("pages file %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("pages file %s has mode %04o: it holds Page tokens and must be private to you; "+
			"check who could read it, then chmod 600 %s (and get new tokens if in doubt)", path, perm, path)
	}
	// Unknown fields are kept out but accepted: a newer pageinbox may add some.
	var doc pagesDoc
	data, err := io.ReadAll(io.LimitReader(f, maxPagesFile+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("pages file: %w", err)
	case len(data) > maxPagesFile:
		return nil, fmt.Errorf("pages file %s is over %d bytes: not one pageinbox wrote; move it aside", path, maxPagesFile)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("pages file %s is damaged (%v): fix or remove it, then run pageinbox pages connect", path, err)
	}
	pages := make([]connectedPage, 0, len(doc.Pages))
	for i, r := range doc.Pages {
		if r.ID == "" || r.Token == "" {
			return nil, fmt.Errorf("pages file %s is damaged: Page %d has no id or no token; fix or remove it", path, i+1)
		}
		pages = append(pages, connectedPage{ID: r.ID, Name: r.Name, Token: newSecret(r.Token),
			Expires: r.Expires, DataAccessExpires: r.DataAccessExpires, Scopes: r.Scopes, Refused: r.Refused,
			Fields: r.Fields, ConnectedAt: r.ConnectedAt, CheckedAt: r.CheckedAt})
	}
	return pages, nil
}

// savePages replaces the secrets file with pages.
func savePages(path string, pages []connectedPage) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pages file: %w", err)
	}
	doc := pagesDoc{Pages: []pageRecord{}}
	for _, p := range pages {
		doc.Pages = append(doc.Pages, pageRecord{ID: p.ID, Name: p.Name, Token: p.Token.Reveal(),
			Expires: p.Expires, DataAccessExpires: p.DataAccessExpires, Scopes: p.Scopes, Refused: p.Refused,
			Fields: p.Fields, ConnectedAt: p.ConnectedAt, CheckedAt: p.CheckedAt})
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("pages file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".pages-*.json") // 0600
	if err != nil {
		return fmt.Errorf("pages file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("pages file %s not written: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// upsertPage puts p in pages in place of the Page with its id, or last.
func upsertPage(pages []connectedPage, p connectedPage) []connectedPage {
	if i := slices.IndexFunc(pages, func(q connectedPage) bool { return q.ID == p.ID }); i >= 0 {
		pages[i] = p
		return pages
	}
	return append(pages, p)
}

// addPagesFile adds the secrets file's Pages to cfg.PageTokens, after
// those of the environment: PAGE_ACCESS_TOKEN (+PAGE_ID) stands for its
// Page, so the file's entry for the same Page (same id, or same token) is
// left out. No config dir or no file: nothing to add.
func (c *config) addPagesFile() error {
	path, err := pagesFilePath(*c)
	if err != nil {
		return nil
	}
	pages, err := loadPages(path)
	if err != nil {
		return err
	}
	for _, p := range pages {
		if slices.ContainsFunc(c.PageTokens, func(e pageToken) bool {
			return (e.ID != "" && e.ID == p.ID) || e.Token.Reveal() == p.Token.Reveal()
		}) {
			continue
		}
		c.PageTokens = append(c.PageTokens, pageToken{ID: p.ID, Name: p.Name, Token: p.Token})
	}
	return nil
}

// withPagesFile adds the secrets file's Pages to the configuration of the
// command name ("" is the TUI), before its Page is picked. A bad file
// stops the command (exit 1), except doctor, which reports it among its
// checks. Commands that use no Page token do not read it: pages manages
// the file itself, demo uses the emulator's Page, and completion, config
// and healthcheck have no use for tokens (a file damaged after serve
// started must not fail its health check).
func withPagesFile(name string, cfg *config) error {
	switch name {
	case "pages", "demo", "completion", "config", "healthcheck":
		return nil
	}
	if err := cfg.addPagesFile(); err != nil && name != "doctor" {
		return &exitStatus{code: exitError, err: err}
	}
	return nil
}

// updatePages applies change to the secrets file as it is now, under its
// lock: what another pages command wrote meanwhile is kept.
func updatePages(path string, change func([]connectedPage) ([]connectedPage, error)) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("pages file: %w", err)
	}
	unlock, err := lockPagesFile(path)
	if err != nil {
		return err
	}
	defer unlock()
	pages, err := loadPages(path)
	if err != nil {
		return err
	}
	if pages, err = change(pages); err != nil {
		return err
	}
	return savePages(path, pages)
}
