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

// serveFlags are serve's own flags once parsed.
type serveFlags struct {
	insecure                      bool
	journalKeep                   time.Duration
	apiListen, sshListen, sshKeys string
	metricsListen                 string
	apiPublic                     bool
	ssh                           sshOptions
	given                         map[string]bool // flags on the command line
}

// defaultAPIListen is where serve offers /ws unless told otherwise.
const defaultAPIListen = "127.0.0.1:8081"

// setupServe owns the data dir: it receives Meta's webhook and stores
// every event before acknowledging it.
func setupServe(fs *flag.FlagSet) runFunc {
	f := &serveFlags{}
	fs.BoolVar(&f.insecure, "insecure-skip-signature", false,
		"accept webhook POSTs without a valid X-Hub-Signature-256 (local experiments only)")
	fs.DurationVar(&f.journalKeep, "journal-keep", 30*24*time.Hour,
		"`AGE` to keep raw webhook bodies for replay (0 keeps them forever)")
	fs.StringVar(&f.apiListen, "api-listen", defaultAPIListen,
		"`ADDR` of the API for attached TUIs (/ws, /metrics, /export)\nenv PAGEINBOX_API_LISTEN; default 127.0.0.1:8081; empty: no API")
	fs.StringVar(&f.sshListen, "ssh-listen", "",
		"serve the TUI itself over SSH on `ADDR` (e.g. :2222) to the keys in --ssh-authorized-keys\nenv PAGEINBOX_SSH_LISTEN; default: off")
	fs.StringVar(&f.sshKeys, "ssh-authorized-keys", "",
		"`FILE` of public keys allowed in over SSH; default $XDG_CONFIG_HOME/pageinbox/authorized_keys")
	fs.BoolVar(&f.apiPublic, "api-public", false,
		"allow --api-listen on a non-loopback address (put TLS in front: the API token travels in every request)")
	fs.DurationVar(&f.ssh.LoginTimeout, "ssh-login-timeout", defaultSSHLoginTimeout,
		"close an SSH connection that has not logged in and opened a session within `D`")
	fs.IntVar(&f.ssh.MaxSessions, "ssh-max-sessions", defaultSSHMaxSessions,
		"serve at most `N` SSH sessions at once; more are refused with a message")
	fs.IntVar(&f.ssh.MaxUnauthenticated, "ssh-max-unauthenticated", defaultSSHMaxUnauthenticated,
		"let at most `N` SSH connections be logging in at once; more are turned away")
	fs.StringVar(&f.metricsListen, "metrics-listen", "",
		"serve /metrics without a token on `ADDR` (a bare :port is loopback); on the API listener it takes the API token as a bearer\nenv PAGEINBOX_METRICS_LISTEN; default: off")
	return func(ctx context.Context, env cmdEnv) error {
		f.given = map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
		f.fromEnv(env.cfg)
		return runServe(ctx, env.cfg, f)
	}
}

// fromEnv gives the flags the environment can set their env value
// (config) when the command line did not set them.
func (f *serveFlags) fromEnv(cfg config) {
	if !f.given["api-listen"] && cfg.APIListen != "" {
		f.apiListen = cfg.APIListen
	}
	if !f.given["ssh-listen"] {
		f.sshListen = cfg.SSHListen
	}
	if !f.given["metrics-listen"] {
		f.metricsListen = cfg.MetricsListen
	}
	if !f.given["ssh-authorized-keys"] && cfg.ConfigDir != "" {
		f.sshKeys = filepath.Join(cfg.ConfigDir, "pageinbox", "authorized_keys")
	}
}

// check refuses settings serve cannot run with, before anything starts.
func (f *serveFlags) check(cfg config, log *slog.Logger) error {
	if f.ssh.LoginTimeout <= 0 || f.ssh.MaxSessions < 1 || f.ssh.MaxUnauthenticated < 1 {
		return errors.New("--ssh-login-timeout, --ssh-max-sessions and --ssh-max-unauthenticated must be positive")
	}
	if cfg.AppSecret.Reveal() == "" && !f.insecure {
		return errors.New("APP_SECRET is not set: without it webhook signatures cannot be checked " +
			"(set it, or pass --insecure-skip-signature for a local experiment)")
	}
	if f.insecure {
		log.Warn("SIGNATURE CHECKS ARE OFF: anyone who can reach this address can inject messages (--insecure-skip-signature)")
	}
	if cfg.VerifyToken.Reveal() == "" {
		log.Warn("VERIFY_TOKEN is not set: Meta's webhook verification (GET /webhook) will be refused")
	}
	if cfg.FaultCommit != "" {
		log.Warn("TEST FAULT INJECTOR ON: a commit will be made to fail (PAGEINBOX_FAULT_COMMIT)", "commit", cfg.FaultCommit)
	}
	return nil
}

