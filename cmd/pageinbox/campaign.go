package main

import "context"

// runCampaign will queue one message for many conversations, skipping those
// outside the messaging window (no tag may carry a broadcast).
func runCampaign(ctx context.Context, cfg config, args []string) error {
	return notBuilt("campaign")
}
