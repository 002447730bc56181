package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

// An agent attached to the daemon sends a picture from their own machine:
// ctrl+a, ~/cha + tab completes, enter makes the chip, enter sends. The
// bytes go over /ws to the daemon, which holds the token and uploads
// them to Meta (the emulator) as image/png; the text then the picture
// reach the customer, and no temporary file is left in the data dir.
func TestAttachedTUISendsAFileInTmux(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildTUIBinary(t)
	dir := t.TempDir()
	dataDir, home := filepath.Join(dir, "data"), filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	picture := make([]byte, 1<<20)
	copy(picture, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for i := 16; i < len(picture); i++ {
		picture[i] = byte(i * 13)
	}
	if err := os.WriteFile(filepath.Join(home, "chart.png"), picture, 0o600); err != nil {
		t.Fatal(err)
	}
	var emu *fbtest.Server
	var hookAddr, addr string
	for attempt := 1; ; attempt++ {
		hookAddr, addr = fmt.Sprintf("127.0.0.1:%d", freePort(t)), fmt.Sprintf("127.0.0.1:%d", freePort(t))
		if hookAddr == addr {
			continue
		}
		emu = fbtest.NewServer(fbtest.Config{WebhookURL: "http://" + hookAddr + "/webhook", Echoes: true})
		cfg := emu.Config()
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "PAGEINBOX_GRAPH_URL=" + emu.URL(),
			"PAGE_ACCESS_TOKEN=" + cfg.PageToken, "APP_SECRET=" + cfg.AppSecret, "VERIFY_TOKEN=attach-e2e", "PAGE_ID=" + cfg.PageID}
		srv, inUse := startDaemonProcess(t, bin, env, hookAddr, addr, dataDir, attempt == 3)
		if srv != nil {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("serve's output:\n%s", srv.stderr.String())
				}
			})
			break
		}
		emu.Close()
		if !inUse {
			t.FailNow()
		}
	}
	t.Cleanup(emu.Close)
	cfg := emu.Config()

	inner := shellQuote(bin) + " --data " + shellQuote(dataDir) + "; echo EXITED:$?; sleep 30"
	command := "exec env -i PATH=" + shellQuote(os.Getenv("PATH")) + " HOME=" + shellQuote(home) +
		" TERM=xterm-256color PAGEINBOX_BELL=0 PAGEINBOX_AGENT=Ana sh -c " + shellQuote(inner)
	p := startTmuxPane(t, tmux, filepath.Join(dir, "tmux"), "/dev/null", command)
	p.waitFor("attached to the daemon", 15*time.Second, func(s screen) bool {
		return strings.Contains(s.text(), "● attached to ws://"+addr+"/ws")
	})

	driver := &fbtest.Driver{URL: "http://" + hookAddr + "/webhook", AppSecret: cfg.AppSecret, PageID: cfg.PageID}
	carla := "2490000000008001"
	emu.AddUser(carla, "Carla Mendes")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := emu.CustomerWrites(ctx, driver, carla, "Which size fits me?"); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the customer's message", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "Which size fits me?") })
	p.keys("Enter")
	p.waitFor("the reply box", 10*time.Second, func(s screen) bool { return strings.Contains(s.helpLine(), "enter send") })
	p.typeText("the size chart")
	p.keys("C-a")
	p.waitFor("the path input", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "attach:") })
	p.typeText("~/cha")
	p.keys("Tab")
	p.waitFor("~/cha completed", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "attach: ~/chart.png") })
	p.keys("Enter")
	p.waitFor("the chip", 10*time.Second, func(s screen) bool { return strings.Contains(s.text(), "[image chart.png 1.0 MB]") })
	p.keys("Enter")

	deadline := time.Now().Add(20 * time.Second)
	for {
		sent := emu.SentTo(carla)
		if len(sent) == 2 {
			if sent[0].Text != "the size chart" || sent[1].AttachmentType != "image" || sent[1].AttachmentID == "" {
				t.Fatalf("sent %+v, want the text then the picture by attachment_id", sent)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the customer got %+v in 20 s, want the text and the picture", sent)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sum := sha256.Sum256(picture)
	ups := emu.Uploads()
	if len(ups) != 1 || ups[0].ContentType != "image/png" || ups[0].SHA256 != hex.EncodeToString(sum[:]) || ups[0].ID != emu.SentTo(carla)[1].AttachmentID {
		t.Errorf("Meta's uploads %+v, want the picture once as image/png", ups)
	}
	left, _ := filepath.Glob(filepath.Join(dataDir, "*upload-*"))
	if len(left) != 0 {
		t.Errorf("temporary upload files left in the data dir: %v", left)
	}
}
