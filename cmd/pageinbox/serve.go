package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/inbox"
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
	apiListen := fs.String("api-listen", defaultAPIListen,
		"`ADDR` of the API for attached TUIs (/ws, /metrics, /export)\nenv PAGEINBOX_API_LISTEN; default 127.0.0.1:8081; empty: no API")
	sshListen := fs.String("ssh-listen", "",
		"serve the TUI itself over SSH on `ADDR` (e.g. :2222) to the keys in --ssh-authorized-keys\nenv PAGEINBOX_SSH_LISTEN; default: off")
	sshKeys := fs.String("ssh-authorized-keys", "",
		"`FILE` of public keys allowed in over SSH; default $XDG_CONFIG_HOME/pageinbox/authorized_keys")
	apiPublic := fs.Bool("api-public", false,
		"allow --api-listen on a non-loopback address (put TLS in front: the API token travels in every request)")
	return func(ctx context.Context, env cmdEnv) error {
		cfg := env.cfg
		serveEnvDefaults(fs, cfg, apiListen, sshListen, sshKeys)
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
		if cfg.FaultCommit != "" {
			log.Warn("TEST FAULT INJECTOR ON: a commit will be made to fail (PAGEINBOX_FAULT_COMMIT)", "commit", cfg.FaultCommit)
		}
		if cfg.PageID != "" {
			if err := st.EnsurePages(ctx, []string{cfg.PageID}); err != nil {
				return err
			}
		}
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
		}
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		go stopOnStoreFailure(ctx, st, stop, log)
		svc := startService(ctx, cfg, st, log)
		defer func() { stop(); svc.Wait() }() // before the store closes
		h := webhook.New(st, webhook.Config{
			AppSecret:     cfg.AppSecret.Reveal(),
			VerifyToken:   cfg.VerifyToken.Reveal(),
			SkipSignature: *insecure,
			Logger:        log,
			Names:         svc.Names(),
		})
		showWebhook(svc, h, ln.Addr().String())
		if *journalKeep > 0 {
			go pruneJournal(ctx, st, *journalKeep, log)
		}
		var wg sync.WaitGroup
		if *apiListen != "" {
			withdraw, err := serveAPI(ctx, stop, &wg, cfg, *apiListen, *apiPublic, svc, st, h, log)
			if err != nil {
				return err
			}
			defer withdraw()
		}
		if *sshListen != "" {
			ss, err := newSSHServer(*sshListen, filepath.Join(cfg.DataDir, "ssh_host_ed25519"), *sshKeys, svc, log)
			if err != nil {
				return err
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := ss.Serve(ctx); err != nil {
					log.Error("SSH server stopped", "err", err)
				}
			}()
			log.Info("serving the inbox over SSH", "addr", ss.Addr(), "authorized_keys", *sshKeys)
		}
		log.Info("serving the Messenger webhook", "addr", ln.Addr().String(), "path", "/webhook", "data", st.Path())
		err = webhook.Serve(ctx, ln, h, log)
		stop()
		wg.Wait()
		log.Info("stopped", "events", h.Stats().Events)
		if ferr := st.Health(); errors.Is(ferr, store.ErrStoreFailed) {
			return fmt.Errorf("%w; exiting so the supervisor restarts on the last good state", ferr)
		}
		return err
	}
}

// defaultAPIListen is where serve offers /ws unless told otherwise.
const defaultAPIListen = "127.0.0.1:8081"

// serveEnvDefaults gives serve's flags that the environment can set their
// env value (config) when the command line did not set them.
func serveEnvDefaults(fs *flag.FlagSet, cfg config, apiListen, sshListen, sshKeys *string) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["api-listen"] && cfg.APIListen != "" {
		*apiListen = cfg.APIListen
	}
	if !given["ssh-listen"] {
		*sshListen = cfg.SSHListen
	}
	if !given["ssh-authorized-keys"] && cfg.ConfigDir != "" {
		*sshKeys = filepath.Join(cfg.ConfigDir, "pageinbox", "authorized_keys")
	}
}

// stopOnStoreFailure stops serve when a commit fails: the store writes
// nothing more, and a restart reopens the file on its last good state.
func stopOnStoreFailure(ctx context.Context, st *store.Store, stop func(), log *slog.Logger) {
	select {
	case <-ctx.Done():
	case <-st.Failed():
		log.Error("the store failed; stopping so the supervisor restarts on the last good state", "err", st.Health())
		stop()
	}
}

// serveAPI serves /ws, /metrics and the owner's endpoints on addr until
// ctx ends (a failure stops serve), and announces the daemon in the data
// dir; withdraw takes the announcement back.
func serveAPI(ctx context.Context, stop func(), wg *sync.WaitGroup, cfg config, addr string, public bool,
	svc *inbox.Service, st *store.Store, h *webhook.Handler, log *slog.Logger) (withdraw func(), err error) {
	ln, err := daemon.Listen(addr, public, log)
	if err != nil {
		return nil, err
	}
	token, err := daemon.APIToken(cfg.DataDir, true)
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := daemon.NewServer(svc, token, log)
	srv.AllowAgents(st)
	mux := http.NewServeMux()
	mux.Handle("/ws", srv)
	mux.Handle("/metrics", &daemon.Metrics{Hook: h, API: srv, Sends: svc.SendStats, Campaigns: svc.CampaignStats})
	(&daemon.Admin{Store: st, Server: srv, Names: svc.Names(), Scrub: scrubber, Token: token, Log: log}).Routes(mux)
	wg.Add(2)
	go func() { defer wg.Done(); srv.Run(ctx) }()
	go func() {
		defer wg.Done()
		if err := webhook.Serve(ctx, ln, mux, log); err != nil {
			log.Error("API server stopped", "err", err)
			stop()
		}
	}()
	url := "ws://" + daemon.Dialable(ln.Addr().String()) + "/ws"
	if err := daemon.Announce(cfg.DataDir, url); err != nil {
		return nil, err
	}
	log.Info("serving the API for attached TUIs", "url", url)
	return func() { daemon.Withdraw(cfg.DataDir) }, nil
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
