package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// Every fixture goes through the whole handler into a real store: each is
// acknowledged (malformed ones too: they are journaled, so nothing signed
// is lost), and replaying the journal afterwards changes nothing.
func TestEveryFixtureThroughTheHandler(t *testing.T) {
	st := openStore(t)
	h := newHandler(t, st, nil)
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 20 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		body, _ := os.ReadFile(f)
		for i := 0; i < 2; i++ { // and each one redelivered
			if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
				t.Errorf("%s: %d %s", f, w.Code, w.Body)
			}
		}
	}
	bad, _ := filepath.Glob("testdata/malformed/*")
	for _, f := range bad {
		body, _ := os.ReadFile(f)
		if w := post(h, body, webhook.SignatureHeader(body, secret)); w.Code != 200 {
			t.Errorf("%s: %d, want 200", f, w.Code)
		}
	}
	var before bytes.Buffer
	st.Export(context.Background(), &before, false)
	if before.Len() == 0 {
		t.Fatal("fixtures stored nothing")
	}
	rs, err := webhook.Replay(context.Background(), st, time.Time{}, func() time.Time { return now })
	if err != nil || rs.Posts != 2*len(files)+len(bad) {
		t.Fatalf("replay: %+v %v", rs, err)
	}
	var after bytes.Buffer
	st.Export(context.Background(), &after, false)
	if !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Errorf("replay changed the store:\n%s\n---\n%s", before.String(), after.String())
	}
}

func event(psid string, at time.Time, body string) []byte {
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,%s}]}]}`,
		pageID, ms(at), psid, pageID, ms(at), body))
}

func echoEvent(psid string, at time.Time, body string) []byte {
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,"message":%s}]}]}`,
		pageID, ms(at), pageID, psid, ms(at), body))
}

// Our send, then Meta's echo of it: one message, not two, and never a reply
// to the echo. Then a delivery that arrives before the echo it covers.
func TestEchoLoopAndEarlyDelivery(t *testing.T) {
	st := openStore(t)
	h := newHandler(t, st, nil)
	ctx := context.Background()
	send := func(b []byte) {
		t.Helper()
		if w := post(h, b, webhook.SignatureHeader(b, secret)); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	send(textPOST("u1", "m.in", "do you ship to Porto?", now.Add(-time.Hour)))
	item, err := st.Enqueue(ctx, store.Send{ConvKey: store.ConvKey{PageID: pageID, PSID: "u1"}, Text: "yes, 2 days"})
	if err != nil {
		t.Fatal(err)
	}
	st.Claim(ctx, 1)
	if err := st.Complete(ctx, item.ID, store.Result{MID: "m.out"}); err != nil {
		t.Fatal(err)
	}
	send(echoEvent("u1", now, `{"is_echo":true,"app_id":1517776481860111,"mid":"m.out","text":"yes, 2 days","metadata":"`+store.SendMetadata(item.ID)+`"}`))
	send(echoEvent("u1", now, `{"is_echo":true,"app_id":1517776481860111,"mid":"m.out","text":"yes, 2 days"}`))

	// A human answers from Meta's inbox; the delivery overtakes the echo.
	send(event("u1", now.Add(2*time.Second), `"delivery":{"mids":["m.human"],"watermark":`+fmt.Sprint(ms(now.Add(2*time.Second)))+`}`))
	send(echoEvent("u1", now.Add(time.Second), `{"is_echo":true,"app_id":263902037430900,"mid":"m.human","text":"and free shipping"}`))

	p, err := st.Thread(ctx, store.ConvKey{PageID: pageID, PSID: "u1"}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range p.Messages {
		got = append(got, fmt.Sprintf("%s %s %s", m.Direction, m.Text, m.Status))
	}
	want := "[in do you ship to Porto? received out yes, 2 days delivered out and free shipping delivered]"
	if fmt.Sprint(got) != want {
		t.Errorf("thread = %v\nwant    %s", got, want)
	}
	if n, _ := st.Queued(ctx); n != 0 {
		t.Errorf("an echo queued %d sends", n)
	}
}
