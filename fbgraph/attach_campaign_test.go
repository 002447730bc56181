package fbgraph_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// A campaign of 500 recipients with a 2 MB image: the file is uploaded
// exactly once and every recipient gets one send by its attachment_id,
// counted by the emulator.
func TestCampaign500OneUploadSendsByID(t *testing.T) {
	w := newWorld(t, 500, fbtest.Config{})
	ctx := context.Background()
	path := writeFile(t, "size-chart.png", pngHead, 2<<20)
	client := w.client(fbgraph.Options{})
	u := &fbgraph.Uploader{Client: client, Store: w.st, PageID: w.page, Now: w.clock.Now}
	up, _, err := u.Attach(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Starting it again (a second campaign, a retry) uploads nothing.
	if again, reused, err := u.Attach(ctx, path); err != nil || !reused || again.AttachmentID != up.AttachmentID {
		t.Fatalf("second attach: %+v %v %v", again, reused, err)
	}
	l, err := w.st.Eligibility(ctx, w.page, w.keys(w.psids))
	if err != nil {
		t.Fatal(err)
	}
	camp, err := w.st.CreateCampaignFromLedger(ctx, store.Campaign{Title: "Sizes",
		UploadedFile: store.UploadedFile{AttachmentID: up.AttachmentID, AttachmentType: up.Type}}, l)
	if err != nil {
		t.Fatal(err)
	}
	d := fbgraph.NewDispatcher(w.st, client,
		fbgraph.DispatcherOptions{Rate: 2000, Burst: 50, Concurrency: 16, Now: w.clock.Now, Poll: 20 * time.Millisecond})
	camp = runCampaign(t, w, d, camp.ID)
	if camp.Status != store.CampaignDone || camp.Counts != (store.CampaignCounts{Total: 500, Sent: 500}) {
		t.Fatalf("campaign = %s %+v", camp.Status, camp.Counts)
	}
	ups := w.srv.Uploads()
	if len(ups) != 1 || ups[0].Size != 2<<20 || ups[0].ContentType != "image/png" {
		t.Fatalf("uploads = %+v, want one of 2 MB", ups)
	}
	byID := 0
	for _, psid := range w.psids {
		sent := w.srv.SentTo(psid)
		if len(sent) != 1 || sent[0].AttachmentID != up.AttachmentID || sent[0].AttachmentType != "image" || sent[0].Text != "" {
			t.Errorf("%s got %+v", psid, sent)
			continue
		}
		byID++
	}
	if byID != 500 || len(w.srv.Sent()) != 500 {
		t.Errorf("%d sends by attachment_id, %d sends in all; want 500 and 500", byID, len(w.srv.Sent()))
	}
}

// A reply with text and an uploaded file goes as two messages, the text
// first; the thread shows the file under its attachment_id.
func TestReplyWithTextAndFile(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	ctx := context.Background()
	client := w.client(fbgraph.Options{})
	up, err := client.UploadFile(ctx, writeFile(t, "invoice.pdf", []byte("%PDF-1.4\n"), 3000))
	if err != nil {
		t.Fatal(err)
	}
	key := store.ConvKey{PageID: w.page, PSID: w.psids[0]}
	item, err := w.st.Enqueue(ctx, store.Send{ConvKey: key, Text: "your invoice",
		UploadedFile: store.UploadedFile{AttachmentID: up.AttachmentID, AttachmentType: up.Type}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.Enqueue(ctx, store.Send{ConvKey: key, UploadedFile: store.UploadedFile{AttachmentType: "file"}}); err == nil {
		t.Error("a file without an attachment id was queued")
	}
	d := fbgraph.NewDispatcher(w.st, client, fbgraph.DispatcherOptions{Now: w.clock.Now, Poll: 20 * time.Millisecond})
	run(t, d, func() bool { return len(w.srv.Sent()) == 2 })
	sent := w.srv.Sent()
	if sent[0].Text != "your invoice" || sent[1].AttachmentID != up.AttachmentID || sent[1].AttachmentType != "file" {
		t.Fatalf("sent %+v", sent)
	}
	got, err := w.st.Item(ctx, item.ID)
	if err != nil || got.State != store.OutboxSent || got.AttachmentID != up.AttachmentID {
		t.Fatalf("item %+v %v", got, err)
	}
}

// Audio and video keep to MediaRate whatever Rate allows: with one media
// token per 1000 s, one audio goes and the second waits, while text
// passes it.
func TestAudioKeepsToMediaRate(t *testing.T) {
	w := newWorld(t, 3, fbtest.Config{})
	ctx := context.Background()
	client := w.client(fbgraph.Options{})
	up, err := client.UploadFile(ctx, writeFile(t, "note.mp3", []byte("ID3"), 3000))
	if err != nil || up.Type != "audio" {
		t.Fatalf("%+v %v", up, err)
	}
	audio := store.UploadedFile{AttachmentID: up.AttachmentID, AttachmentType: "audio"}
	for i, psid := range w.psids {
		s := store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: psid}, UploadedFile: audio}
		if i == 2 {
			s = store.Send{ConvKey: s.ConvKey, Text: "text is not held back"}
		}
		if _, err := w.st.Enqueue(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	d := fbgraph.NewDispatcher(w.st, client, fbgraph.DispatcherOptions{Rate: 1000, MediaRate: 0.001, Now: w.clock.Now, Poll: 20 * time.Millisecond})
	run(t, d, func() bool { return len(w.srv.SentTo(w.psids[2])) == 1 && len(w.srv.Sent()) >= 2 })
	audios := 0
	for _, s := range w.srv.Sent() {
		if s.AttachmentType == "audio" {
			audios++
		}
	}
	if audios != 1 {
		t.Errorf("%d audio sends went with one media token", audios)
	}
}

// An id Meta no longer knows: the send fails saying so, and the stored
// id is forgotten, so the next Attach uploads the file again.
func TestRefusedAttachmentIDIsForgotten(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	ctx := context.Background()
	client := w.client(fbgraph.Options{})
	u := &fbgraph.Uploader{Client: client, Store: w.st, PageID: w.page, Now: w.clock.Now}
	path := writeFile(t, "chart.png", pngHead, 3000)
	up, _, err := u.Attach(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w.srv.ExpireAttachments() // earlier than the 90 days
	item, err := w.st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: w.psids[0]},
		UploadedFile: store.UploadedFile{AttachmentID: up.AttachmentID, AttachmentType: up.Type}})
	if err != nil {
		t.Fatal(err)
	}
	d := fbgraph.NewDispatcher(w.st, client, fbgraph.DispatcherOptions{Now: w.clock.Now, Poll: 20 * time.Millisecond})
	var got store.OutboxItem
	run(t, d, func() bool {
		got, err = w.st.Item(ctx, item.ID)
		return err == nil && got.State != store.OutboxQueued && got.State != store.OutboxSending
	})
	if got.State != store.OutboxFailed || !strings.Contains(got.Reason, "uploaded again") {
		t.Fatalf("item %s %q", got.State, got.Reason)
	}
	again, reused, err := u.Attach(ctx, path)
	if err != nil || reused || again.AttachmentID == up.AttachmentID || len(w.srv.Uploads()) != 2 {
		t.Fatalf("after the refusal: %+v reused=%v %v, %d uploads", again, reused, err, len(w.srv.Uploads()))
	}
}
