package main

import "context"

// runDoctor will check what usually goes wrong in a set-up: missing secrets,
// a token Meta refuses, a Page not subscribed to the app, an unwritable data dir.
func runDoctor(ctx context.Context, cfg config, args []string) error {
	return notBuilt("doctor")
}
