package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// campaignTemplate is the campaign's --template for recipients outside
// the window, nil without one. On the data file it is checked now, before
// the ledger is shown (the check send --template gets); through a daemon
// the daemon's store checks it when the campaign is created, before
// anything is written or sent.
func campaignTemplate(ctx context.Context, env cmdEnv, ob *inbox.Outbox, pageID string, f *campaignFlags) (*store.TemplateSend, error) {
	tf := f.template
	tpl, err := tf.send()
	if err != nil || tpl == nil {
		return nil, err
	}
	if *tf.lang == "" {
		return nil, errors.New("--lang: the template's language code is empty")
	}
	if local, ok := ob.Backend.(*inbox.Local); ok {
		if _, err := local.Store.CheckTemplate(ctx, pageID, tpl); err != nil {
			return nil, fmt.Errorf("--template: %w", err)
		}
	} else if f.dryRun {
		fmt.Fprintln(env.stdout, "note: through the daemon the template is checked when the campaign is created, not in a dry run")
	}
	return tpl, nil
}

// templateFailures explains the campaign's template sends Meta refused for
// the Page itself (no Utility permission or market): one line with what to
// request, not one per recipient.
func templateFailures(ctx context.Context, env cmdEnv, ob *inbox.Outbox, c store.Campaign) {
	if c.Template == nil || c.Counts.Failed == 0 {
		return
	}
	items, err := ob.CampaignItems(ctx, c.ID)
	if err != nil {
		return // finish still points at `pageinbox campaigns ID`
	}
	n, reason := 0, ""
	for _, it := range items {
		if it.State == store.OutboxFailed && it.ErrorKind == fbgraph.ClassUtilityUnavailable.String() {
			n, reason = n+1, it.Reason
		}
	}
	if n > 0 {
		fmt.Fprintf(env.stderr, "%d template sends of campaign %d failed: %s\n", n, c.ID, inert.Line(reason))
	}
}
