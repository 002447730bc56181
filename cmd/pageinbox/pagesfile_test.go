package main

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Changes made at the same time (two pages commands) are all kept: each
// is applied to the file as the other left it.
func TestUpdatePagesKeepsConcurrentChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pageinbox", "pages.json")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				p := connectedPage{ID: fmt.Sprintf("%d-%d", w, i), Token: newSecret("tok"), ConnectedAt: time.Now()}
				if err := updatePages(path, func(ps []connectedPage) ([]connectedPage, error) { return upsertPage(ps, p), nil }); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	pages, err := loadPages(path)
	if err != nil || len(pages) != 40 {
		t.Fatalf("%d Pages, %v; want the 40 written", len(pages), err)
	}
}
