package main

import "context"

// runReplay will feed recorded webhook payloads through ingest again, as if
// Meta had sent them; ingest deduplicates by mid, so this is safe to repeat.
func runReplay(ctx context.Context, cfg config, args []string) error {
	return notBuilt("replay")
}
