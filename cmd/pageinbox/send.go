package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// setupSend sends one message to one customer through the outbox, so it is
// recorded and checked like a reply from the TUI. While a daemon serves the
// data dir the message goes through it; otherwise this process opens the
// file and sends it itself.
func setupSend(fs *flag.FlagSet) runFunc {
	to := fs.String("to", "", "the customer's `PSID`")
	text := fs.String("text", "", "message `TEXT` (under 2000 characters)")
	tag := fs.String("tag", "", "`TAG` for a human reply outside the 24 h window: HUMAN_AGENT (within 7 days)")
	image := fs.String("image", "", "image `URL` to send (after the text, if any)")
	reply := fs.String("reply", "", "send saved reply `SHORTCUT` (pageinbox replies), {first_name} {agent} {page} filled")
	var files []string
	fs.Func("file", "upload and send the file at `PATH` after the text (repeat: one message per file; 25 MB at most)",
		func(v string) error { files = append(files, v); return nil })
	replyTo := fs.String("reply-to", "", "answer the thread's message `MID` (Messenger shows it quoted)")
	tf := addTemplateFlags(fs)
	return func(ctx context.Context, env cmdEnv) error {
		if *reply != "" && *text != "" {
			return errors.New("send takes --text or --reply, not both")
		}
		if *tf.name != "" && (*text != "" || *image != "" || *reply != "" || *tag != "" || len(files) > 0) {
			return errors.New("send --template goes without --text, --image, --reply, --file or --tag")
		}
		if *to == "" || (*text == "" && *image == "" && *reply == "" && len(files) == 0 && *tf.name == "") {
			return errors.New("send needs --to PSID and --text TEXT (or --reply SHORTCUT, --image URL, --file PATH or --template NAME)")
		}
		if *image != "" && len(files) > 0 {
			return errors.New("send takes --image URL or --file PATH, not both")
		}
		// Without a daemon nothing in this process receives the webhook: an
		// echo cannot settle an ambiguous answer here, so none is waited for.
		ob, closeOutbox, err := openOutbox(ctx, env.cfg, "send", true, fbgraph.DispatcherOptions{Logger: newLogger(env.cfg), EchoWait: -1})
		if err != nil {
			return err
		}
		defer closeOutbox()
		pageID, err := ob.Page(ctx, env.cfg.PageID)
		if err != nil {
			return ob.Explain(err)
		}
		if *reply != "" {
			if *text, err = savedReplyText(ctx, ob.Backend, env.cfg, store.ConvKey{PageID: pageID, PSID: *to}, *reply); err != nil {
				return ob.Explain(err)
			}
		}
		mt := store.Response
		if *tag != "" {
			mt = store.MessageTag
		}
		base := store.Send{ConvKey: store.ConvKey{PageID: pageID, PSID: *to},
			Text: *text, ImageURL: *image, MessagingType: mt, Tag: *tag, ReplyTo: *replyTo}
		if base.Template, err = tf.send(); err != nil {
			return err
		}
		if base.Template != nil {
			base.MessagingType = store.Utility
		}
		sends, err := withFiles(ctx, env, ob, base, files)
		if err != nil {
			return ob.Explain(err)
		}
		for _, s := range sends {
			if err := deliverOne(ctx, env, ob, s); err != nil {
				return err
			}
		}
		return nil
	}
}

// deliverOne queues one message, waits for its outcome and reports it.
func deliverOne(ctx context.Context, env cmdEnv, ob *inbox.Outbox, s store.Send) error {
	final, err := ob.Deliver(ctx, s, func(it store.OutboxItem) {
		fmt.Fprintf(env.stderr, "%s: waiting for Meta's echo to tell whether it arrived (up to a minute; ctrl+c stops waiting)\n", inert.Line(it.Reason))
	})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no conversation with %s on page %s: Messenger lets a Page write only to people who wrote first", s.PSID, s.PageID)
	}
	if err != nil {
		return ob.Explain(err)
	}
	return sendOutcome(env, final)
}

