package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/tui/inert"
)

const pagesUsage = "usage: pageinbox pages connect [--all | --page ID ...] | pages list [--json] [--check] | pages remove ID"

// pageIDs is a repeatable --page flag.
type pageIDs []string

func (p *pageIDs) String() string { return strings.Join(*p, ",") }
func (p *pageIDs) Set(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return errors.New("empty Page id")
	}
	*p = append(*p, v)
	return nil
}

// pagesFlags are the flags of every pages verb.
type pagesFlags struct {
	fs     *flag.FlagSet
	all    bool
	pages  pageIDs
	json   bool
	check  bool
	now    func() time.Time
	isTerm func() bool // stdin is a terminal: prompt without echo
}

// setupPages connects Pages from a user token, lists and removes them.
// Their tokens live in the secrets file (pagesfile.go).
func setupPages(fs *flag.FlagSet) runFunc {
	f := &pagesFlags{fs: fs, now: time.Now, isTerm: stdinIsTerminal}
	fs.BoolVar(&f.all, "all", false, "connect: every Page the user manages, without asking")
	fs.Var(&f.pages, "page", "connect: the Page `ID` to connect, without asking (repeatable)")
	fs.BoolVar(&f.json, "json", false, "list: one JSON object per line (never a token)")
	fs.BoolVar(&f.check, "check", false, "list: ask Meta (debug_token) about each token first; needs APP_ID and APP_SECRET")
	return func(ctx context.Context, env cmdEnv) error {
		pos, err := (&teamFlags{fs: fs}).args(env.args)
		if err != nil {
			return err
		}
		if len(pos) == 0 {
			return errors.New(pagesUsage)
		}
		path, err := pagesFilePath(env.cfg)
		if err != nil {
			return err
		}
		switch {
		case pos[0] == "connect" && len(pos) == 1:
			return runConnect(ctx, env, f, path)
		case pos[0] == "list" && len(pos) == 1:
			return runPagesList(ctx, env, f, path)
		case pos[0] == "remove" && len(pos) == 2:
			return runPagesRemove(ctx, env, path, pos[1])
		}
		return errors.New(pagesUsage)
	}
}

// pageJSON is a Page as `pages list --json` prints it: everything but the
// token.
type pageJSON struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	TokenState        string    `json:"token_state"`
	Expires           time.Time `json:"token_expires_at,omitzero"`
	DataAccessExpires time.Time `json:"data_access_expires_at,omitzero"`
	Scopes            []string  `json:"scopes"`
	MissingScopes     []string  `json:"missing_scopes"`
	Fields            []string  `json:"subscribed_fields"`
	ConnectedAt       time.Time `json:"connected_at"`
	CheckedAt         time.Time `json:"checked_at,omitzero"`
}

func runPagesList(ctx context.Context, env cmdEnv, f *pagesFlags, path string) error {
	pages, err := loadPages(path)
	if err != nil {
		return err
	}
	if f.check && len(pages) > 0 {
		if pages, err = checkPages(ctx, env, f, pages); err != nil {
			return err
		}
		err = updatePages(path, func(now []connectedPage) ([]connectedPage, error) {
			for _, p := range pages { // the Pages still there with the token checked
				if i := slices.IndexFunc(now, func(q connectedPage) bool { return q.ID == p.ID }); i >= 0 &&
					now[i].Token.Reveal() == p.Token.Reveal() {
					now[i] = p
				}
			}
			return now, nil
		})
		if err != nil {
			return err
		}
	}
	if len(pages) == 0 {
		fmt.Fprintln(env.stderr, "no Pages connected (pageinbox pages connect)")
		return nil
	}
	now := f.now()
	if f.json {
		for _, p := range pages {
			state, _ := p.tokenState(now)
			var missing []string
			for _, m := range missingScopes(requiredScopes, p.Scopes) {
				missing = append(missing, m.name)
			}
			if err := writeJSONLine(env.stdout, pageJSON{ID: p.ID, Name: p.Name, TokenState: state,
				Expires: p.Expires, DataAccessExpires: p.DataAccessExpires, Scopes: p.Scopes, MissingScopes: missing,
				Fields: p.Fields, ConnectedAt: p.ConnectedAt, CheckedAt: p.CheckedAt}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTOKEN\tEXPIRES\tSUBSCRIBED")
	for _, p := range pages {
		state, _ := p.tokenState(now)
		fields := strings.Join(p.Fields, ",")
		if fields == "" {
			fields = "none"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inert.Line(p.ID), inert.Line(p.Name), state, p.expiryText(), inert.Line(fields))
	}
	return tw.Flush()
}

// checkPages asks debug_token about every Page's token.
func checkPages(ctx context.Context, env cmdEnv, f *pagesFlags, pages []connectedPage) ([]connectedPage, error) {
	app, err := appCredentials(env.cfg)
	if err != nil {
		return nil, err
	}
	gc := fbgraph.New(fbgraph.Options{BaseURL: env.cfg.GraphURL, Version: env.cfg.GraphVersion, MaxAttempts: 1})
	for i := range pages {
		info, err := gc.DebugToken(ctx, app, pages[i].Token.Reveal())
		if err != nil {
			return nil, fmt.Errorf("checking Page %s: %w", pages[i].ID, scrubbed(err, pages[i].Token, env.cfg.AppSecret))
		}
		pages[i].applyTokenInfo(info, f.now())
		warnScopes(env, pages[i])
	}
	return pages, nil
}

// runPagesRemove unsubscribes the app from the Page's webhooks with the
// Page's own token, then forgets the Page and its token. The Page is
// forgotten even when Meta cannot be reached or refuses: the warning says
// how to stop its webhooks by hand.
func runPagesRemove(ctx context.Context, env cmdEnv, path, id string) error {
	pages, err := loadPages(path)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(pages, func(p connectedPage) bool { return p.ID == id })
	if i < 0 {
		return fmt.Errorf("no Page %s connected (connected: %s)", inert.Line(id), pageNames(pages))
	}
	p := pages[i]
	graph := fbgraph.New(fbgraph.Options{BaseURL: env.cfg.GraphURL, Version: env.cfg.GraphVersion,
		PageToken: p.Token.Reveal(), AppSecret: env.cfg.AppSecret.Reveal(), MaxAttempts: 2})
	unsubErr := graph.Unsubscribe(ctx, p.ID)
	err = updatePages(path, func(pages []connectedPage) ([]connectedPage, error) {
		return slices.DeleteFunc(pages, func(q connectedPage) bool { return q.ID == id }), nil
	})
	if err != nil {
		return err
	}
	name := inert.Line(p.Name)
	if unsubErr != nil {
		fmt.Fprintf(env.stderr, "Meta still sends the webhooks of %s: unsubscribing failed: %s\n"+
			"  remove the app in the Page's settings (Business integrations), or in the app dashboard's Webhooks\n",
			name, inert.String(scrubbed(unsubErr, p.Token).Error()))
	}
	fmt.Fprintf(env.stdout, "removed Page %s (%s); its token is forgotten, its conversations stay in the data file\n", name, inert.Line(id))
	if unsubErr == nil {
		fmt.Fprintf(env.stdout, "the app no longer receives its webhooks\n")
	}
	return nil
}

// pageNames lists Pages as "Name (id), ..." for errors.
func pageNames(pages []connectedPage) string {
	if len(pages) == 0 {
		return "none"
	}
	var names []string
	for _, p := range pages {
		names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ID))
	}
	return strings.Join(names, ", ")
}
