package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/term"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/tui/inert"
)

func stdinIsTerminal() bool { return term.IsTerminal(os.Stdin.Fd()) }

// appCredentials are APP_ID and APP_SECRET, which the exchange and
// debug_token are made with.
func appCredentials(cfg config) (fbgraph.App, error) {
	if cfg.AppID == "" || !cfg.AppSecret.IsSet() {
		return fbgraph.App{}, errors.New("APP_ID and APP_SECRET must be set (App Dashboard > Settings > Basic)")
	}
	return fbgraph.App{ID: cfg.AppID, Secret: cfg.AppSecret.Reveal()}, nil
}

// runConnect exchanges a user token for a long-lived one, lets the user
// pick among the Pages it manages, subscribes the app to each and stores
// each Page's token in the secrets file.
func runConnect(ctx context.Context, env cmdEnv, f *pagesFlags, path string) error {
	app, err := appCredentials(env.cfg)
	if err != nil {
		return err
	}
	if _, err := loadPages(path); err != nil { // a bad file stops us before any call to Meta
		return err
	}
	in, isTerm := env.stdin, false
	if in == nil {
		in, isTerm = os.Stdin, f.isTerm()
	}
	lines := bufio.NewReader(in)
	user, err := readUserToken(env, lines, isTerm)
	if err != nil {
		return err
	}
	graph := func(token string) *fbgraph.Client {
		return fbgraph.New(fbgraph.Options{BaseURL: env.cfg.GraphURL, Version: env.cfg.GraphVersion,
			PageToken: token, AppSecret: env.cfg.AppSecret.Reveal(), MaxAttempts: 2})
	}
	long, err := longLivedToken(ctx, env, graph(user.Reveal()), app, user)
	if err != nil {
		return err
	}
	accounts, err := graph(long.Reveal()).Accounts(ctx)
	if err != nil {
		return fmt.Errorf("listing the user's Pages (/me/accounts): %w", scrubbed(err, user, long))
	}
	picked, err := pickPages(env, f, accounts, lines)
	if err != nil {
		return err
	}
	var failed []string
	var done []connectedPage
	for _, a := range picked {
		p, err := connectPage(ctx, env, f, graph(a.AccessToken), app, a)
		if err != nil {
			failed = append(failed, a.ID)
			fmt.Fprintf(env.stderr, "Page %s (%s): %s\n", inert.Line(a.Name), a.ID,
				inert.String(scrubbed(err, newSecret(a.AccessToken), long).Error()))
		}
		done = append(done, p)
	}
	err = updatePages(path, func(pages []connectedPage) ([]connectedPage, error) {
		for _, p := range done {
			pages = upsertPage(pages, p)
		}
		return pages, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%d Page%s stored in %s\n", len(picked), plural(len(picked)), path)
	if len(failed) > 0 {
		return fmt.Errorf("%d Page%s not subscribed to the webhook (%s): their tokens are stored; fix the cause above and run pages connect again",
			len(failed), plural(len(failed)), strings.Join(failed, ", "))
	}
	return nil
}

// longLivedToken exchanges user for a long-lived token. A token the
// exchange refuses but that Meta says is valid and never expires (a
// system user's) is used as it is.
func longLivedToken(ctx context.Context, env cmdEnv, gc *fbgraph.Client, app fbgraph.App, user secret) (secret, error) {
	ll, err := gc.ExchangeToken(ctx, app)
	if err == nil {
		return newSecret(ll.Token), nil
	}
	if info, derr := gc.DebugToken(ctx, app, user.Reveal()); derr == nil && info.Valid && info.Expires.IsZero() {
		fmt.Fprintf(env.stderr, "note: the token does not expire (a %s token) and was not exchanged: used as it is\n",
			strings.ToLower(strings.ReplaceAll(cmp.Or(info.Type, "system user"), "_", " ")))
		return user, nil
	}
	return secret{}, fmt.Errorf("exchanging the user token for a long-lived one: %w", scrubbed(err, user, env.cfg.AppSecret))
}

// connectPage subscribes the app to the Page's webhook fields and checks
// its token; the Page comes back even when that fails, to be stored.
func connectPage(ctx context.Context, env cmdEnv, f *pagesFlags, gc *fbgraph.Client, app fbgraph.App, a fbgraph.Account) (connectedPage, error) {
	now := f.now()
	p := connectedPage{ID: a.ID, Name: a.Name, Token: newSecret(a.AccessToken), ConnectedAt: now}
	if info, err := gc.DebugToken(ctx, app, a.AccessToken); err != nil {
		fmt.Fprintf(env.stderr, "warning: Page %s (%s): debug_token failed, expiry and permissions unknown: %s\n",
			inert.Line(a.Name), a.ID, inert.String(scrubbed(err, p.Token).Error()))
	} else {
		p.applyTokenInfo(info, now)
		warnScopes(env, p)
	}
	if err := gc.Subscribe(ctx, a.ID, connectFields); err != nil {
		return p, fmt.Errorf("subscribing the app to the webhook fields: %w", err)
	}
	p.Fields = slices.Clone(connectFields)
	state, _ := p.tokenState(now)
	fmt.Fprintf(env.stdout, "connected Page %s (%s): token %s, expires %s; subscribed to %s\n",
		inert.Line(p.Name), p.ID, state, p.expiryText(), strings.Join(p.Fields, ","))
	return p, nil
}

// warnScopes names each permission the Page's token lacks, and an
// expiry near or past.
func warnScopes(env cmdEnv, p connectedPage) {
	for _, m := range missingScopes(requiredScopes, p.Scopes) {
		fmt.Fprintf(env.stderr, "warning: Page %s (%s): the token lacks the permission %s: %s\n",
			inert.Line(p.Name), p.ID, m.name, m.why)
	}
	for _, m := range missingScopes(optionalScopes, p.Scopes) {
		fmt.Fprintf(env.stderr, "note: Page %s (%s): the token lacks %s: %s\n", inert.Line(p.Name), p.ID, m.name, m.why)
	}
	if state, warn := p.tokenState(p.CheckedAt); warn {
		fmt.Fprintf(env.stderr, "warning: Page %s (%s): token %s (%s)\n", inert.Line(p.Name), p.ID, state, p.expiryText())
	}
}

// readUserToken is FB_USER_TOKEN, else the first line of stdin (read
// without echo from a terminal).
func readUserToken(env cmdEnv, lines *bufio.Reader, isTerm bool) (secret, error) {
	if env.cfg.FBUserToken.IsSet() {
		return env.cfg.FBUserToken, nil
	}
	var raw string
	if isTerm {
		fmt.Fprint(env.stderr, "User access token (not shown): ")
		b, err := term.ReadPassword(os.Stdin.Fd())
		fmt.Fprintln(env.stderr)
		if err != nil {
			return secret{}, fmt.Errorf("reading the token: %w", err)
		}
		raw = string(b)
	} else {
		line, err := lines.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return secret{}, fmt.Errorf("reading the token from stdin: %w", err)
		}
		raw = line
	}
	tok := strings.TrimSpace(raw)
	if tok == "" {
		return secret{}, errors.New("no user access token: pipe one on stdin or set FB_USER_TOKEN (never a flag: flags show in ps)")
	}
	if strings.ContainsAny(tok, " \t") {
		return secret{}, errors.New("the user access token has spaces in it: paste the token alone")
	}
	return newSecret(tok), nil
}

// pickPages is --all, the --page ids, or the numbers typed at a prompt.
func pickPages(env cmdEnv, f *pagesFlags, accounts []fbgraph.Account, lines *bufio.Reader) ([]fbgraph.Account, error) {
	if len(accounts) == 0 {
		return nil, errors.New("the token's user manages no Pages (or the token lacks pages_show_list)")
	}
	switch {
	case f.all && len(f.pages) > 0:
		return nil, errors.New("--all and --page: give one or the other")
	case f.all:
		return accounts, nil
	case len(f.pages) > 0:
		var out []fbgraph.Account
		for _, id := range f.pages {
			i := slices.IndexFunc(accounts, func(a fbgraph.Account) bool { return a.ID == id })
			if i < 0 {
				return nil, fmt.Errorf("the user does not manage Page %s; they manage: %s", inert.Line(id), accountNames(accounts))
			}
			out = append(out, accounts[i])
		}
		return out, nil
	}
	for i, a := range accounts {
		fmt.Fprintf(env.stdout, "%3d  %s (%s)\n", i+1, inert.Line(a.Name), a.ID)
	}
	fmt.Fprint(env.stdout, "Pages to connect (numbers like 1,3, or all): ")
	line, err := lines.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		return nil, errors.New("no Pages picked: type numbers at the prompt, or use --all or --page ID")
	}
	return parsePick(line, accounts)
}

// parsePick reads "1,3", "1 3" or "all".
func parsePick(line string, accounts []fbgraph.Account) ([]fbgraph.Account, error) {
	line = strings.TrimSpace(line)
	if strings.EqualFold(line, "all") {
		return accounts, nil
	}
	var out []fbgraph.Account
	for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > len(accounts) {
			return nil, fmt.Errorf("%q is not a number from 1 to %d", inert.Line(w), len(accounts))
		}
		if a := accounts[n-1]; !slices.ContainsFunc(out, func(b fbgraph.Account) bool { return b.ID == a.ID }) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no Pages picked")
	}
	return out, nil
}

func accountNames(accounts []fbgraph.Account) string {
	var names []string
	for _, a := range accounts {
		names = append(names, fmt.Sprintf("%s (%s)", inert.Line(a.Name), a.ID))
	}
	return strings.Join(names, ", ")
}

// scrubbed is err with every secret's text cut out: Meta's messages are
// not ours, and a token must not reach the screen through one.
func scrubbed(err error, secrets ...secret) error {
	msg := err.Error()
	for _, s := range secrets {
		if v := s.Reveal(); len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}