// withFiles uploads every file first (a file refused sends nothing) and
// returns the messages to send (store.FileSends): the text goes with the
// first, several images go as one multi-image message (30 at most), every
// other file is a message of its own.
func withFiles(ctx context.Context, env cmdEnv, ob *inbox.Outbox, base store.Send, files []string) ([]store.Send, error) {
	if len(files) == 0 {
		return []store.Send{base}, nil
	}
	var ups []store.UploadedFile
	for _, path := range files {
		f, reused, err := ob.Attach(ctx, base.PageID, path)
		if err != nil {
			return nil, err
		}
		if reused {
			fmt.Fprintf(env.stderr, "%s: already uploaded, sent by its attachment_id\n", inert.Line(path))
		}
		ups = append(ups, f)
	}
	return store.FileSends(base, ups), nil
}

// savedReplyText is the saved reply under shortcut, filled in for the
// customer of key, the acting agent and the Page.
func savedReplyText(ctx context.Context, b inbox.Backend, cfg config, key store.ConvKey, shortcut string) (string, error) {
	c, err := b.Contact(ctx, key)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.PSID == "" {
		return "", fmt.Errorf("no conversation with %s on page %s: Messenger lets a Page write only to people who wrote first", key.PSID, key.PageID)
	} else if err != nil {
		return "", err
	}
	text, err := campaignReplyText(ctx, b, cfg, key.PageID, shortcut)
	return store.FillFirstName(text, c.Name), err
}

// campaignReplyText is the saved reply under shortcut with {agent} and
// {page} filled in, {first_name} left for each recipient.
func campaignReplyText(ctx context.Context, b inbox.Backend, cfg config, pageID, shortcut string) (string, error) {
	replies, err := b.Replies(ctx, pageID)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(replies, func(r store.SavedReply) bool { return r.Shortcut == shortcut })
	if i < 0 {
		return "", fmt.Errorf("no saved reply %q on page %s (pageinbox replies list)", shortcut, pageID)
	}
	pages, err := b.Pages(ctx)
	if err != nil {
		return "", err
	}
	pageName := pageID
	for _, p := range pages {
		if p.ID == pageID && p.Name != "" {
			pageName = p.Name
		}
	}
	agent := cfg.AgentName
	if a, ok := b.(interface{ Agent() store.Agent }); ok { // through the daemon: the token's agent
		agent = a.Agent().Name
	}
	return strings.NewReplacer("{agent}", agent, "{page}", pageName).Replace(replies[i].Text), nil
}

// sendOutcome prints how a send ended and turns it into the exit status:
// 0 sent (Meta's mid on stdout), 1 not sent, 3 maybe sent.
func sendOutcome(env cmdEnv, it store.OutboxItem) error {
	switch it.State {
	case store.OutboxSent:
		fmt.Fprintln(env.stdout, inert.Line(it.MID))
		fmt.Fprintln(env.stderr, "sent")
		return nil
	case store.OutboxUnknown:
		return &exitStatus{code: exitUnknown, err: fmt.Errorf("unknown: %s; "+
			"nothing settled whether it arrived, and it will not be sent again by itself: look at the conversation before sending it again", it.Reason)}
	}
	reason := it.Reason
	if !strings.HasPrefix(reason, "not sent") {
		reason = "not sent: " + reason
	}
	if it.ErrorKind == "not_sent" {
		reason += "; nothing of it stays queued: send it again when that is fixed"
	}
	return fmt.Errorf("failed: %s", reason)
}

// openOutbox reaches the data dir: through the daemon serving it (or
// --server), else by opening the file. Opening the file needs the Page
// token when the command will send (needToken); the daemon has its own.
func openOutbox(ctx context.Context, cfg config, owner string, needToken bool, opts fbgraph.DispatcherOptions) (*inbox.Outbox, func(), error) {
	gc, gcErr := newGraphClient(cfg)
	if gcErr != nil {
		gc = nil
	}
	if daemonURL(cfg) != "" {
		c, err := attach(ctx, cfg, thisAgent(cfg))
		if err != nil {
			return nil, nil, err
		}
		if c != nil {
			return inbox.ThroughDaemon(c, c.Addr(), gc), func() { c.Close() }, nil
		}
	}
	if gcErr != nil && needToken {
		return nil, nil, gcErr
	}
	st, err := openStore(cfg, owner, time.Second)
	if err != nil {
		return nil, nil, err
	}
	return inbox.OnFile(st, thisAgent(cfg), gc, opts), func() { st.Close() }, nil
}
