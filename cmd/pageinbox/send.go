package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// setupSend sends one message to one customer through the outbox, so it is
// recorded and checked like a reply from the TUI.
func setupSend(fs *flag.FlagSet) runFunc {
	to := fs.String("to", "", "the customer's `PSID`")
	text := fs.String("text", "", "message `TEXT` (under 2000 characters)")
	tag := fs.String("tag", "", "`TAG` for a human reply outside the 24 h window: HUMAN_AGENT (within 7 days)")
	image := fs.String("image", "", "image `URL` to send (after the text, if any)")
	return func(ctx context.Context, env cmdEnv) error {
		if *to == "" || (*text == "" && *image == "") {
			return errors.New("send needs --to PSID and --text TEXT (or --image URL)")
		}
		gc, err := newGraphClient(env.cfg)
		if err != nil {
			return err
		}
		st, err := openStore(env.cfg, "send", time.Second)
		if err != nil {
			return err
		}
		defer st.Close()
		pageID, err := resolvePage(ctx, env.cfg, st, gc)
		if err != nil {
			return err
		}
		mt := store.Response
		if *tag != "" {
			mt = store.MessageTag
		}
		sub := st.Subscribe(1024)
		defer sub.Close()
		// Enqueue checks the window and refuses before anything reaches Meta.
		item, err := st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: pageID, PSID: *to},
			Text: *text, ImageURL: *image, MessagingType: mt, Tag: *tag})
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no conversation with %s on page %s: Messenger lets a Page write only to people who wrote first", *to, pageID)
		}
		if err != nil {
			return err
		}
		runCtx, stop := context.WithCancel(ctx)
		defer stop()
		d := fbgraph.NewDispatcher(st, gc, fbgraph.DispatcherOptions{Logger: newLogger(env.cfg)})
		done := make(chan error, 1)
		go func() { done <- d.Run(runCtx) }()
		defer func() { stop(); <-done }()
		final, err := waitOutcome(ctx, sub, st, item.ID)
		if err != nil {
			return err
		}
		switch final.State {
		case store.OutboxSent:
			fmt.Fprintln(env.stdout, final.MID)
			return nil
		case store.OutboxQueued:
			return fmt.Errorf("not sent: %s", d.Blocked())
		}
		return fmt.Errorf("not sent (%s): %s", final.State, final.Reason)
	}
}

// waitOutcome waits for an outbox item to settle, reading the feed and, on
// a resync or a paused dispatcher, the store.
func waitOutcome(ctx context.Context, sub *store.Subscription, st *store.Store, id uint64) (store.OutboxItem, error) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return store.OutboxItem{}, ctx.Err()
		case ch := <-sub.C:
			if ch.Kind == store.OutboxChanged && ch.Outbox.ID == id && ch.Outbox.State.Done() {
				return *ch.Outbox, nil
			}
			if ch.Kind != store.Resync {
				continue
			}
		case <-tick.C:
		}
		item, err := st.Item(ctx, id)
		if err != nil {
			return item, err
		}
		if item.State.Done() || (item.State == store.OutboxQueued && item.Reason != "") {
			return item, nil
		}
	}
}
