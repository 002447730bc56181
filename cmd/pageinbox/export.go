package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"time"

	"github.com/pageinbox/pageinbox/daemon"
)

// setupExport writes the store out as JSON Lines on stdout. It never
// writes a secret or a draft; private notes only with --notes.
func setupExport(fs *flag.FlagSet) runFunc {
	conversations := fs.Bool("conversations", false, "one line per conversation instead of per message")
	notes := fs.Bool("notes", false, `add the private notes, as rows with "direction":"note" and their "agent"`)
	page := fs.String("page", "", "only the Page `ID` (or name); default: every Page")
	return func(ctx context.Context, env cmdEnv) error {
		if *notes && *conversations {
			return errors.New("--notes adds rows to the message export: not with --conversations")
		}
		if *page != "" {
			id, err := env.cfg.pickPage(*page)
			if err != nil {
				return err
			}
			env.stdout = forPage(env.stdout, id)
		}
		// While a daemon owns the file, export goes through it.
		if url := daemonURL(env.cfg); url != "" {
			ac, err := adminClient(env.cfg, url)
			if err == nil {
				if *notes {
					err = ac.ExportWithNotes(ctx, env.stdout)
				} else {
					err = ac.Export(ctx, env.stdout, *conversations)
				}
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
		return exportFile(ctx, st, env.stdout, *conversations, *notes)
	}
}

// exporter is the store's side of export.
type exporter interface {
	Export(ctx context.Context, w io.Writer, conversations bool) error
	ExportNotes(ctx context.Context, w io.Writer) error
}

func exportFile(ctx context.Context, st exporter, w io.Writer, conversations, notes bool) error {
	if err := st.Export(ctx, w, conversations); err != nil || !notes {
		return err
	}
	return st.ExportNotes(ctx, w)
}
