package main

import "context"

// runSend will queue one message for one conversation; the dispatcher checks
// the messaging window before it reaches the Send API.
func runSend(ctx context.Context, cfg config, args []string) error {
	return notBuilt("send")
}
