package main

import "context"

// runSync will backfill conversations and profiles from the Graph API, for
// history that arrived before the webhook was set up.
func runSync(ctx context.Context, cfg config, args []string) error {
	return notBuilt("sync")
}
