package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// setupServe owns the data dir: it receives Meta's webhook and stores
// every event before acknowledging it.
func setupServe(fs *flag.FlagSet) runFunc {
	insecure := fs.Bool("insecure-skip-signature", false,
		"accept webhook POSTs without a valid X-Hub-Signature-256 (local experiments only)")
	journalKeep := fs.Duration("journal-keep", 30*24*time.Hour,
		"`AGE` to keep raw webhook bodies for replay (0 keeps them forever)")
	return func(ctx context.Context, env cmdEnv) error {
		cfg := env.cfg
		log := newLogger(cfg)
		if cfg.AppSecret.Reveal() == "" && !*insecure {
			return errors.New("APP_SECRET is not set: without it webhook signatures cannot be checked " +
				"(set it, or pass --insecure-skip-signature for a local experiment)")
		}
		if *insecure {
			log.Warn("SIGNATURE CHECKS ARE OFF: anyone who can reach this address can inject messages (--insecure-skip-signature)")
		}
		if cfg.VerifyToken.Reveal() == "" {
			log.Warn("VERIFY_TOKEN is not set: Meta's webhook verification (GET /webhook) will be refused")
		}
		st, err := openStore(cfg, "serve", time.Second)
		if err != nil {
			return err
		}
		defer st.Close()
		if cfg.PageID != "" {
			if err := st.EnsurePages(ctx, []string{cfg.PageID}); err != nil {
				return err
			}
		}
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
		}
		h := webhook.New(st, webhook.Config{
			AppSecret:     cfg.AppSecret.Reveal(),
			VerifyToken:   cfg.VerifyToken.Reveal(),
			SkipSignature: *insecure,
			Logger:        log,
		})
		if *journalKeep > 0 {
			go pruneJournal(ctx, st, *journalKeep, log)
		}
		log.Info("serving the Messenger webhook", "addr", ln.Addr().String(), "path", "/webhook", "data", st.Path())
		err = webhook.Serve(ctx, ln, h, log)
		log.Info("stopped", "events", h.Stats().Events)
		return err
	}
}

// pruneJournal drops raw webhook bodies older than keep, hourly.
func pruneJournal(ctx context.Context, st *store.Store, keep time.Duration, log interface {
	Info(string, ...any)
	Error(string, ...any)
}) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := st.PruneJournal(ctx, st.Now().Add(-keep))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("pruning the webhook journal failed", "err", err)
		case n > 0:
			log.Info("pruned the webhook journal", "bodies", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
