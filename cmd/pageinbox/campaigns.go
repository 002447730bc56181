package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// setupCampaigns lists campaigns with their progress and replies, newest
// first; with an ID, that campaign's recipients and their results. It
// only reads, through the daemon while one serves the data dir, else from
// the file: no token needed.
func setupCampaigns(fs *flag.FlagSet) runFunc {
	page := fs.String("page", "", "only the campaigns of the Page `ID` (or name); default: every Page")
	return func(ctx context.Context, env cmdEnv) error {
		if *page != "" {
			id, err := env.cfg.pickPage(*page)
			if err != nil {
				return err
			}
			env.cfg.PageID = id
		} else {
			env.cfg.PageID = "" // every Page, whatever PAGE_ID says
		}
		var id uint64
		switch len(env.args) {
		case 0:
		case 1:
			n, err := strconv.ParseUint(env.args[0], 10, 64)
			if err != nil || n == 0 {
				return fmt.Errorf("campaign ID %q: want a number", env.args[0])
			}
			id = n
		default:
			return errors.New("campaigns takes at most one campaign ID")
		}
		ob, closeOutbox, err := openOutbox(ctx, env.cfg, "campaigns", false, fbgraph.DispatcherOptions{})
		if err != nil {
			return err
		}
		defer closeOutbox()
		if id != 0 {
			return ob.Explain(showCampaign(ctx, env, ob, id))
		}
		return ob.Explain(listCampaigns(ctx, env, ob))
	}
}

// listCampaigns prints the history table.
func listCampaigns(ctx context.Context, env cmdEnv, b inbox.Backend) error {
	camps, err := b.Campaigns(ctx)
	if err != nil {
		return err
	}
	if page := env.cfg.PageID; page != "" {
		camps = slices.DeleteFunc(camps, func(c store.Campaign) bool { return c.PageID != page })
	}
	if len(camps) == 0 {
		fmt.Fprintln(env.stderr, "no campaigns yet")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSENT\tFAILED\tSKIPPED\tUNKNOWN\tQUEUED\tTOTAL\tREPLIES\tCREATED\tTITLE")
	for _, c := range camps {
		replies, err := b.CampaignReplies(ctx, c.ID)
		if err != nil {
			return err
		}
		n := c.Counts
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", c.ID, c.Status, n.Sent, n.Failed, n.Skipped,
			n.Unknown, n.Queued+n.Sending, n.Total, replies, c.CreatedAt.In(env.cfg.location()).Format("2006-01-02 15:04"), inert.Line(c.Title))
	}
	return tw.Flush()
}

// showCampaign prints one campaign and each recipient's result.
func showCampaign(ctx context.Context, env cmdEnv, b inbox.Backend, id uint64) error {
	c, err := b.Campaign(ctx, id)
	if err != nil {
		return err
	}
	replies, err := b.CampaignReplies(ctx, id)
	if err != nil {
		return err
	}
	items, err := b.CampaignItems(ctx, id)
	if err != nil {
		return err
	}
	n := c.Counts
	fmt.Fprintf(env.stdout, "campaign %d %q, %s: sent %d, failed %d, skipped %d, unknown %d, queued %d of %d; %d replied\n",
		c.ID, inert.Line(c.Title), c.Status, n.Sent, n.Failed, n.Skipped, n.Unknown, n.Queued+n.Sending, n.Total, replies)
	if c.Template != nil {
		fmt.Fprintf(env.stdout, "outside the 24 h window: Utility template %s (%s), sent as UTILITY\n",
			inert.Line(c.Template.Name), inert.Line(c.Template.Lang))
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PSID\tSTATE\tKIND\tRETRYABLE\tREASON")
	for _, it := range items {
		kind, retry := it.ErrorKind, ""
		if kind == "" {
			kind = "-"
		}
		if it.State == store.OutboxFailed {
			retry = strconv.FormatBool(it.Retryable)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inert.Line(it.PSID), it.State, kind, retry, inert.Line(it.Reason))
	}
	return tw.Flush()
}
