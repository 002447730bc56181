package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

const echoWait = time.Minute

// ownEcho is Meta's echo of one of our sends: the send's metadata names
// the outbox item.
func ownEcho(it store.OutboxItem, mid string, t time.Time) store.Event {
	return store.Event{Kind: store.EventEcho, PageID: it.PageID, PSID: it.PSID, MID: mid, Text: it.Text, Time: t,
		Metadata: store.SendMetadata(it.ID), AppID: "1517776481860111"}
}

// sendAs enqueues a reply to psid, claims it and records outcome res.
func sendAs(t *testing.T, s *store.Store, psid, text string, res store.Result) store.OutboxItem {
	t.Helper()
	it, err := s.Enqueue(ctx(), store.Send{ConvKey: key(psid), Text: text})
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Claim(ctx(), 1)
	if err != nil || len(claimed) != 1 || claimed[0].ID != it.ID {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	if err := s.Complete(ctx(), it.ID, res); err != nil {
		t.Fatal(err)
	}
	return item(t, s, it.ID)
}

func item(t *testing.T, s *store.Store, id uint64) store.OutboxItem {
	t.Helper()
	it, err := s.Item(ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

var ambiguous = store.Result{Unknown: true, Reason: "may have been sent: HTTP 502", ErrorKind: store.KindAmbiguous}

func outbound(t *testing.T, s *store.Store, psid string) []store.Message {
	t.Helper()
	var out []store.Message
	for _, m := range thread(t, s, psid) {
		if m.Direction == store.Out {
			out = append(out, m)
		}
	}
	return out
}

// The echo of an unknown send settles it: sent, with the echo's mid, one
// message in the thread. A redelivered echo changes nothing.
func TestEchoSettlesAnUnknownSend(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	it := sendAs(t, s, "u1", "your order ships today", ambiguous)
	if it.State != store.OutboxUnknown || it.ErrorKind != store.KindAmbiguous {
		t.Fatalf("after a 502: %+v", it)
	}
	if m, _ := s.Message(ctx(), it.MessageID); m.Status != store.StatusUnknown || m.OutboxID != it.ID {
		t.Fatalf("message after a 502: %+v", m)
	}
	for range 2 {
		mustIngest(t, s, ownEcho(it, "mid.echo", at(time.Hour)))
	}
	it = item(t, s, it.ID)
	if it.State != store.OutboxSent || it.MID != "mid.echo" || it.Reason != "" || it.ErrorKind != "" {
		t.Errorf("after the echo: %+v", it)
	}
	outs := outbound(t, s, "u1")
	if len(outs) != 1 || outs[0].MID != "mid.echo" || outs[0].Status != store.StatusSent || outs[0].Error != "" {
		t.Errorf("thread after the echo: %+v", outs)
	}
	// Nothing is left waiting: a sweep long after does nothing.
	c.Advance(10 * echoWait)
	if res, err := s.SweepUnechoed(ctx(), echoWait); err != nil || res != (store.EchoSweep{}) {
		t.Errorf("sweep = %+v, %v", res, err)
	}
}

// The echo may overtake the ambiguous answer: the answer is then recorded
// as sent with the echo's mid.
func TestEchoBeforeTheAmbiguousAnswer(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	it, _ := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "hello"})
	if _, err := s.Claim(ctx(), 1); err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, ownEcho(it, "mid.early", at(time.Hour)))
	if err := s.Complete(ctx(), it.ID, ambiguous); err != nil {
		t.Fatal(err)
	}
	if it = item(t, s, it.ID); it.State != store.OutboxSent || it.MID != "mid.early" {
		t.Errorf("item = %+v", it)
	}
	if outs := outbound(t, s, "u1"); len(outs) != 1 || outs[0].Status != store.StatusSent {
		t.Errorf("thread = %+v", outs)
	}
}

