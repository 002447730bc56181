package main

import (
	"context"
	"errors"
	"flag"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
)

// setupExport writes the store out as JSON Lines on stdout. It never
// writes a secret or a draft.
func setupExport(fs *flag.FlagSet) runFunc {
	conversations := fs.Bool("conversations", false, "one line per conversation instead of per message")
	return func(ctx context.Context, env cmdEnv) error {
		// While a daemon owns the file, export goes through it.
		if url := daemonURL(env.cfg); url != "" {
			ac, err := adminClient(env.cfg, url)
			if err == nil {
				err = ac.Export(ctx, env.stdout, *conversations)
			}
			if err == nil || env.cfg.Server != "" || !errors.Is(err, daemon.ErrUnreachable) {
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
