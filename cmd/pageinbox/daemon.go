package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// The daemon leaves two small files in the data dir: the API token (kept
// across restarts) and daemon.json, which names its /ws address while it
// runs, so that `pageinbox` and the commands find it.
const (
	apiTokenFile = "api-token"
	daemonFile   = "daemon.json"
)

type daemonInfo struct {
	URL string `json:"url"`
	PID int    `json:"pid"`
}

// apiToken reads the data dir's API token, creating it on first start.
func apiToken(dataDir string, create bool) (string, error) {
	path := filepath.Join(dataDir, apiTokenFile)
	if b, err := os.ReadFile(path); err == nil {
		if tok := strings.TrimSpace(string(b)); tok != "" {
			return tok, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("API token: %w", err)
	}
	if !create {
		return "", errors.New("no API token in " + dataDir + " (is a daemon running there?); set PAGEINBOX_API_TOKEN")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	return tok, os.WriteFile(path, []byte(tok+"\n"), 0o600)
}

func writeDaemonInfo(dataDir, url string) error {
	b, _ := json.Marshal(daemonInfo{URL: url, PID: os.Getpid()})
	return os.WriteFile(filepath.Join(dataDir, daemonFile), b, 0o600)
}

func removeDaemonInfo(dataDir string) { os.Remove(filepath.Join(dataDir, daemonFile)) }

// daemonURL is the daemon to attach to: --server, or the one serving the
// data dir. "" when there is none.
func daemonURL(cfg config) string {
	if cfg.Server != "" {
		return cfg.Server
	}
	b, err := os.ReadFile(filepath.Join(cfg.DataDir, daemonFile))
	if err != nil {
		return ""
	}
	var info daemonInfo
	if json.Unmarshal(b, &info) != nil {
		return ""
	}
	return info.URL
}

// attach connects to the daemon, if one is there.
func attach(ctx context.Context, cfg config, agent store.Agent) (*webhook.Client, error) {
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
	c, err := webhook.Dial(dctx, url, token, agent, nil)
	if err != nil && cfg.Server == "" {
		// A daemon.json left by a daemon that died: open the file instead.
		return nil, nil
	}
	return c, err
}

// thisAgent is how this session appears to other agents: PAGEINBOX_AGENT
// or the login name, with an ID of its own.
func thisAgent(cfg config) store.Agent {
	name := firstNonEmpty(cfg.AgentName, "agent")
	b := make([]byte, 6)
	rand.Read(b)
	return store.Agent{ID: name + "-" + hex.EncodeToString(b), Name: name}
}
