package main

import (
	"testing"
	"time"
)

// send --file a.png --file b.jpg: both images go as one multi-image
// message, each by the attachment_id of its upload, in order.
func TestSendSeveralImagesOneMessage(t *testing.T) {
	srv, env, _ := campaignEnv(t, map[string]group{"in": {1, time.Hour}})
	png := writeCLIFile(t, "a.png", []byte("\x89PNG\r\n\x1a\n"), 2048)
	jpg := writeCLIFile(t, "b.jpg", []byte("\xff\xd8\xff\xe0"), 3072)
	if code, out, errOut := runCLI(t, env, "send", "--to", "in0000", "--file", png, "--file", jpg); code != 0 {
		t.Fatalf("send: exit %d\n%s\n%s", code, out, errOut)
	}
	ups, sent := srv.Uploads(), srv.SentTo("in0000")
	if len(ups) != 2 || len(sent) != 1 || len(sent[0].Images) != 2 ||
		sent[0].Images[0].ID != ups[0].ID || sent[0].Images[1].ID != ups[1].ID {
		t.Fatalf("uploads %+v, sent %+v: want one message with both images", ups, sent)
	}
}
