package main

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// openStore opens inbox.db in the data dir. Commands that only read or
// append (export, replay) give up quickly when the daemon holds the file.
func openStore(cfg config, owner string, timeout time.Duration) (*store.Store, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("no data dir: set --data or PAGEINBOX_DATA (or HOME)")
	}
	fault, _ := strconv.Atoi(cfg.FaultCommit) // checked by config.check
	return store.Open(filepath.Join(cfg.DataDir, "inbox.db"), store.Options{Owner: owner, Timeout: timeout, FaultCommit: fault,
		Scrubber: scrubber})
}

// scrubber takes a forgotten customer out of raw webhook bodies.
func scrubber(pageID, psid string) store.JournalScrubber { return webhook.NewScrub(pageID, psid) }

// newLogger logs to w (stderr for serve): text, debug level with --debug.
func newLogger(cfg config) *slog.Logger {
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
