package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeCLIFile(t *testing.T, name string, head []byte, size int) string {
	t.Helper()
	b := make([]byte, size)
	copy(b, head)
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// send --file: each file is uploaded and sent by attachment_id after the
// text, one message each; the same file again is not uploaded again; a
// file over 25 MB sends nothing.
func TestSendFileCommand(t *testing.T) {
	srv, env, _ := campaignEnv(t, map[string]group{"in": {1, time.Hour}})
	png := writeCLIFile(t, "chart.png", []byte("\x89PNG\r\n\x1a\n"), 4096)
	pdf := writeCLIFile(t, "invoice.pdf", []byte("%PDF-1.4\n"), 4096)
	code, out, errOut := runCLI(t, env, "send", "--to", "in0000", "--text", "here you go", "--file", png, "--file", pdf)
	if code != 0 {
		t.Fatalf("send --file: exit %d\n%s\n%s", code, out, errOut)
	}
	sent := srv.SentTo("in0000")
	ups := srv.Uploads()
	if len(ups) != 2 || ups[0].ContentType != "image/png" || ups[1].ContentType != "application/pdf" {
		t.Fatalf("uploads %+v", ups)
	}
	if len(sent) != 3 || sent[0].Text != "here you go" || sent[1].AttachmentID != ups[0].ID || sent[1].AttachmentType != "image" ||
		sent[2].AttachmentID != ups[1].ID || sent[2].AttachmentType != "file" {
		t.Fatalf("sent %+v", sent)
	}
	if code, _, errOut := runCLI(t, env, "send", "--to", "in0000", "--file", png); code != 0 || !strings.Contains(errOut, "already uploaded") {
		t.Fatalf("second send of the same file: exit %d %q", code, errOut)
	}
	if n := len(srv.Uploads()); n != 2 {
		t.Errorf("%d uploads after sending the same file again, want 2", n)
	}
	big := filepath.Join(t.TempDir(), "big.mp4")
	os.WriteFile(big, nil, 0o600)
	os.Truncate(big, 26<<20)
	before := len(srv.Sent())
	if code, _, errOut := runCLI(t, env, "send", "--to", "in0000", "--text", "video", "--file", big); code == 0 || !strings.Contains(errOut, "25 MB") {
		t.Fatalf("26 MB file: exit %d %q", code, errOut)
	}
	if len(srv.Sent()) != before || len(srv.Uploads()) != 2 {
		t.Errorf("a refused file still sent or uploaded something")
	}
}

// campaign --file uploads once and sends by attachment_id to everyone.
func TestCampaignFileCommand(t *testing.T) {
	srv, env, _ := campaignEnv(t, map[string]group{"in": {5, time.Hour}})
	png := writeCLIFile(t, "sale.png", []byte("\x89PNG\r\n\x1a\n"), 8192)
	code, out, errOut := runCLI(t, env, "campaign", "--title", "Sale", "--text", "sale today", "--file", png, "--all")
	if code != 0 {
		t.Fatalf("campaign --file: exit %d\n%s\n%s", code, out, errOut)
	}
	ups := srv.Uploads()
	if len(ups) != 1 {
		t.Fatalf("uploads %+v", ups)
	}
	for i := 0; i < 5; i++ {
		psid := "in000" + string(rune('0'+i))
		sent := srv.SentTo(psid)
		if len(sent) != 2 || sent[0].Text != "sale today" || sent[1].AttachmentID != ups[0].ID {
			t.Errorf("%s got %+v", psid, sent)
		}
	}
}

// Through a daemon: the CLI uploads (the daemon has the file, not this
// process), and the daemon's dispatcher sends by attachment_id.
func TestSendFileThroughDaemon(t *testing.T) {
	srv, env, _ := campaignEnv(t, map[string]group{"in": {1, time.Hour}})
	startInProcessDaemon(t, env, "127.0.0.1:0")
	pdf := writeCLIFile(t, "invoice.pdf", []byte("%PDF-1.4\n"), 4096)
	code, out, errOut := runCLI(t, env, "send", "--to", "in0000", "--file", pdf)
	if code != 0 {
		t.Fatalf("send --file through the daemon: exit %d\n%s\n%s", code, out, errOut)
	}
	ups, sent := srv.Uploads(), srv.SentTo("in0000")
	if len(ups) != 1 || len(sent) != 1 || sent[0].AttachmentID != ups[0].ID || sent[0].AttachmentType != "file" {
		t.Fatalf("uploads %+v sent %+v", ups, sent)
	}
}
