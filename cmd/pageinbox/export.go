package main

import (
	"context"
	"flag"
	"time"
)

// setupExport writes the store out as JSON Lines on stdout. It never
// writes a secret or a draft.
func setupExport(fs *flag.FlagSet) runFunc {
	conversations := fs.Bool("conversations", false, "one line per conversation instead of per message")
	return func(ctx context.Context, env cmdEnv) error {
		st, err := openStore(env.cfg, "export", 500*time.Millisecond)
		if err != nil {
			return err
		}
		defer st.Close()
		return st.Export(ctx, env.stdout, *conversations)
	}
}
