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
	if !cfg.PageAccessToken.IsSet() || cfg.PageAccessToken.Reveal() == "" {
		return nil, errors.New("PAGE_ACCESS_TOKEN is not set: get a Page access token with pages_messaging and export it")
	}
	return graphClient(cfg, newLogger(cfg)), nil
}

// graphClient is the Graph API client logging to log; nil without a token.
func graphClient(cfg config, log *slog.Logger) *fbgraph.Client {
	if cfg.PageAccessToken.Reveal() == "" {
		return nil
	}
	return fbgraph.New(fbgraph.Options{
		BaseURL:   cfg.GraphURL,
		Version:   cfg.GraphVersion,
		PageToken: cfg.PageAccessToken.Reveal(),
		AppSecret: cfg.AppSecret.Reveal(),
		Logger:    log,
	})
}

// startService starts the inbox in a process that owns the store (serve,
// the local TUI): the dispatcher and name lookups when there is a token.
func startService(ctx context.Context, cfg config, st *store.Store, log *slog.Logger) *inbox.Service {
	return inbox.Start(ctx, st, inbox.Options{Graph: graphClient(cfg, log), Agent: thisAgent(cfg), MarkSeen: cfg.MarkSeen,
		NoAutoAssign: cfg.NoAutoAssign, NoTyping: cfg.NoTyping, Logger: log, TokenWarning: expiryWarner(cfg)})
}

// showWebhook puts what the webhook served at addr has seen in the status.
func showWebhook(svc *inbox.Service, h *webhook.Handler, addr string) {
	svc.ServeWebhook(func() inbox.Webhook {
		hs := h.Stats()
		return inbox.Webhook{Addr: addr, Events: hs.Events, LastEvent: hs.LastEvent}
	})
}