// Without an echo, the sweep sends an item once more only if an echo of
// another of our sends arrived after it went unknown; never twice, never
// long after, never without that proof.
func TestSweepUnechoed(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(0)))

	// No echo of ours ever came: it stays unknown.
	lone := sendAs(t, s, "u1", "lone", ambiguous)
	c.Advance(echoWait / 2)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res != (store.EchoSweep{}) {
		t.Fatalf("swept before the wait ended: %+v", res)
	}
	c.Advance(echoWait)
	if res, err := s.SweepUnechoed(ctx(), echoWait); err != nil || res.GaveUp != 1 || res.Resent != 0 {
		t.Fatalf("sweep without echoes = %+v, %v", res, err)
	}
	if it := item(t, s, lone.ID); it.State != store.OutboxUnknown || it.ErrorKind != store.KindNoEcho {
		t.Errorf("lone item = %+v", it)
	}

	// An echo of ours that came before the item went unknown proves
	// nothing about the item.
	before := sendAs(t, s, "u2", "before", store.Result{MID: "mid.b"})
	mustIngest(t, s, ownEcho(before, "mid.b", c.Now()))
	c.Advance(time.Second)
	sendAs(t, s, "u1", "early", ambiguous)
	c.Advance(echoWait + time.Second)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res.GaveUp != 1 {
		t.Errorf("evidence from before: %+v", res)
	}

	// Echoes flowing after it went unknown, and none for it: sent once more.
	lost := sendAs(t, s, "u1", "lost", ambiguous)
	c.Advance(time.Second)
	later := sendAs(t, s, "u2", "later", store.Result{MID: "mid.l"})
	mustIngest(t, s, ownEcho(later, "mid.l", c.Now()))
	c.Advance(echoWait)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res.Resent != 1 || res.GaveUp != 0 {
		t.Fatalf("sweep with echoes = %+v", res)
	}
	if it := item(t, s, lost.ID); it.State != store.OutboxQueued || !it.AutoResent {
		t.Fatalf("lost item = %+v", it)
	}
	// Its second try is ambiguous too: no third.
	claimed, _ := s.Claim(ctx(), 10)
	if len(claimed) != 1 || claimed[0].ID != lost.ID {
		t.Fatalf("claim = %+v", claimed)
	}
	if err := s.Complete(ctx(), lost.ID, ambiguous); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Second)
	again := sendAs(t, s, "u2", "again", store.Result{MID: "mid.a"})
	mustIngest(t, s, ownEcho(again, "mid.a", c.Now()))
	c.Advance(echoWait)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res.Resent != 0 || res.GaveUp != 1 {
		t.Errorf("second sweep = %+v", res)
	}
	if it := item(t, s, lost.ID); it.State != store.OutboxUnknown || it.ErrorKind != store.KindNoEcho {
		t.Errorf("lost item after its second try = %+v", it)
	}
}

// A sweep that comes long after the wait (the process was down) does not
// send a stale reply.
func TestSweepNeverResendsLate(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(0)))
	lost := sendAs(t, s, "u1", "lost", ambiguous)
	c.Advance(time.Second)
	other := sendAs(t, s, "u2", "other", store.Result{MID: "mid.o"})
	mustIngest(t, s, ownEcho(other, "mid.o", c.Now()))
	c.Advance(6 * echoWait)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res.Resent != 0 || res.GaveUp != 1 {
		t.Errorf("late sweep = %+v", res)
	}
	if it := item(t, s, lost.ID); it.State != store.OutboxUnknown || it.ErrorKind != store.KindNoEcho {
		t.Errorf("late item = %+v", it)
	}
}

// The first try's echo arriving after the item was queued once more
// settles it: the second try never goes.
func TestLateEchoCancelsTheResend(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(0)))
	lost := sendAs(t, s, "u1", "lost", ambiguous)
	c.Advance(time.Second)
	other := sendAs(t, s, "u2", "other", store.Result{MID: "mid.o"})
	mustIngest(t, s, ownEcho(other, "mid.o", c.Now()))
	c.Advance(echoWait)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res.Resent != 1 {
		t.Fatalf("sweep = %+v", res)
	}
	mustIngest(t, s, ownEcho(lost, "mid.late", c.Now()))
	if it := item(t, s, lost.ID); it.State != store.OutboxSent || it.MID != "mid.late" {
		t.Errorf("item = %+v", it)
	}
	if claimed, _ := s.Claim(ctx(), 10); len(claimed) != 0 {
		t.Errorf("claimed %+v after its echo came", claimed)
	}
}

