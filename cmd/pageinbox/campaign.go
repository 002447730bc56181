package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// psidList is a repeatable flag; each value may also hold several PSIDs
// separated by commas.
type psidList []string

func (l *psidList) String() string { return strings.Join(*l, ",") }

func (l *psidList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// campaignFlags are the command's flags once parsed.
type campaignFlags struct {
	title, text, image, reply   string
	file                        string
	to                          psidList
	filter                      string
	all, windowOpen, unread     bool
	dryRun                      bool
	resume, retryFailed         uint64
	rate                        float64
	concurrency                 int
	paceSet                     bool // --rate or --concurrency given
	progressEvery, pollInterval time.Duration
	template                    *templateFlags // for recipients outside the window
}

// setupCampaign sends one message to many conversations: it shows the
// eligibility ledger, writes the campaign to the store, then follows it
// until every recipient has an outcome. While a daemon serves the data dir
// all of that goes through it and its dispatcher sends; otherwise this
// process opens the file and runs a dispatcher of its own.
func setupCampaign(fs *flag.FlagSet) runFunc {
	f := &campaignFlags{progressEvery: time.Second, pollInterval: 50 * time.Millisecond}
	fs.StringVar(&f.title, "title", "", "campaign `TITLE`, for the history")
	fs.StringVar(&f.text, "text", "", "message `TEXT` (under 2000 characters)")
	fs.StringVar(&f.image, "image", "", "image `URL` to send after the text")
	fs.StringVar(&f.file, "file", "", "upload the file at `PATH` once and send it to every recipient by its attachment_id (25 MB at most)")
	fs.StringVar(&f.reply, "reply", "", "send saved reply `SHORTCUT` (pageinbox replies): {first_name} is each recipient's, {agent} and {page} filled")
	f.template = &templateFlags{
		name: fs.String("template", "", "send approved Utility template `NAME` (as UTILITY) to recipients outside the 24 h window; those inside get the text"),
		lang: fs.String("lang", "en_US", "the template's language `CODE`"),
	}
	fs.Var(&f.template.params, "param", "template parameter `NAME=VALUE`, the same for everyone; {first_name} is each recipient's (repeatable)")
	fs.Var(&f.to, "to", "recipient `PSID` (repeat the flag, or separate with commas)")
	fs.StringVar(&f.filter, "filter", "", "send to every conversation in filter `NAME`: "+strings.Join(store.FilterNames(), ", "))
	fs.BoolVar(&f.all, "all", false, "send to every conversation")
	fs.BoolVar(&f.windowOpen, "window-open", false, "send to every conversation inside the 24 h window")
	fs.BoolVar(&f.unread, "unread", false, "send to every unread conversation")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print who would be sent to, skipped and blocked, and why; create nothing")
	fs.Uint64Var(&f.resume, "resume", 0, "continue the interrupted or paused campaign `ID` (in-flight sends left unknown are not resent)")
	fs.Uint64Var(&f.retryFailed, "retry-failed", 0, "re-send the retryable failures of campaign `ID` (rate limit exhausted, Meta failing)")
	fs.Float64Var(&f.rate, "rate", 100, "at most `N` sends per second (Meta allows 300/s per Page for text)")
	fs.IntVar(&f.concurrency, "concurrency", 8, "sends in flight at most, `N`; also the most a crash can leave unknown")
	return func(ctx context.Context, env cmdEnv) error {
		fs.Visit(func(fl *flag.Flag) { f.paceSet = f.paceSet || fl.Name == "rate" || fl.Name == "concurrency" })
		return runCampaign(ctx, env, f)
	}
}

func runCampaign(ctx context.Context, env cmdEnv, f *campaignFlags) error {
	if len(env.args) > 0 {
		return fmt.Errorf("unexpected argument %q: recipients go in --to PSID", env.args[0])
	}
	selectors := 0
	for _, on := range []bool{len(f.to) > 0, f.filter != "", f.all, f.windowOpen, f.unread} {
		if on {
			selectors++
		}
	}
	composing := selectors > 0 || f.title != "" || f.text != "" || f.image != "" || f.file != "" || f.reply != "" || f.dryRun ||
		*f.template.name != "" || len(f.template.params) > 0
	switch {
	case f.resume != 0 && f.retryFailed != 0:
		return errors.New("give --resume ID or --retry-failed ID, not both")
	case (f.resume != 0 || f.retryFailed != 0) && composing:
		return errors.New("--resume and --retry-failed take only the campaign ID: its message and recipients are in the store")
	case f.resume == 0 && f.retryFailed == 0:
		if f.title == "" || (f.text == "" && f.image == "" && f.file == "" && f.reply == "") {
			return errors.New("campaign needs --title TITLE and --text TEXT (or --reply SHORTCUT, --image URL or --file PATH), and its recipients: --to PSID, --filter NAME, --all, --window-open or --unread")
		}
		if f.image != "" && f.file != "" {
			return errors.New("campaign takes --image URL or --file PATH, not both")
		}
		if f.text != "" && f.reply != "" {
			return errors.New("campaign takes --text or --reply, not both")
		}
		if selectors != 1 {
			return errors.New("choose the recipients with exactly one of --to PSID, --filter NAME, --all, --window-open or --unread")
		}
		if _, err := store.LookupFilter(store.Filter(f.filter)); err != nil {
			return fmt.Errorf("--filter: %w", err)
		}
		if f.reply == "" && f.file == "" { // a saved reply is checked once it is read
			if err := store.CheckText(f.text, f.image); err != nil {
				return err
			}
		}
	}
	if f.rate <= 0 || f.concurrency <= 0 {
		return errors.New("--rate and --concurrency must be positive")
	}

	// Without a daemon nothing in this process receives the webhook: no
	// echo can settle an ambiguous answer, so none is waited for.
	ob, closeOutbox, err := openOutbox(ctx, env.cfg, "campaign", !f.dryRun, fbgraph.DispatcherOptions{Rate: f.rate,
		Concurrency: f.concurrency, Logger: newLogger(env.cfg), Poll: 100 * time.Millisecond, EchoWait: -1})
	if err != nil {
		return err
	}
	defer closeOutbox()
	if ob.Daemon != "" && f.paceSet && !f.dryRun {
		fmt.Fprintf(env.stderr, "note: the daemon at %s sends at its own pace: --rate and --concurrency apply only when no daemon serves the data dir\n", ob.Daemon)
	}

	switch {
	case f.resume != 0:
		return ob.Explain(resumeCampaign(ctx, env, f, ob))
	case f.retryFailed != 0:
		return ob.Explain(retryCampaign(ctx, env, f, ob))
	}
	return ob.Explain(newCampaign(ctx, env, f, ob))
}

// newCampaign draws up the ledger, prints it and, unless it is a dry run,
// creates the campaign and follows it.
func newCampaign(ctx context.Context, env cmdEnv, f *campaignFlags, ob *inbox.Outbox) error {
	pageID, err := ob.Page(ctx, env.cfg.PageID)
	if err != nil {
		return err
	}
	keys, err := inbox.Recipients(ctx, ob, pageID, f.to, campaignFilter(f))
	if err != nil {
		return err
	}
	if f.reply != "" {
		if f.text, err = campaignReplyText(ctx, ob.Backend, env.cfg, pageID, f.reply); err != nil {
			return err
		}
		if err := store.CheckText(f.text, f.image); err != nil {
			return fmt.Errorf("saved reply %q: %w", f.reply, err)
		}
	}
	tpl, err := campaignTemplate(ctx, env, ob, pageID, f)
	if err != nil {
		return err
	}
	ledger := store.Ledger{PageID: pageID, MessagingType: store.Update}
	if len(keys) > 0 {
		if ledger, err = ob.Eligibility(ctx, keys); err != nil {
			return err
		}
	}
	ledger = ledger.WithTemplate(tpl)
	// The store cannot know whether the token works; Meta can, and so
	// does a daemon that has been sending.
	why, tokenNote, err := ob.TokenProblem(ctx)
	if err != nil {
		if !f.dryRun {
			return err
		}
		tokenNote = "the token could not be checked: " + err.Error()
	} else {
		ledger = ledger.WithTokenProblem(why)
	}

	out := env.stderr
	if f.dryRun {
		out = env.stdout
	}
	printLedger(out, f.title, ledger, f.dryRun)
	if tokenNote != "" {
		fmt.Fprintln(out, "note: "+inert.String(tokenNote))
	}
	if est := time.Duration(float64(len(ledger.Send)) / f.rate * float64(time.Second)); len(ledger.Send) > 0 {
		if n := ledger.ClosingWithin(est + time.Minute); n > 0 {
			fmt.Fprintf(out, "note: %d of them have their window close within the ~%s this will take; any that closes first is skipped\n",
				n, store.FormatLeft(est+time.Minute))
		}
	}
	if f.dryRun {
		return nil
	}
	if ledger.TokenProblem != "" {
		return errors.New(ledger.TokenProblem)
	}
	if ledger.Counts().Total == 0 {
		return errors.New("no recipients: nothing to send")
	}
	c := store.Campaign{Title: f.title, Text: f.text, ImageURL: f.image, FillNames: f.reply != "", Template: tpl}
	if f.file != "" { // uploaded once, after the ledger: nothing goes up for a campaign refused before
		if c.UploadedFile, _, err = ob.Attach(ctx, pageID, f.file); err != nil {
			return fmt.Errorf("%s: %w", f.file, err)
		}
	}
	camp, err := ob.StartCampaign(ctx, c, ledger)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "campaign %d created: sending to %d, %d skipped\n", camp.ID, camp.Counts.Queued, camp.Counts.Skipped)
	return driveCampaign(ctx, env, f, ob, camp.ID)
}

