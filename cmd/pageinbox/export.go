package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

var errUnreachable = errors.New("daemon unreachable")

// exportRemote streams the export from the daemon's API.
func exportRemote(ctx context.Context, cfg config, wsURL string, w io.Writer, conversations bool) error {
	token := os.Getenv("PAGEINBOX_API_TOKEN")
	if token == "" {
		var err error
		if token, err = apiToken(cfg.DataDir, false); err != nil {
			return err
		}
	}
	u := strings.Replace(strings.TrimSuffix(wsURL, "/ws"), "ws", "http", 1) + "/export"
	if conversations {
		u += "?conversations=1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("export through the daemon: %s", resp.Status)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("export through the daemon was cut short: %w", err)
	}
	return nil
}

// setupExport writes the store out as JSON Lines on stdout. It never
// writes a secret or a draft.
func setupExport(fs *flag.FlagSet) runFunc {
	conversations := fs.Bool("conversations", false, "one line per conversation instead of per message")
	return func(ctx context.Context, env cmdEnv) error {
		// While a daemon owns the file, export goes through it.
		if url := daemonURL(env.cfg); url != "" {
			err := exportRemote(ctx, env.cfg, url, env.stdout, *conversations)
			if err == nil || env.cfg.Server != "" || !errors.Is(err, errUnreachable) {
				return err
			}
		}
		st, err := openStore(env.cfg, "export", 500*time.Millisecond)
		if err != nil {
			return err
		}
		defer st.Close()
		return st.Export(ctx, env.stdout, *conversations)
	}
}