// An echo with our metadata but another text (the image that follows a
// text, another install's item) settles nothing.
func TestEchoOfAnotherTextSettlesNothing(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	it := sendAs(t, s, "u1", "the text", ambiguous)
	e := ownEcho(it, "mid.image", c.Now())
	e.Text = ""
	e.Attachments = []store.Attachment{{Type: "image", URL: "https://example.com/a.png"}}
	mustIngest(t, s, e)
	if got := item(t, s, it.ID); got.State != store.OutboxUnknown {
		t.Errorf("item = %+v", got)
	}
}

// Campaigns count unknown apart, and the items awaiting an echo too; a
// finished campaign runs again for an item sent once more.
func TestCampaignUnknownAndEchoes(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(0)), msg("u3", "m3", "hi", at(0)))
	camp, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T", Text: "sale"},
		[]store.Recipient{{ConvKey: key("u1")}, {ConvKey: key("u2")}, {ConvKey: key("u3")}})
	if err != nil {
		t.Fatal(err)
	}
	items, _ := s.Claim(ctx(), 3)
	if len(items) != 3 {
		t.Fatalf("claimed %d", len(items))
	}
	s.Complete(ctx(), items[0].ID, store.Result{MID: "mid.0"})
	s.Complete(ctx(), items[1].ID, ambiguous)
	s.Complete(ctx(), items[2].ID, ambiguous)
	got, _ := s.Campaign(ctx(), camp.ID)
	if got.Status != store.CampaignDone || got.Counts.Sent != 1 || got.Counts.Unknown != 2 || got.AwaitingEcho != 2 {
		t.Fatalf("campaign after two 502s = %s %+v", got.Status, got.Counts)
	}
	// One echo comes: sent. The other does not; echoes flow, so it goes again.
	c.Advance(time.Second)
	mustIngest(t, s, ownEcho(items[0], "mid.0", c.Now()), ownEcho(items[1], "mid.1", c.Now()))
	if got, _ = s.Campaign(ctx(), camp.ID); got.Counts.Sent != 2 || got.Counts.Unknown != 1 || got.AwaitingEcho != 1 {
		t.Fatalf("after an echo = %+v", got.Counts)
	}
	c.Advance(echoWait)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res.Resent != 1 {
		t.Fatalf("sweep = %+v", res)
	}
	if got, _ = s.Campaign(ctx(), camp.ID); got.Status != store.CampaignRunning || got.Counts.Queued != 1 || got.AwaitingEcho != 0 {
		t.Fatalf("after the sweep = %s %+v", got.Status, got.Counts)
	}
	again, _ := s.Claim(ctx(), 3)
	if len(again) != 1 || again[0].ID != items[2].ID {
		t.Fatalf("claim = %+v", again)
	}
	s.Complete(ctx(), again[0].ID, store.Result{MID: "mid.2"})
	if got, _ = s.Campaign(ctx(), camp.ID); got.Status != store.CampaignDone || got.Counts.Sent != 3 || got.Counts.Unknown != 0 {
		t.Errorf("at the end = %s %+v", got.Status, got.Counts)
	}
	list, _ := s.Campaigns(ctx())
	if len(list) != 1 || list[0].Counts != got.Counts {
		t.Errorf("Campaigns = %+v, Campaign = %+v", list, got.Counts)
	}
}

