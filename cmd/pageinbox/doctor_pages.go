package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// pageTokens checks the token of every Page: those of the secrets file
// and PAGE_ACCESS_TOKEN's. With APP_ID and APP_SECRET it asks Meta
// (debug_token); else it goes by what `pages connect` recorded. An
// expired or refused token fails, one that expires within expiryWarning
// or lacks a permission is a warning.
func (c *checklist) pageTokens(ctx context.Context, cfg config, now time.Time) {
	pages, ok := c.pagesFile(cfg)
	if !ok {
		return
	}
	if cfg.PageAccessToken.IsSet() && !containsToken(pages, cfg.PageAccessToken) {
		pages = append([]connectedPage{{ID: cfg.PageID, Name: "PAGE_ACCESS_TOKEN", Token: cfg.PageAccessToken}}, pages...)
	}
	app, appErr := appCredentials(cfg)
	gc := fbgraph.New(fbgraph.Options{BaseURL: cfg.GraphURL, Version: cfg.GraphVersion, MaxAttempts: 1})
	for _, p := range pages {
		label := strings.TrimSpace(p.Name + " " + p.ID)
		if appErr == nil {
			info, err := gc.DebugToken(ctx, app, p.Token.Reveal())
			if err != nil {
				c.warn("Page "+label+": debug_token failed: "+scrubbed(err, p.Token, cfg.AppSecret).Error(), "")
				continue
			}
			p.applyTokenInfo(info, now)
		} else if p.CheckedAt.IsZero() {
			continue // nothing known: the Graph check below tries the token
		}
		c.pageToken(p, label, now)
	}
}

// pagesFile reads the secrets file; a bad one fails the check.
func (c *checklist) pagesFile(cfg config) ([]connectedPage, bool) {
	path, err := pagesFilePath(cfg)
	if err != nil {
		return nil, true
	}
	pages, err := loadPages(path)
	if err != nil {
		c.check(false, err.Error(), "")
		return nil, false
	}
	if len(pages) > 0 {
		c.check(true, fmt.Sprintf("pages file %s: %d Page%s (%s)", path, len(pages), plural(len(pages)), pageNames(pages)), "")
	}
	return pages, true
}

// pageToken reports one Page's token state and missing permissions.
func (c *checklist) pageToken(p connectedPage, label string, now time.Time) {
	fix := "connect it again with a fresh user token: pageinbox pages connect --page " + p.ID
	state, warn := p.tokenState(now)
	switch {
	case state == "expired" || state == "refused":
		c.check(false, fmt.Sprintf("Page %s: token %s (expiry %s)", label, state, p.expiryText()), fix)
	case warn:
		c.warn(fmt.Sprintf("Page %s: token %s (%s)", label, state, p.expiryText()), fix)
	default:
		c.check(true, fmt.Sprintf("Page %s: token ok, expires %s", label, p.expiryText()), "")
	}
	for _, m := range missingScopes(requiredScopes, p.Scopes) {
		c.warn(fmt.Sprintf("Page %s: the token lacks the permission %s: %s", label, m.name, m.why),
			"grant it when connecting the Page (App Review for Live apps)")
	}
}

// warn prints a warning line: not a failure, but something to act on.
func (c *checklist) warn(what, fix string) {
	fmt.Fprintf(c.w, "[warn] %s\n", inert.String(what))
	if fix != "" {
		fmt.Fprintf(c.w, "       fix: %s\n", inert.String(fix))
	}
}

func containsToken(pages []connectedPage, tok secret) bool {
	for _, p := range pages {
		if p.Token.Reveal() == tok.Reveal() {
			return true
		}
	}
	return false
}
