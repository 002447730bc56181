package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/inbox"
)

// setupDemo runs the whole inbox against the built-in Meta emulator with
// simulated customers: no Facebook app, no network beyond loopback.
func setupDemo(fs *flag.FlagSet) runFunc {
	people := fs.Int("people", 12, "simulated customers writing in")
	return func(ctx context.Context, env cmdEnv) error {
		cfg := env.cfg
		keep := false
		fs.Visit(func(f *flag.Flag) { keep = keep || f.Name == "data" })
		if !keep {
			// The demo never touches the real inbox.
			dir, err := os.MkdirTemp("", "pageinbox-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cfg.DataDir = dir
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		hookURL := "http://" + ln.Addr().String() + "/webhook"
		srv := fbtest.NewServer(fbtest.Config{PageName: "Demo Shop", WebhookURL: hookURL, Echoes: true,
			DeliveryDelay: time.Second, ReadDelay: 4 * time.Second, Seed: time.Now().UnixNano()})
		defer srv.Close()
		ecfg := srv.Config()
		useEmulator(&cfg, srv)
		driver := &fbtest.Driver{URL: hookURL, AppSecret: ecfg.AppSecret, PageID: srv.PageID()}
		crowd := &fbtest.Crowd{Server: srv, Driver: driver, People: *people, Seed: time.Now().UnixNano()}
		return runInbox(ctx, cfg, inboxOptions{listener: ln, onReady: func(*inbox.Service) error {
			if err := seedDemo(ctx, srv, driver); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			go crowd.Run(ctx)
			return nil
		}})
	}
}

// seedDemo writes a little history so every window state is on screen
// from the start: open, HUMAN_AGENT only, and closed.
func seedDemo(ctx context.Context, srv *fbtest.Server, d *fbtest.Driver) error {
	now := time.Now()
	for _, h := range []struct {
		psid, name, text string
		ago              time.Duration
	}{
		{"7100000000000001", "Carla Mendes", "Where is my order #1042? It was due on Monday.", 30 * time.Hour},
		{"7100000000000002", "Diego Ruiz", "Thanks, the jacket fits perfectly!", 9 * 24 * time.Hour},
		{"7100000000000003", "Eva Novak", "Do you have the blue one in size M?", 2 * time.Hour},
	} {
		srv.AddUser(h.psid, h.name)
		mid := srv.InboundMessage(h.psid, "", h.text, now.Add(-h.ago))
		if err := d.Post(ctx, fbtest.Message(h.psid, mid, h.text, now.Add(-h.ago))); err != nil {
			return err
		}
	}
	return nil
}

// useEmulator points cfg at the emulator and its one Page, in place of
// every Page and secret of the environment and the secrets file: the demo
// sends nothing with a real token, not even to the emulator.
func useEmulator(cfg *config, srv *fbtest.Server) {
	ecfg := srv.Config()
	cfg.GraphURL, cfg.PageID = srv.URL(), srv.PageID()
	cfg.PageAccessToken, cfg.AppSecret, cfg.VerifyToken = newSecret(ecfg.PageToken), newSecret(ecfg.AppSecret), newSecret("demo")
	cfg.PageTokens = []pageToken{{ID: srv.PageID(), Name: ecfg.PageName, Token: cfg.PageAccessToken}}
}