// Abandon leaves nothing that sends later: a queued item fails, an
// unknown one stops waiting for a resend; others are untouched.
func TestAbandon(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(0)))
	q, _ := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "held"})
	got, err := s.Abandon(ctx(), q.ID, "not sent: the Page token was refused")
	if err != nil || got.State != store.OutboxFailed || got.Retryable || got.Reason != "not sent: the Page token was refused" {
		t.Fatalf("abandoned queued item = %+v, %v", got, err)
	}
	if m, _ := s.Message(ctx(), q.MessageID); m.Status != store.StatusFailed || m.Error != got.Reason {
		t.Errorf("its message = %+v", m)
	}
	if n, _ := s.Queued(ctx()); n != 0 {
		t.Errorf("%d still queued", n)
	}
	u := sendAs(t, s, "u1", "maybe", ambiguous)
	if got, _ = s.Abandon(ctx(), u.ID, "gave up"); got.State != store.OutboxUnknown || got.ErrorKind != store.KindNoEcho {
		t.Errorf("abandoned unknown item = %+v", got)
	}
	c.Advance(time.Second)
	other := sendAs(t, s, "u2", "other", store.Result{MID: "mid.o"})
	mustIngest(t, s, ownEcho(other, "mid.o", c.Now()))
	c.Advance(echoWait)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res != (store.EchoSweep{}) {
		t.Errorf("an abandoned item was swept: %+v", res)
	}
	if got, _ = s.Abandon(ctx(), other.ID, "x"); got.State != store.OutboxSent {
		t.Errorf("a sent item changed: %+v", got)
	}
	if _, err := s.Abandon(ctx(), 999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// Resend is an agent's choice: a new item with the same message; the old
// one never goes again on its own.
func TestResend(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)), msg("u2", "m2", "hi", at(0)))
	u := sendAs(t, s, "u1", "maybe", ambiguous)
	fresh, err := s.Resend(ctx(), u.ID)
	if err != nil || fresh.ID == u.ID || fresh.Text != "maybe" || fresh.State != store.OutboxQueued || fresh.ConvKey != u.ConvKey {
		t.Fatalf("resend = %+v, %v", fresh, err)
	}
	if old := item(t, s, u.ID); old.State != store.OutboxUnknown || old.ErrorKind != store.KindResent {
		t.Errorf("old item = %+v", old)
	}
	if claimed, _ := s.Claim(ctx(), 10); len(claimed) != 1 || claimed[0].ID != fresh.ID {
		t.Fatalf("claim = %+v", claimed)
	}
	s.Complete(ctx(), fresh.ID, store.Result{MID: "mid.fresh"})
	c.Advance(time.Second)
	other := sendAs(t, s, "u2", "other", store.Result{MID: "mid.o"})
	mustIngest(t, s, ownEcho(other, "mid.o", c.Now()))
	c.Advance(echoWait)
	if res, _ := s.SweepUnechoed(ctx(), echoWait); res.Resent != 0 {
		t.Errorf("the old item was sent once more too: %+v", res)
	}
	if _, err := s.Resend(ctx(), other.ID); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("resending a sent item: %v", err)
	}
	c.Advance(25 * time.Hour)
	if _, err := s.Resend(ctx(), u.ID); !errors.Is(err, store.ErrOutsideWindow) {
		t.Errorf("resending outside the window: %v", err)
	}
}

// A reply sent again stays its author's: the new item and its message
// carry the agent of the one that may not have arrived.
func TestResendKeepsTheAuthor(t *testing.T) {
	c := newClock(at(time.Hour))
	s, _ := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	it, err := s.Enqueue(ctx(), store.Send{ConvKey: key("u1"), Text: "maybe", Agent: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if claimed, err := s.Claim(ctx(), 1); err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	if err := s.Complete(ctx(), it.ID, ambiguous); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Resend(ctx(), it.ID)
	if err != nil || fresh.Agent != "ana" {
		t.Fatalf("resend = %+v, %v; want ana's", fresh, err)
	}
	if m, err := s.Message(ctx(), fresh.MessageID); err != nil || m.Agent != "ana" {
		t.Errorf("the message sent again = %+v, %v; want ana's", m, err)
	}
}
