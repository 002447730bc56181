//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// lockPagesFile holds an exclusive lock beside the secrets file until
// unlock, so two pages commands do not lose each other's change.
func lockPagesFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pages file lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("pages file lock: %w", err)
	}
	return func() { f.Close() }, nil // closing releases the lock
}
