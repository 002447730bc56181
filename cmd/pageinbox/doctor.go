package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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

// recommendedFields are webhook fields pageinbox uses when they are
// there: without inbox_labels, labels set in Meta's Page Inbox reach
// pageinbox only with `sync`. Missing one is a note, not a failure.
var recommendedFields = []string{"inbox_labels"}

// setupDoctor checks what usually goes wrong in a set-up and prints a
// checklist with the fix for each failure.
func setupDoctor(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, env cmdEnv) error {
		c := &checklist{w: env.stdout}
		cfg := env.cfg
		if st := c.store(cfg); st != nil {
			defer st.Close()
			c.pages(ctx, cfg, st)
		}
		c.secrets(cfg)
		c.listen(cfg)
		c.pageTokens(ctx, cfg, time.Now())
		for _, one := range eachPage(cfg) {
			c.graph(ctx, one)
		}
		if c.failed > 0 {
			return fmt.Errorf("%d checks failed", c.failed)
		}
		fmt.Fprintln(env.stdout, "all checks passed")
		return nil
	}
}

// checklist prints doctor's checks as they are made and counts failures.
type checklist struct {
	w      io.Writer
	failed int
}

func (c *checklist) check(ok bool, what, fix string) {
	mark := "ok  "
	if !ok {
		mark = "FAIL"
		c.failed++
	}
	// what and fix quote Meta's answers and the Page's name.
	fmt.Fprintf(c.w, "[%s] %s\n", mark, inert.String(what))
	if !ok && fix != "" {
		fmt.Fprintf(c.w, "       fix: %s\n", inert.String(fix))
	}
}

// store checks the data dir and the file; it returns the store when this
// process opened it (the caller closes it).
func (c *checklist) store(cfg config) *store.Store {
	dirErr := os.MkdirAll(cfg.DataDir, 0o700)
	if dirErr == nil {
		probe := filepath.Join(cfg.DataDir, ".doctor")
		dirErr = os.WriteFile(probe, nil, 0o600)
		os.Remove(probe)
	}
	c.check(dirErr == nil, "data dir "+cfg.DataDir+" is writable", "create it or point --data / PAGEINBOX_DATA elsewhere")
	if dirErr != nil {
		return nil
	}
	st, err := openStore(cfg, "doctor", 500*time.Millisecond)
	switch {
	case errors.Is(err, store.ErrLocked):
		c.check(true, "store is held by a running pageinbox ("+err.Error()+")", "")
	case err != nil:
		c.check(false, "store opens: "+err.Error(), "move the file aside if it is not pageinbox's, or upgrade pageinbox")
	default:
		c.check(true, "store "+st.Path()+" opens", "")
		return st
	}
	return nil
}

func (c *checklist) secrets(cfg config) {
	c.check(cfg.AppSecret.Reveal() != "", "APP_SECRET is set (webhook signatures are checked)", "export APP_SECRET from App Dashboard > Settings > Basic")
	c.check(cfg.VerifyToken.Reveal() != "", "VERIFY_TOKEN is set (Meta can verify the webhook)", "export VERIFY_TOKEN with the token typed in the dashboard's webhook settings")
}

func (c *checklist) listen(cfg config) {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		c.check(false, "listen address "+cfg.Listen+" is free: "+err.Error(), "stop what holds it (maybe pageinbox serve already runs) or pick --listen")
		return
	}
	ln.Close()
	c.check(true, "listen address "+cfg.Listen+" is free", "")
}

// graph checks the token, the app secret proof and the Page's webhook
// subscription against the Graph API.
func (c *checklist) graph(ctx context.Context, cfg config) {
	gc, err := newGraphClient(cfg)
	if err != nil {
		c.check(false, "PAGE_ACCESS_TOKEN is set", "create a Page access token with pages_messaging and export PAGE_ACCESS_TOKEN")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	me, err := gc.Me(ctx)
	switch {
	case err == nil:
		c.check(true, fmt.Sprintf("token works: Page %q (%s)", me.Name, me.ID), "")
		if cfg.AppSecret.Reveal() != "" {
			c.check(true, "APP_SECRET matches the token's app (appsecret_proof accepted)", "")
		}
	case fbgraph.ClassOf(err) == fbgraph.ClassTokenInvalid:
		c.check(false, "token works: "+err.Error(), "the token is expired or invalid: create a new Page access token")
	case strings.Contains(strings.ToLower(err.Error()), "appsecret_proof"):
		c.check(false, "APP_SECRET matches the token's app: "+err.Error(), "APP_SECRET belongs to another app than the token")
	default:
		c.check(false, "Graph API reachable at "+cfg.GraphURL+": "+err.Error(), "check the network, --graph-url and --graph-version")
	}
	if err != nil {
		return
	}
	if cfg.PageID != "" && cfg.PageID != me.ID {
		c.check(false, "PAGE_ID "+cfg.PageID+" is the token's Page", "the token belongs to Page "+me.ID+": fix PAGE_ID or the token")
	}
	c.subscription(ctx, gc, me.ID)
}

// subscription checks the Page is subscribed to every field pageinbox needs.
func (c *checklist) subscription(ctx context.Context, gc *fbgraph.Client, pageID string) {
	apps, err := gc.SubscribedApps(ctx, pageID)
	if err != nil {
		c.check(false, "reading the Page's webhook subscription: "+err.Error(), "the token needs pages_manage_metadata")
		return
	}
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
	c.check(len(apps) > 0 && len(missing) == 0, fmt.Sprintf("Page subscribed to the webhook fields (%d apps)", len(apps)),
		"missing: "+strings.Join(missing, ", ")+"; POST /"+pageID+"/subscribed_apps?subscribed_fields="+strings.Join(requiredFields, ","))
	for _, f := range recommendedFields {
		if !have[f] {
			fmt.Fprintf(c.w, "[note] not subscribed to %s (recommended: labels set in Meta's Page Inbox then arrive live; "+
				"else only with `pageinbox sync`)\n", f)
		}
	}
}

// eachPage is cfg once per Page to check: the one --page (or the only
// Page) names, else every connected Page.
func eachPage(cfg config) []config {
	if cfg.PageID != "" || len(cfg.PageTokens) < 2 {
		return []config{cfg}
	}
	var out []config
	for _, p := range cfg.PageTokens {
		one := cfg
		one.PageID = p.ID
		out = append(out, one)
	}
	return out
}
