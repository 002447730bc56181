package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

var errUnreachable = errors.New("daemon unreachable")

// exportRemote streams the export from the daemon's API.
func exportRemote(ctx context.Context, cfg config, wsURL string, w io.Writer, conversations bool) error {
	q := url.Values{}
	if conversations {
		q.Set("conversations", "1")
	}
	resp, err := daemonHTTP(ctx, cfg, wsURL, http.MethodGet, "/export", q)
	if err != nil {
		if !errors.Is(err, errUnreachable) {
			err = fmt.Errorf("export through the daemon: %w", err)
		}
		return err
	}
	defer resp.Body.Close()
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
