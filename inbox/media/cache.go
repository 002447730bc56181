package media

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultCacheBudget is the on-disk budget of a Cache when none is given.
const DefaultCacheBudget = 200 << 20

// Cache keeps downscaled previews as small PNG files, one per URL hash, in
// one directory, and evicts the least recently used once their total size
// passes the budget. Recency is the file's mtime, set on every put and get,
// so it survives restarts and is shared by processes using the same dir.
type Cache struct {
	dir    string
	budget int64
	now    func() time.Time

	mu sync.Mutex // one put/get/evict at a time in this process
}

// NewCache returns a cache in dir (created if missing) holding at most
// budget bytes (DefaultCacheBudget if <= 0). now is the clock used for
// recency; nil is time.Now.
func NewCache(dir string, budget int64, now func() time.Time) (*Cache, error) {
	if budget <= 0 {
		budget = DefaultCacheBudget
	}
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("media: cache dir: %w", err)
	}
	return &Cache{dir: dir, budget: budget, now: now}, nil
}

// path names url's entry: a hash, so no part of a URL reaches the file system.
func (c *Cache) path(url string) string {
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:])+".png")
}

// Get returns url's preview and marks it recently used. A missing or
// damaged entry is a miss (a damaged one is removed to be fetched again).
func (c *Cache) Get(url string) (image.Image, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.path(url)
	f, err := os.Open(p)
	if err != nil {
		return nil, false
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		os.Remove(p)
		return nil, false
	}
	t := c.now()
	os.Chtimes(p, t, t) // best effort: a failed touch only ages the entry
	return img, true
}

// Put stores img as url's preview, then evicts down to the budget. The
// file is written aside and renamed in, so a reader never sees half of it.
func (c *Cache) Put(url string, img image.Image) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	tmp, err := os.CreateTemp(c.dir, ".put-*")
	if err != nil {
		return fmt.Errorf("media: cache put: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if err := png.Encode(tmp, img); err != nil {
		tmp.Close()
		return fmt.Errorf("media: cache put: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media: cache put: %w", err)
	}
	p := c.path(url)
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("media: cache put: %w", err)
	}
	t := c.now()
	os.Chtimes(p, t, t)
	return c.evict()
}

// evict removes the least recently used entries until the total fits.
func (c *Cache) evict() error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("media: cache evict: %w", err)
	}
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var all []entry
	var total int64
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".png") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed by another process meanwhile
		}
		all = append(all, entry{filepath.Join(c.dir, e.Name()), info.Size(), info.ModTime()})
		total += info.Size()
	}
	sort.Slice(all, func(i, j int) bool { return all[i].used.Before(all[j].used) })
	for _, e := range all {
		if total <= c.budget {
			break
		}
		if err := os.Remove(e.path); err == nil || os.IsNotExist(err) {
			total -= e.size
		}
	}
	return nil
}
