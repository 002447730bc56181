package main

import (
	"context"
	"errors"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// daemonURL is the daemon to attach to: --server, or the one serving the
// data dir. "" when there is none.
func daemonURL(cfg config) string {
	if cfg.Server != "" {
		return cfg.Server
	}
	return daemon.Find(cfg.DataDir)
}

// daemonToken is the token commands show the daemon: PAGEINBOX_API_TOKEN,
// or the data dir's API token.
func daemonToken(cfg config) (string, error) {
	if token := cfg.APIToken.Reveal(); token != "" {
		return token, nil
	}
	return daemon.APIToken(cfg.DataDir, false)
}

// adminClient reaches the owner's endpoints of the daemon at wsURL.
func adminClient(cfg config, wsURL string) (daemon.AdminClient, error) {
	token, err := daemonToken(cfg)
	return daemon.AdminClient{URL: wsURL, Token: token}, err
}

// throughDaemon runs a command through the daemon when one serves the
// data dir (remote), or on the file when none does (local). A daemon.json
// left by a dead daemon does not stand in the way; --server does not fall
// back.
func throughDaemon(ctx context.Context, cfg config, owner string,
	remote func(wsURL string) error, local func(st *store.Store) error) error {
	if wsURL := daemonURL(cfg); wsURL != "" {
		err := remote(wsURL)
		if err == nil || cfg.Server != "" || !errors.Is(err, daemon.ErrUnreachable) {
			return err
		}
	}
	st, err := openStore(cfg, owner, time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	return local(st)
}

// attach connects to the daemon, if one is there.
func attach(ctx context.Context, cfg config, agent store.Agent) (*daemon.Client, error) {
	url := daemonURL(cfg)
	if url == "" {
		return nil, nil
	}
	token, err := daemonToken(cfg)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := daemon.Dial(dctx, url, token, agent, nil)
	if err != nil && cfg.Server == "" {
		// A daemon.json left by a daemon that died: open the file instead.
		return nil, nil
	}
	return c, err
}

// thisAgent is how this session appears to other agents: PAGEINBOX_AGENT
// or the login name, with an ID of its own.
func thisAgent(cfg config) store.Agent { return inbox.NewAgent(cfg.AgentName) }
