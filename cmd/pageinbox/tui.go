package main

import (
	"context"
	"fmt"
)

// runTUI is what `pageinbox` with no command does: open the inbox.
func runTUI(ctx context.Context, cfg config) error {
	return fmt.Errorf("the TUI is %w", errNotBuilt)
}
