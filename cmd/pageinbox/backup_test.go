package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func TestBackupOnTheFile(t *testing.T) {
	env := dataEnv(t)
	withStore(t, env["PAGEINBOX_DATA"], func(st *store.Store) {
		st.EnsurePages(t.Context(), []string{e2ePage})
		st.Ingest(t.Context(), []store.Event{{Kind: store.EventMessage, PageID: e2ePage, PSID: "u1", MID: "m1",
			Text: "hi", Time: time.Now()}})
	})
	dir := t.TempDir()
	dst := filepath.Join(dir, "inbox-backup.db")
	code, out, errOut := runCLI(t, env, "backup", dst)
	if code != 0 || !strings.Contains(out, "1 conversations, 1 messages") || !strings.Contains(out, "check passed") {
		t.Fatalf("backup: exit %d, %q %q", code, out, errOut)
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	before, _ := os.ReadFile(dst)

	// Not over an existing file without --force; with it, yes.
	if code, _, errOut := runCLI(t, env, "backup", dst); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("backup over a file: exit %d, %q", code, errOut)
	}
	if after, _ := os.ReadFile(dst); string(after) != string(before) {
		t.Error("a refused backup changed the file")
	}
	if code, _, errOut := runCLI(t, env, "backup", dst, "--force"); code != 0 {
		t.Errorf("backup --force after the file: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "backup", "--force", dst); code != 0 {
		t.Errorf("backup --force before the file: exit %d, %q", code, errOut)
	}
	compact := filepath.Join(dir, "compact.db")
	if code, out, errOut := runCLI(t, env, "backup", "--compact", compact); code != 0 ||
		!strings.Contains(out, "compacted") || !strings.Contains(out, "1 conversations, 1 messages") {
		t.Errorf("backup --compact: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "backup", filepath.Join(dir, "no", "such", "dir", "x.db")); code != 1 || errOut == "" {
		t.Errorf("backup into a missing dir: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "backup"); code != 1 || !strings.Contains(errOut, "usage") {
		t.Errorf("backup without a file: exit %d, %q", code, errOut)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*partial*")); len(left) > 0 {
		t.Errorf("partial files left behind: %v", left)
	}
}

// Must show: `backup` while a webhook flood runs into serve. The copy
// opens, passes bbolt's check, and holds every message acknowledged
// before the backup began.
func TestBackupDuringAWebhookFlood(t *testing.T) {
	env := dataEnv(t)
	// History first, so that the copy takes a while to stream.
	withStore(t, env["PAGEINBOX_DATA"], func(st *store.Store) {
		st.EnsurePages(t.Context(), []string{e2ePage})
		text := strings.Repeat("history ", 40)
		for b := 0; b < 20; b++ {
			var evs []store.Event
			for i := 0; i < 500; i++ {
				evs = append(evs, store.Event{Kind: store.EventMessage, PageID: e2ePage, PSID: fmt.Sprintf("h%d", i),
					MID: fmt.Sprintf("old-%d-%d", b, i), Text: text, Time: time.Now().Add(-time.Hour)})
			}
			if err := st.Ingest(t.Context(), evs); err != nil {
				t.Fatal(err)
			}
		}
	})
	hook, stop := serveWithWebhook(t, env)
	const workers, maxPosts = 8, 4000
	var (
		mu      sync.Mutex
		acked   []string // mids answered 200, in order
		posts   int
		done    = make(chan struct{})
		flooded sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		flooded.Add(1)
		go func(w int) {
			defer flooded.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				mu.Lock()
				if posts >= maxPosts {
					mu.Unlock()
					return
				}
				posts++
				mu.Unlock()
				mid := fmt.Sprintf("flood-%d-%d", w, i)
				body := e2eBody(e2eInbound(fmt.Sprintf("c%d", i%50), time.Now().UnixMilli(),
					`{"mid":"`+mid+`","text":"message `+mid+`"}`))
				code, err := postSigned(hook, body)
				if err != nil || code != 200 {
					t.Errorf("POST %s: %d %v", mid, code, err)
					return
				}
				mu.Lock()
				acked = append(acked, mid)
				mu.Unlock()
			}
		}(w)
	}
	ackedNow := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	deadline := time.Now().Add(60 * time.Second)
	for ackedNow() < 300 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d POSTs acknowledged after 60 s", ackedNow())
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	dst := filepath.Join(t.TempDir(), "during-flood.db")
	code, out, errOut := runCLI(t, env, "backup", dst)
	during := ackedNow() - len(before)
	close(done)
	flooded.Wait()
	if code != 0 {
		t.Fatalf("backup during the flood: exit %d, %q %q", code, out, errOut)
	}
	t.Logf("%d POSTs acknowledged before the backup, %d while it ran; %s", len(before), during, strings.TrimSpace(out))
	stop()

	info, err := store.VerifyBackup(dst)
	if err != nil {
		t.Fatalf("the copy fails bbolt's check: %v", err)
	}
	if info.Messages < len(before) {
		t.Errorf("copy holds %d messages, %d were acknowledged before it began", info.Messages, len(before))
	}
	copied, err := store.Open(dst, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	for _, mid := range before {
		if _, err := copied.MessageByMID(t.Context(), e2ePage, mid); err != nil {
			t.Fatalf("message %s, acknowledged before the backup, is not in it: %v", mid, err)
		}
	}
	if err := copied.Check(); err != nil {
		t.Error(err)
	}
}
