package main

import "context"

// runExport will write conversations and messages out of the store. It must
// never write a secret.
func runExport(ctx context.Context, cfg config, args []string) error {
	return notBuilt("export")
}
