package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/pageinbox/pageinbox/store"
)

// setupForget removes everything stored about one customer, for someone
// who asked to be deleted, through the daemon while it runs.
func setupForget(fs *flag.FlagSet) runFunc {
	psid := fs.String("psid", "", "the customer's `PSID` (required)")
	page := fs.String("page", "", "the Page `ID` they wrote to; default: every Page in the data file")
	return func(ctx context.Context, env cmdEnv) error {
		if *psid == "" {
			return errors.New("--psid is required: whom to forget")
		}
		if len(env.args) > 0 {
			return fmt.Errorf("unexpected argument %q", env.args[0])
		}
		var rep store.ForgetReport
		err := throughDaemon(ctx, env.cfg, "forget",
			func(wsURL string) error {
				var err error
				ac, err := adminClient(env.cfg, wsURL)
				if err == nil {
					rep, err = ac.Forget(ctx, *page, *psid)
				}
				return err
			},
			func(st *store.Store) error {
				var err error
				rep, err = st.Forget(ctx, *page, *psid, scrubber(*page, *psid))
				return err
			})
		if err != nil {
			return err
		}
		printForgotten(env.stdout, *psid, rep)
		return nil
	}
}

func printForgotten(w io.Writer, psid string, r store.ForgetReport) {
	on := strings.Join(r.Pages, ", ")
	if r.Empty() {
		fmt.Fprintf(w, "nothing was stored about %s (Pages: %s)\n", psid, on)
	} else {
		fmt.Fprintf(w, "forgot %s on Page %s: %d conversation(s), %d message(s), %d draft(s), %d outbox item(s), "+
			"%d unknown event(s); webhook journal: %d body(ies) removed, %d rewritten without them\n",
			psid, on, r.Conversations, r.Messages, r.Drafts, r.OutboxItems, r.UnknownEvents, r.JournalRemoved, r.JournalRewritten)
	}
	fmt.Fprintf(w, "their events from before %s will not come back (redelivery, replay, sync); a new message starts a new conversation.\n"+
		"Backups made before now still hold them.\n", r.At.UTC().Format("2006-01-02 15:04:05 UTC"))
}
