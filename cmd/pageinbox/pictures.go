package main

import (
	"log/slog"
	"path/filepath"

	"github.com/pageinbox/pageinbox/inbox/media"
	"github.com/pageinbox/pageinbox/tui/thread"
)

// pictures is where a TUI run by this process gets its image previews:
// fetched within inbox/media's limits and cached under <data>/media. nil,
// no previews, when PAGEINBOX_IMAGES=0 or there is no data dir to cache in.
func pictures(cfg config, log *slog.Logger) thread.Pictures {
	if !cfg.Images || cfg.DataDir == "" {
		return nil
	}
	cache, err := media.NewCache(filepath.Join(cfg.DataDir, "media"), media.DefaultCacheBudget, nil)
	if err != nil {
		log.Warn("image previews off: no cache", "err", err)
		return nil
	}
	return &media.Previewer{Fetcher: media.NewFetcher(media.FetchOptions{}), Cache: cache}
}
