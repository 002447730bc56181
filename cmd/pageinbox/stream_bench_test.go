package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store/storetest"
)

// lineCounter counts the lines written through it.
type lineCounter struct{ lines, bytes int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += int64(bytes.Count(p, []byte("\n")))
	c.bytes += int64(len(p))
	return len(p), nil
}

// BenchmarkExportMillionThroughDaemon: `pageinbox export` of the 100k
// conversation fixture (about a million messages) through a running
// serve, every line arriving. Run with -bench (building the fixture the
// first time takes minutes).
func BenchmarkExportMillionThroughDaemon(b *testing.B) {
	src := storetest.Large.Path(b)
	facts := storetest.Large.Facts()
	env := map[string]string{"PAGEINBOX_DATA": b.TempDir(), "APP_SECRET": adminSecret}
	env["HOME"] = env["PAGEINBOX_DATA"]
	copyFile(b, src, filepath.Join(env["PAGEINBOX_DATA"], "inbox.db"))
	serveWithWebhook(b, env)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var c lineCounter
		start := time.Now()
		ac, err := adminClient(config{DataDir: env["PAGEINBOX_DATA"]}, daemonURL(config{DataDir: env["PAGEINBOX_DATA"]}))
		if err == nil {
			err = ac.Export(b.Context(), &c, false)
		}
		if err != nil {
			b.Fatal(err)
		}
		if c.lines != int64(facts.Messages) {
			b.Fatalf("exported %d lines, the fixture has %d messages", c.lines, facts.Messages)
		}
		b.ReportMetric(float64(c.lines), "lines/op")
		b.ReportMetric(float64(c.bytes)/1e6, "MB/op")
		b.Logf("%d messages, %.0f MB in %v", c.lines, float64(c.bytes)/1e6, time.Since(start).Round(time.Millisecond))
	}
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	in, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkBackupLargeThroughDaemon: `pageinbox backup` of the same
// fixture (about 1 GB) through a running serve, copy checked.
func BenchmarkBackupLargeThroughDaemon(b *testing.B) {
	src := storetest.Large.Path(b)
	env := map[string]string{"PAGEINBOX_DATA": b.TempDir(), "APP_SECRET": adminSecret}
	env["HOME"] = env["PAGEINBOX_DATA"]
	copyFile(b, src, filepath.Join(env["PAGEINBOX_DATA"], "inbox.db"))
	serveWithWebhook(b, env)
	out := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := run(b.Context(), []string{"backup", "--force", filepath.Join(out, "copy.db")}, mapEnv(env), &stdout, &stderr)
		if code != 0 {
			b.Fatalf("backup: exit %d: %s", code, stderr.String())
		}
		b.Logf("%s in %v", bytes.TrimSpace(stdout.Bytes()), time.Since(start).Round(time.Millisecond))
	}
}