// campaignFilter is the filter the flags select recipients by (--to
// names them instead).
func campaignFilter(f *campaignFlags) store.Filter {
	switch {
	case f.all:
		return store.FilterAll
	case f.windowOpen:
		return store.FilterWindow
	case f.unread:
		return store.FilterUnread
	}
	return store.Filter(f.filter) // "" is all
}

// skipLabels name the reasons a recipient is not sent to, in the order
// the breakdown lists them.
var skipLabels = []struct{ kind, label string }{
	{store.SkipOutsideWindow, "outside the 24 h window"},
	{store.SkipBeyond7Days, "beyond 7 days"},
	{store.SkipNeverWrote, "never wrote"},
	{store.SkipNoConversation, "no conversation"},
	{store.SkipTemplateParam, "template parameter would be empty"},
	{store.SkipBlocked, "unreachable (unavailable or no such user)"},
	{store.SkipTokenInvalid, "Page token invalid"},
}

func kindBreakdown(n map[string]int, entries []store.LedgerEntry) string {
	in := map[string]bool{}
	for _, e := range entries {
		in[e.Kind] = true
	}
	var parts []string
	for _, s := range skipLabels {
		if in[s.kind] {
			parts = append(parts, fmt.Sprintf("%s: %d", s.label, n[s.kind]))
		}
	}
	return strings.Join(parts, ", ")
}

