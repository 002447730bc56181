package main

import "context"

// runCampaigns will list campaigns with their progress, so failures can be
// found and retried.
func runCampaigns(ctx context.Context, cfg config, args []string) error {
	return notBuilt("campaigns")
}
