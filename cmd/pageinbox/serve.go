package main

import "context"

// runServe will own the data dir: it receives Meta's webhook, runs the outbox
// dispatcher and serves the live feed that TUIs attach to.
func runServe(ctx context.Context, cfg config, args []string) error {
	return notBuilt("serve")
}