// printLedger prints the eligibility breakdown; with detail, one line per
// recipient too.
func printLedger(w io.Writer, title string, l store.Ledger, detail bool) {
	n := l.Counts()
	fmt.Fprintf(w, "Campaign %q to %d recipients of page %s:\n", title, n.Total, l.PageID)
	if l.Template != nil {
		fmt.Fprintf(w, "  text     %6d  inside the 24 h window, sent as %s\n", n.Text, l.MessagingType)
		fmt.Fprintf(w, "  template %6d  outside it: Utility template %s (%s), sent as %s\n", n.Template,
			inert.Line(l.Template.Name), inert.Line(l.Template.Lang), store.Utility)
	} else {
		fmt.Fprintf(w, "  send     %6d  inside the 24 h window, sent as %s\n", n.Send, l.MessagingType)
	}
	fmt.Fprintf(w, "  skip     %6d  %s\n", n.Skip, kindBreakdown(n.ByKind, l.Skip))
	fmt.Fprintf(w, "  blocked  %6d  %s\n", n.Blocked, kindBreakdown(n.ByKind, l.Blocked))
	if n.Skip > 0 && l.Template == nil {
		fmt.Fprintln(w, store.NoTagForCampaigns+".")
	}
	if !detail {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, list := range []struct {
		name    string
		entries []store.LedgerEntry
	}{{"send", l.Send}, {"skip", l.Skip}, {"blocked", l.Blocked}} {
		for _, e := range list.entries {
			name := e.Name
			if name == "" {
				name = "-"
			}
			verdict := list.name
			if l.Template != nil {
				verdict, _, _ = strings.Cut(e.Action(), ":") // send text, send template NAME, skip
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", inert.Line(verdict), inert.Line(e.PSID), inert.Line(name), inert.Line(e.Reason))
		}
	}
	tw.Flush()
}

// resumeCampaign is the TUI's Resume: the campaign runs again; its items
// left unknown by a crash stay unknown.
func resumeCampaign(ctx context.Context, env cmdEnv, f *campaignFlags, ob *inbox.Outbox) error {
	c, err := ob.Campaign(ctx, f.resume)
	if err != nil {
		return err
	}
	switch c.Status {
	case store.CampaignDone:
		fmt.Fprintf(env.stderr, "campaign %d %q is already done\n", c.ID, c.Title)
		return finish(env, c)
	case store.CampaignCancelled:
		return fmt.Errorf("campaign %d %q was cancelled: it cannot be resumed", c.ID, c.Title)
	}
	if why, _, err := ob.TokenProblem(ctx); err != nil {
		return err
	} else if why != "" {
		return errors.New(why)
	}
	fmt.Fprintf(env.stderr, "resuming campaign %d %q (%s): %d to send; %d in flight when it stopped stay unknown and are not resent\n",
		c.ID, c.Title, c.Status, c.Counts.Queued, c.Counts.Unknown)
	if _, err := ob.SetCampaignStatus(ctx, c.ID, store.CampaignRunning); err != nil {
		return err
	}
	return driveCampaign(ctx, env, f, ob, c.ID)
}

// retryCampaign is the TUI's "Retry failed": only retryable failures go
// again, then the campaign runs to completion.
func retryCampaign(ctx context.Context, env cmdEnv, f *campaignFlags, ob *inbox.Outbox) error {
	c, err := ob.Campaign(ctx, f.retryFailed)
	if err != nil {
		return err
	}
	if why, _, err := ob.TokenProblem(ctx); err != nil {
		return err
	} else if why != "" {
		return errors.New(why)
	}
	n, err := ob.RetryFailed(ctx, c.ID)
	if err != nil {
		return err
	}
	if c, err = ob.Campaign(ctx, c.ID); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "campaign %d %q: %d retryable failures queued again; %d other failures would fail again and stay failed\n",
		c.ID, c.Title, n, c.Counts.Failed)
	if c.Status != store.CampaignRunning {
		if c.Counts.Queued > 0 {
			fmt.Fprintf(env.stderr, "campaign %d is %s: pageinbox campaign --resume %d continues it\n", c.ID, c.Status, c.ID)
		}
		return finish(env, c)
	}
	return driveCampaign(ctx, env, f, ob, c.ID)
}

// driveCampaign follows a campaign until it has nothing left in the queue
// or in flight, printing progress to stderr (inbox.DriveCampaign). Ctrl-C,
// or a token that stops working, pauses it; --resume continues it.
func driveCampaign(ctx context.Context, env cmdEnv, f *campaignFlags, ob *inbox.Outbox, id uint64) error {
	d, err := ob.DriveCampaign(ctx, id, inbox.DriveOptions{Poll: f.pollInterval, Every: f.progressEvery,
		Progress: func(p inbox.Progress) {
			n := p.Counts
			fmt.Fprintf(env.stderr, "campaign %d: sent %d, failed %d, skipped %d of %d%s; %d to go; %.1f/s, %s\n",
				id, n.Sent, n.Failed, n.Skipped, n.Total, unknownNote(p.Campaign), n.Queued+n.Sending,
				p.Rate, p.Elapsed.Round(100*time.Millisecond))
		}})
	if err != nil {
		return err
	}
	c := d.Campaign
	stopped := func(why string) {
		fmt.Fprintf(env.stderr, "%s: campaign %d is %s; pageinbox campaign --resume %d continues it\n", why, id, c.Status, id)
		fmt.Fprintf(env.stdout, "sent %d, failed %d, skipped %d\n", c.Counts.Sent, c.Counts.Failed, c.Counts.Skipped)
	}
	switch d.Ending {
	case inbox.StoppedOutside:
		stopped("stopped outside this command")
		return fmt.Errorf("campaign %d was %s before it finished", id, c.Status)
	case inbox.SendingStopped:
		stopped("sending stopped")
		return errors.New(d.Why)
	case inbox.Interrupted:
		stopped("interrupted")
		return errors.New("interrupted")
	}
	templateFailures(ctx, env, ob, c)
	err = finish(env, c)
	if c.Status == store.CampaignCancelled && err == nil {
		// Only with a daemon: an agent cancelled it in the TUI.
		err = fmt.Errorf("campaign %d was cancelled before it finished: whoever it had not reached yet is recorded skipped", id)
	}
	return err
}

// unknownNote counts, for the progress line, the recipients who may or
// may not have the message, and how many of them still wait for the echo
// that settles it.
func unknownNote(c store.Campaign) string {
	switch {
	case c.Counts.Unknown == 0:
		return ""
	case c.AwaitingEcho > 0:
		return fmt.Sprintf(" (%d unknown: may have been sent; %d waiting for Meta's echo)", c.Counts.Unknown, c.AwaitingEcho)
	}
	return fmt.Sprintf(" (%d unknown: may have been sent)", c.Counts.Unknown)
}

// finish prints the summary line and turns failures into exit status 1.
func finish(env cmdEnv, c store.Campaign) error {
	fmt.Fprintf(env.stdout, "sent %d, failed %d, skipped %d\n", c.Counts.Sent, c.Counts.Failed, c.Counts.Skipped)
	if c.Counts.Unknown > 0 {
		fmt.Fprintf(env.stderr, "%d sends of campaign %d are unknown: a crash, a timeout or an answer from Meta that proved nothing left open whether they arrived, "+
			"and no echo settled them; they are never resent by themselves (`pageinbox campaigns %d` lists them)\n",
			c.Counts.Unknown, c.ID, c.ID)
	}
	if c.Counts.Failed > 0 {
		return fmt.Errorf("%d of campaign %d failed; `pageinbox campaigns %d` shows why, `pageinbox campaign --retry-failed %d` re-sends the retryable ones",
			c.Counts.Failed, c.ID, c.ID, c.ID)
	}
	return nil
}
