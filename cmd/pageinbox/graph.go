package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// newGraphClient is the Graph API client for the configured Page token.
func newGraphClient(cfg config) (*fbgraph.Client, error) {
	gc := graphClient(cfg, newLogger(cfg))
	if gc == nil {
		return nil, errors.New("PAGE_ACCESS_TOKEN is not set: get a Page access token with pages_messaging and export it")
	}
	return gc, nil
}

// graphClient is the Graph API client logging to log; nil without a token.
func graphClient(cfg config, log *slog.Logger) *fbgraph.Client {
	tok := cfg.PageAccessToken
	if p, ok := cfg.pageByID(cfg.PageID); ok && p.Token.Reveal() != "" {
		tok = p.Token // the Page the command acts on (pickPage)
	} else if tok.Reveal() == "" && len(cfg.PageTokens) == 1 {
		tok = cfg.PageTokens[0].Token // the one Page of another source
	}
	if tok.Reveal() == "" {
		return nil
	}
	return clientFor(cfg, tok, log)
}

// clientFor is the Graph API client of one Page token.
func clientFor(cfg config, token secret, log *slog.Logger) *fbgraph.Client {
	return fbgraph.New(fbgraph.Options{
		BaseURL:   cfg.GraphURL,
		Version:   cfg.GraphVersion,
		PageToken: token.Reveal(),
		AppSecret: cfg.AppSecret.Reveal(),
		Logger:    log,
	})
}

// graphPages is a client per connected Page (config.PageTokens).
func graphPages(cfg config, log *slog.Logger) *fbgraph.Pages {
	p := fbgraph.NewPages()
	for _, pt := range cfg.PageTokens {
		if pt.Token.Reveal() != "" {
			p.Add(pt.ID, clientFor(cfg, pt.Token, log))
		}
	}
	return p
}

// connectedPages is the webhook's test for a connected Page: nil (every
// Page) unless the connected Pages are known by id.
func connectedPages(cfg config) func(string) bool {
	for _, pt := range cfg.PageTokens {
		if pt.ID == "" {
			return nil // a token whose Page is not named may be any Page
		}
	}
	if len(cfg.PageTokens) == 0 {
		return nil
	}
	return func(id string) bool { _, ok := cfg.pageByID(id); return ok }
}

// startService starts the inbox in a process that owns the store (serve,
// the local TUI): the dispatcher and name lookups when there is a token.
func startService(ctx context.Context, cfg config, st *store.Store, log *slog.Logger) *inbox.Service {
	var pages *fbgraph.Pages
	if len(cfg.PageTokens) > 1 {
		pages = graphPages(cfg, log)
	}
	return inbox.Start(ctx, st, inbox.Options{Graph: graphClient(cfg, log), Pages: pages, Agent: thisAgent(cfg), MarkSeen: cfg.MarkSeen,
		NoAutoAssign: cfg.NoAutoAssign, NoTyping: cfg.NoTyping, Logger: log, TokenWarning: expiryWarner(cfg)})
}

// showWebhook puts what the webhook served at addr has seen in the status.
func showWebhook(svc *inbox.Service, h *webhook.Handler, addr string) {
	svc.ServeWebhook(func() inbox.Webhook {
		hs := h.Stats()
		return inbox.Webhook{Addr: addr, Events: hs.Events, LastEvent: hs.LastEvent, Unconnected: unconnectedText(h.UnconnectedPages())}
	})
}
