package fbgraph_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
	"github.com/pageinbox/pageinbox/store"
)

// uploadImages uploads n small PNGs and returns them as uploaded files.
func uploadImages(t *testing.T, client *fbgraph.Client, n int) []store.UploadedFile {
	t.Helper()
	out := make([]store.UploadedFile, n)
	for i := range out {
		up, err := client.UploadFile(context.Background(), writeFile(t, fmt.Sprintf("photo%d.png", i), pngHead, 100+i))
		if err != nil || up.Type != "image" {
			t.Fatalf("upload %d: %+v %v", i, up, err)
		}
		out[i] = store.UploadedFile{AttachmentID: up.AttachmentID, AttachmentType: "image"}
	}
	return out
}

// imageIDs are the attachment ids a customer received, in order, across
// single- and multi-image messages.
func imageIDs(sent []fbtest.Sent) []string {
	var ids []string
	for _, s := range sent {
		if len(s.Images) == 0 && s.AttachmentType == "image" {
			ids = append(ids, s.AttachmentID)
		}
		for _, img := range s.Images {
			ids = append(ids, img.ID)
		}
	}
	return ids
}

func fileIDs(files []store.UploadedFile) []string {
	ids := make([]string, len(files))
	for i, f := range files {
		ids[i] = f.AttachmentID
	}
	return ids
}

// Three images go as one message (message.attachments by attachment_id).
// Meta's answer is lost (an edge 502 after it accepted the send): the
// item is unknown until the echo, which carries the three images and the
// item's metadata, settles it as sent with Meta's mid.
func TestMultiImageIsOneMessageSettledByItsEcho(t *testing.T) {
	w := echoWorld(t, 1)
	ctx := context.Background()
	client := w.client(fbgraph.Options{})
	imgs := uploadImages(t, client, 3)
	w.srv.SetAcceptFaultRate(1, fbtest.Edge502)
	item, err := w.st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: w.psids[0]},
		UploadedFile: imgs[0], Images: imgs[1:]})
	if err != nil {
		t.Fatal(err)
	}
	d := fbgraph.NewDispatcher(w.st, client, fbgraph.DispatcherOptions{Now: w.clock.Now, Poll: 20 * time.Millisecond})
	start(t, d)
	waitFor(t, "the echo settles the item", func() bool { return itemNow(t, w.st, item.ID).State == store.OutboxSent })
	sent := w.srv.SentTo(w.psids[0])
	if len(sent) != 1 || len(sent[0].Images) != 3 || fmt.Sprint(imageIDs(sent)) != fmt.Sprint(fileIDs(imgs)) {
		t.Fatalf("sent %+v, want one message with the three images in order", sent)
	}
	it := itemNow(t, w.st, item.ID)
	m, err := w.st.Message(ctx, it.MessageID)
	if err != nil || it.MID != sent[0].MID || m.MID != sent[0].MID || len(m.Attachments) != 3 || d.Stats().Unknown != 1 {
		t.Fatalf("item %+v, message %+v (%v), stats %+v", it, m, err, d.Stats())
	}
}

// 65 images: three messages of 30, 30 and 5, each image once and in
// order; the text goes first, and a PDF among them alone. Meta's limit
// of 30 is also the store's: 31 images in one send are refused.
func TestMultiImageSplitsAtThirty(t *testing.T) {
	w := newWorld(t, 1, fbtest.Config{})
	ctx := context.Background()
	client := w.client(fbgraph.Options{})
	imgs := uploadImages(t, client, 65)
	pdf, err := client.UploadFile(ctx, writeFile(t, "invoice.pdf", []byte("%PDF-1.4\n"), 300))
	if err != nil {
		t.Fatal(err)
	}
	key := store.ConvKey{PageID: w.page, PSID: w.psids[0]}
	files := append(append(imgs[:1:1], store.UploadedFile{AttachmentID: pdf.AttachmentID, AttachmentType: pdf.Type}), imgs[1:]...)
	sends := store.FileSends(store.Send{ConvKey: key, Text: "the photos"}, files)
	if len(sends) != 4 {
		t.Fatalf("%d sends, want 3 of images and 1 of the PDF", len(sends))
	}
	if _, err := w.st.Enqueue(ctx, store.Send{ConvKey: key, UploadedFile: imgs[0], Images: imgs[1:31]}); err == nil {
		t.Fatal("31 images in one send were queued")
	}
	for _, s := range sends {
		if _, err := w.st.Enqueue(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	d := fbgraph.NewDispatcher(w.st, client, fbgraph.DispatcherOptions{Concurrency: 1, Now: w.clock.Now, Poll: 20 * time.Millisecond})
	run(t, d, func() bool { return len(w.srv.Sent()) == 5 })
	sent := w.srv.SentTo(w.psids[0])
	var counts []int
	for _, s := range sent {
		counts = append(counts, len(s.Images))
	}
	if sent[0].Text != "the photos" || fmt.Sprint(counts) != "[0 30 30 5 0]" || sent[4].AttachmentType != "file" {
		t.Fatalf("messages %v (images each), first %q, last %q", counts, sent[0].Text, sent[4].AttachmentType)
	}
	if fmt.Sprint(imageIDs(sent)) != fmt.Sprint(fileIDs(imgs)) {
		t.Error("the images did not each arrive once, in order")
	}
}

// A Page whose multi-image send Meta refuses (a plain #100 parameter
// error: nothing sent) gets its images one message each, every image
// exactly once; the refusal is remembered, so the next item skips the
// attempt.
func TestMultiImageFallsBackOnePerImage(t *testing.T) {
	w := echoWorld(t, 2)
	ctx := context.Background()
	client := w.client(fbgraph.Options{})
	imgs := uploadImages(t, client, 3)
	w.srv.RefuseMultiImageByID(true)
	var items []store.OutboxItem
	for _, psid := range w.psids {
		it, err := w.st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: w.page, PSID: psid}, UploadedFile: imgs[0], Images: imgs[1:]})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	d := fbgraph.NewDispatcher(w.st, client, fbgraph.DispatcherOptions{Concurrency: 1, Now: w.clock.Now, Poll: 20 * time.Millisecond})
	run(t, d, func() bool { return len(w.srv.Sent()) == 6 && allDone(t, w.st, items) })
	for i, psid := range w.psids {
		sent := w.srv.SentTo(psid)
		if len(sent) != 3 || fmt.Sprint(imageIDs(sent)) != fmt.Sprint(fileIDs(imgs)) {
			t.Errorf("%s got %+v, want the three images one message each", psid, sent)
		}
		if it := itemNow(t, w.st, items[i].ID); it.State != store.OutboxSent || it.MID != sent[0].MID {
			t.Errorf("item %+v", it)
		}
	}
	tries := 0
	for _, r := range w.srv.Requests() {
		if bytes.Contains(r.Body, []byte("attachments")) {
			tries++
		}
	}
	if tries != 1 {
		t.Errorf("%d multi-image attempts, want 1: the refusal is remembered for the Page", tries)
	}
}
