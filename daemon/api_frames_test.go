package daemon_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
)

// A client of protocol 2 (whole snapshots) is told which pageinbox to get.
func TestProtocol2ClientIsToldToUpgrade(t *testing.T) {
	d := startDaemon(t, openStore(t), nil)
	f := hello(t, d, 2)
	want := fmt.Sprintf("upgrade pageinbox: this daemon speaks protocol %d", daemon.ProtocolVersion)
	if f.Type != "error" || f.Error == nil || f.Error.Code != "upgrade_required" || !strings.Contains(f.Error.Message, want) {
		t.Errorf("answer to a version 2 hello: %+v, want %q", f, want)
	}
	if d.api.Attached() != 0 {
		t.Errorf("a refused client counts as attached")
	}
}

// A client of this version meeting a daemon of protocol 2 says the daemon
// is the one to upgrade.
func TestClientMeetingAProtocol2DaemonSaysUpgradeIt(t *testing.T) {
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		var hello daemon.Frame
		if conn.ReadJSON(&hello) != nil {
			return
		}
		// What a protocol 2 daemon answers any other version.
		conn.WriteJSON(daemon.Frame{Type: "error", Version: 2, Error: &daemon.FrameError{Code: "upgrade_required",
			Message: "this daemon speaks /ws protocol 2; upgrade pageinbox to attach"}})
	}))
	defer old.Close()
	_, err := daemon.Dial(context.Background(), "ws"+strings.TrimPrefix(old.URL, "http"), apiToken, store.Agent{Name: "x"}, nil)
	want := fmt.Sprintf("upgrade the daemon's pageinbox: it speaks protocol 2, this pageinbox protocol %d", daemon.ProtocolVersion)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("dialling a protocol 2 daemon: %v, want %q", err, want)
	}
}

// A client attaching while conversations are already being sent as deltas
// gets each of them whole first, and both clients then hold exactly the
// store's conversation.
func TestLateClientGetsConversationsWhole(t *testing.T) {
	st := openStore(t)
	d := startDaemon(t, st, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	early := dial(t, d)
	subEarly, _ := early.Subscribe(ctx)
	waitAttached(t, d, 1)
	key := store.ConvKey{PageID: pageID, PSID: "u1"}
	for _, mid := range []string{"m1", "m2"} { // the second goes as a delta
		postMessage(t, d, "u1", mid)
		if got := lastConversation(t, subEarly, key, mid); got.MessageCount == 0 {
			t.Fatalf("early client after %s: %+v", mid, got)
		}
	}
	late := dial(t, d)
	subLate, _ := late.Subscribe(ctx)
	waitAttached(t, d, 2)
	postMessage(t, d, "u1", "m3")
	want, err := st.Conversation(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	for name, sub := range map[string]<-chan store.Change{"early": subEarly, "late": subLate} {
		if got := lastConversation(t, sub, key, "m3"); !got.LastActivity.Equal(want.LastActivity) || !sameConversation(got, want) {
			t.Errorf("%s client holds %+v\n               store %+v", name, got, want)
		}
	}
}

// lastConversation waits for the message mid and the conversation change
// after it, and returns that conversation.
func lastConversation(t *testing.T, sub <-chan store.Change, key store.ConvKey, mid string) store.Conversation {
	t.Helper()
	deadline := time.After(10 * time.Second)
	seen := false
	for {
		select {
		case ch := <-sub:
			switch {
			case ch.Kind == store.Resync:
				t.Fatalf("a resync waiting for %s", mid)
			case ch.Kind == store.MessageAdded && ch.Message.MID == mid:
				seen = true
			case seen && ch.Kind == store.ConversationUpdated && ch.Conversation.ConvKey == key:
				return *ch.Conversation
			}
		case <-deadline:
			t.Fatalf("no conversation change after %s", mid)
		}
	}
}

// sameConversation compares as the JSON the TUI would be given: times by
// instant.
func sameConversation(a, b store.Conversation) bool {
	for _, p := range []*store.Conversation{&a, &b} {
		for _, tm := range []*time.Time{&p.LastMessageTime, &p.LastInboundTime, &p.SnoozedUntil, &p.DeliveredUpTo,
			&p.ReadUpTo, &p.LastActivity, &p.BlockedAt} {
			*tm = tm.UTC()
		}
	}
	return a == b
}
