package main

import "context"

// runDemo will run the inbox against fbgraph/fbtest's Meta emulator, so a
// newcomer sees it work without a Facebook app.
func runDemo(ctx context.Context, cfg config, args []string) error {
	return notBuilt("demo")
}
