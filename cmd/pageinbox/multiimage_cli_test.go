package main

import (
	"context"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// send --file a.png --file b.jpg: both images go as one multi-image
// message, each by the attachment_id of its upload, in order; the thread
// keeps each file's name and size for its chip.
func TestSendSeveralImagesOneMessage(t *testing.T) {
	srv, env, dir := campaignEnv(t, map[string]group{"in": {1, time.Hour}})
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
	withStore(t, dir, func(st *store.Store) {
		p, err := st.Thread(context.Background(), store.ConvKey{PageID: srv.PageID(), PSID: "in0000"}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		atts := p.Messages[len(p.Messages)-1].Attachments
		if len(atts) != 2 || atts[0].Name != "a.png" || atts[0].Size != 2048 || atts[1].Name != "b.jpg" || atts[1].Size != 3072 {
			t.Errorf("the thread shows %+v", atts)
		}
	})
}
