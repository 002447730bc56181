package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
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
				rep, err = forgetRemote(ctx, env.cfg, wsURL, *page, *psid)
				return err
			},
			func(st *store.Store) error {
				var err error
				rep, err = st.Forget(ctx, *page, *psid, webhook.NewScrub(*page, *psid))
				return err
			})
		if err != nil {
			return err
		}
		printForgotten(env.stdout, *psid, rep)
		return nil
	}
}

func forgetRemote(ctx context.Context, cfg config, wsURL, page, psid string) (store.ForgetReport, error) {
	var rep store.ForgetReport
	resp, err := daemonHTTP(ctx, cfg, wsURL, http.MethodPost, "/forget", url.Values{"page": {page}, "psid": {psid}})
	if err != nil {
		return rep, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return rep, fmt.Errorf("forget through the daemon: the answer was cut (%v); run it again: forgetting twice is harmless", err)
	}
	return rep, nil
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
