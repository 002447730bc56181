package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// requiredFields are the webhook fields pageinbox needs the Page
// subscribed to (docs/meta-platform.md §10).
var requiredFields = []string{"messages", "messaging_postbacks", "message_deliveries", "message_reads",
	"message_echoes", "message_reactions"}

// setupDoctor checks what usually goes wrong in a set-up and prints a
// checklist with the fix for each failure.
func setupDoctor(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, env cmdEnv) error {
		failed := 0
		check := func(ok bool, what, fix string) {
			mark := "ok  "
			if !ok {
				mark = "FAIL"
				failed++
			}
			// what and fix quote Meta's answers and the Page's name.
			fmt.Fprintf(env.stdout, "[%s] %s\n", mark, inert.String(what))
			if !ok && fix != "" {
				fmt.Fprintf(env.stdout, "       fix: %s\n", inert.String(fix))
			}
		}
		cfg := env.cfg

		// Data dir and store.
		dirErr := os.MkdirAll(cfg.DataDir, 0o700)
		if dirErr == nil {
			probe := filepath.Join(cfg.DataDir, ".doctor")
			dirErr = os.WriteFile(probe, nil, 0o600)
			os.Remove(probe)
		}
		check(dirErr == nil, "data dir "+cfg.DataDir+" is writable", "create it or point --data / PAGEINBOX_DATA elsewhere")
		var st *store.Store
		if dirErr == nil {
			var err error
			st, err = openStore(cfg, "doctor", 500*time.Millisecond)
			switch {
			case errors.Is(err, store.ErrLocked):
				check(true, "store is held by a running pageinbox ("+err.Error()+")", "")
			case err != nil:
				check(false, "store opens: "+err.Error(), "move the file aside if it is not pageinbox's, or upgrade pageinbox")
			default:
				check(true, "store "+st.Path()+" opens", "")
				defer st.Close()
			}
		}

		// Secrets.
		check(cfg.AppSecret.Reveal() != "", "APP_SECRET is set (webhook signatures are checked)", "export APP_SECRET from App Dashboard > Settings > Basic")
		check(cfg.VerifyToken.Reveal() != "", "VERIFY_TOKEN is set (Meta can verify the webhook)", "export VERIFY_TOKEN with the token typed in the dashboard's webhook settings")

		// Listen address.
		if ln, err := net.Listen("tcp", cfg.Listen); err == nil {
			ln.Close()
			check(true, "listen address "+cfg.Listen+" is free", "")
		} else {
			check(false, "listen address "+cfg.Listen+" is free: "+err.Error(), "stop what holds it (maybe pageinbox serve already runs) or pick --listen")
		}

		// Token, app secret proof, subscription.
		gc, err := newGraphClient(cfg)
		if err != nil {
			check(false, "PAGE_ACCESS_TOKEN is set", "create a Page access token with pages_messaging and export PAGE_ACCESS_TOKEN")
		} else {
			cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			me, err := gc.Me(cctx)
			switch {
			case err == nil:
				check(true, fmt.Sprintf("token works: Page %q (%s)", me.Name, me.ID), "")
				if cfg.AppSecret.Reveal() != "" {
					check(true, "APP_SECRET matches the token's app (appsecret_proof accepted)", "")
				}
			case fbgraph.ClassOf(err) == fbgraph.ClassTokenInvalid:
				check(false, "token works: "+err.Error(), "the token is expired or invalid: create a new Page access token")
			case strings.Contains(strings.ToLower(err.Error()), "appsecret_proof"):
				check(false, "APP_SECRET matches the token's app: "+err.Error(), "APP_SECRET belongs to another app than the token")
			default:
				check(false, "Graph API reachable at "+cfg.GraphURL+": "+err.Error(), "check the network, --graph-url and --graph-version")
			}
			if err == nil {
				pageID := me.ID
				if cfg.PageID != "" && cfg.PageID != me.ID {
					check(false, "PAGE_ID "+cfg.PageID+" is the token's Page", "the token belongs to Page "+me.ID+": fix PAGE_ID or the token")
				}
				apps, err := gc.SubscribedApps(cctx, pageID)
				if err != nil {
					check(false, "reading the Page's webhook subscription: "+err.Error(), "the token needs pages_manage_metadata")
				} else {
					have := map[string]bool{}
					for _, a := range apps {
						for _, f := range a.SubscribedFields {
							have[f] = true
						}
					}
					var missing []string
					for _, f := range requiredFields {
						if !have[f] {
							missing = append(missing, f)
						}
					}
					check(len(apps) > 0 && len(missing) == 0, fmt.Sprintf("Page subscribed to the webhook fields (%d apps)", len(apps)),
						"missing: "+strings.Join(missing, ", ")+"; POST /"+pageID+"/subscribed_apps?subscribed_fields="+strings.Join(requiredFields, ","))
				}
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d checks failed", failed)
		}
		fmt.Fprintln(env.stdout, "all checks passed")
		return nil
	}
}