// runServe serves the webhook, and beside it the API, /metrics and SSH as
// asked, until ctx ends or the store fails.
func runServe(ctx context.Context, cfg config, f *serveFlags) error {
	log := newLogger(cfg)
	if err := f.check(cfg, log); err != nil {
		return err
	}
	st, err := openStore(cfg, "serve", time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := registerPages(ctx, cfg, st); err != nil {
		return err
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
	h := newWebhook(cfg, st, svc, log, f.insecure)
	showWebhook(svc, h, ln.Addr().String())
	if f.journalKeep > 0 {
		go pruneJournal(ctx, st, f.journalKeep, log)
	}
	var wg sync.WaitGroup
	withdraw, err := serveBeside(ctx, stop, &wg, cfg, f, svc, st, h, log)
	defer withdraw()
	if err != nil {
		return err
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

// serveBeside starts what serve offers besides the webhook, as the flags
// ask: SSH, the API (which announces the daemon in the data dir; withdraw
// takes that back) and /metrics on a listener of its own.
func serveBeside(ctx context.Context, stop func(), wg *sync.WaitGroup, cfg config, f *serveFlags,
	svc *inbox.Service, st *store.Store, h *webhook.Handler, log *slog.Logger) (withdraw func(), err error) {
	withdraw = func() {}
	metrics := &daemon.Metrics{Hook: h, Sends: svc.SendStats, Campaigns: svc.CampaignStats,
		Forgotten: func() map[string]uint64 {
			_, types := h.UnknownTypes()
			_, names := svc.Names().Remembered()
			return map[string]uint64{"unknown_event_types": types, "name_lookups": names}
		}}
	var ss *sshServer
	if f.sshListen != "" {
		f.ssh.Addr, f.ssh.AuthorizedKeys = f.sshListen, f.sshKeys
		f.ssh.HostKeyPath = filepath.Join(cfg.DataDir, "ssh_host_ed25519")
		f.ssh.Pictures = pictures(cfg, log)
		f.ssh.Look = cfg.sshLook()
		if ss, err = newSSHServer(f.ssh, svc, log); err != nil {
			return withdraw, err
		}
		metrics.SSHSessions = ss.Sessions
		svc.Local.SSHAgents = ss.keys.agents // SSH agents can be assigned conversations
	}
	if f.apiListen != "" {
		if withdraw, err = serveAPI(ctx, stop, wg, cfg, f, svc, st, metrics, log); err != nil {
			return func() {}, err
		}
	}
	if f.metricsListen != "" {
		mLn, err := daemon.ListenMetrics(f.metricsListen, log)
		if err != nil {
			return withdraw, err
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", metrics)
		inBackground(wg, log, "metrics server", func() error { return webhook.Serve(ctx, mLn, mux, log) })
		log.Info("serving /metrics without a token", "url", "http://"+daemon.Dialable(mLn.Addr().String())+"/metrics")
	}
	if ss != nil {
		inBackground(wg, log, "SSH server", func() error { return ss.Serve(ctx) })
		log.Info("serving the inbox over SSH", "addr", ss.Addr(), "authorized_keys", f.sshKeys)
	}
	return withdraw, nil
}

// serveAPI serves /ws, /metrics (with the API token) and the owner's
// endpoints on --api-listen until ctx ends (a failure stops serve), and
// announces the daemon in the data dir; withdraw takes that back.
func serveAPI(ctx context.Context, stop func(), wg *sync.WaitGroup, cfg config, f *serveFlags,
	svc *inbox.Service, st *store.Store, metrics *daemon.Metrics, log *slog.Logger) (withdraw func(), err error) {
	ln, err := daemon.Listen(f.apiListen, f.apiPublic, log)
	if err != nil {
		return nil, err
	}
	token, err := daemon.APIToken(cfg.DataDir, true)
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := daemon.NewServer(svc, token, log)
	srv.UploadDir = cfg.DataDir
	srv.AllowAgents(st)
	metrics.API = srv
	mux := http.NewServeMux()
	mux.Handle("/ws", srv)
	mux.Handle("/metrics", daemon.RequireBearer(token, metrics))
	(&daemon.Admin{Store: st, Server: srv, Names: svc.Names(), Scrub: scrubber, Token: token, Log: log}).Routes(mux)
	wg.Add(1)
	go func() { defer wg.Done(); srv.Run(ctx) }()
	inBackground(wg, log, "API server", func() error {
		err := webhook.Serve(ctx, ln, mux, log)
		if err != nil {
			stop()
		}
		return err
	})
	url := "ws://" + daemon.Dialable(ln.Addr().String()) + "/ws"
	if err := daemon.Announce(cfg.DataDir, url); err != nil {
		return nil, err
	}
	log.Info("serving the API for attached TUIs", "url", url)
	return func() { daemon.Withdraw(cfg.DataDir) }, nil
}

// inBackground runs serve in a goroutine wg waits for, and logs why it
// stopped if it failed.
func inBackground(wg *sync.WaitGroup, log *slog.Logger, what string, serve func() error) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := serve(); err != nil {
			log.Error(what+" stopped", "err", err)
		}
	}()
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

// registerPages records every connected Page in the store before the
// first webhook: serve and the TUI's own webhook server alike.
func registerPages(ctx context.Context, cfg config, st *store.Store) error {
	if ids := cfg.pageIDs(); len(ids) > 0 {
		return st.EnsurePages(ctx, ids)
	}
	return nil
}

// newWebhook is the webhook handler of serve and of the TUI's own server:
// names looked up by svc, Pages without a token counted (connectedPages).
func newWebhook(cfg config, st *store.Store, svc *inbox.Service, log *slog.Logger, skipSignature bool) *webhook.Handler {
	return webhook.New(st, webhook.Config{AppSecret: cfg.AppSecret.Reveal(), VerifyToken: cfg.VerifyToken.Reveal(),
		SkipSignature: skipSignature, Logger: log, Names: svc.Names(), Connected: connectedPages(cfg)})
}
