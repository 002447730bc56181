package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// newGraphClient is the Graph API client for the configured Page token.
func newGraphClient(cfg config) (*fbgraph.Client, error) {
	if !cfg.PageAccessToken.IsSet() || cfg.PageAccessToken.Reveal() == "" {
		return nil, errors.New("PAGE_ACCESS_TOKEN is not set: get a Page access token with pages_messaging and export it")
	}
	return fbgraph.New(fbgraph.Options{
		BaseURL:   cfg.GraphURL,
		Version:   cfg.GraphVersion,
		PageToken: cfg.PageAccessToken.Reveal(),
		AppSecret: cfg.AppSecret.Reveal(),
		Logger:    newLogger(cfg),
	}), nil
}

// resolvePage finds the Page to work on: PAGE_ID, else the only page the
// store knows, else the token's own Page (GET /me).
func resolvePage(ctx context.Context, cfg config, st *store.Store, gc *fbgraph.Client) (string, error) {
	if cfg.PageID != "" {
		return cfg.PageID, nil
	}
	if st != nil {
		pages, err := st.Pages(ctx)
		if err != nil {
			return "", err
		}
		if len(pages) == 1 {
			return pages[0].ID, nil
		}
	}
	if gc == nil {
		return "", errors.New("which Page? set PAGE_ID")
	}
	me, err := gc.Me(ctx)
	if err != nil {
		return "", fmt.Errorf("learning the Page from the token: %w", err)
	}
	return me.ID, nil
}
