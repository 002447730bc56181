package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// A conversation goes to a named agent or the owner, or to nobody; any
// other name is refused with the names it could have been.
func TestAssignOnlyToKnownAgents(t *testing.T) {
	st := openStore(t, "u1")
	ctx := context.Background()
	b := &inbox.Local{Store: st, Owner: "olga"}
	key := store.ConvKey{PageID: page, PSID: "u1"}
	_, err := b.Assign(ctx, key, "ana")
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), `unknown agent "ana"`) || !strings.Contains(err.Error(), "olga") {
		t.Fatalf("assign to a stranger: %v", err)
	}
	if _, _, err := st.AddAgent(ctx, "ana"); err != nil {
		t.Fatal(err)
	}
	_, err = b.Assign(ctx, key, "cy")
	if err == nil || !strings.Contains(err.Error(), "ana, olga") {
		t.Errorf("the refusal lists the known agents: %v", err)
	}
	for _, who := range []string{"ana", "olga", ""} {
		if c, err := b.Assign(ctx, key, who); err != nil || c.Assignee != who {
			t.Errorf("assign %q = %q, %v", who, c.Assignee, err)
		}
	}
}

// waitState waits (generously) for a conversation to reach a state.
func waitState(t *testing.T, st *store.Store, key store.ConvKey, want store.ConvStatus) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := st.Conversation(context.Background(), key)
		if err == nil && c.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %q (%v), want %q", key.PSID, c.Status, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The service's timer reopens a snooze when its time passes: one that
// fell due while nothing ran at once on start, a short one while it runs,
// and one whose time the service's clock says has come.
func TestServiceWakesSnoozes(t *testing.T) {
	st := openStore(t, "due", "short", "later", "clock")
	bg := context.Background()
	key := func(p string) store.ConvKey { return store.ConvKey{PageID: page, PSID: p} }
	if _, err := st.SetState(bg, key("due"), store.ConvSnoozed, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	skew := time.Duration(0)
	svc := inbox.Start(ctx, st, inbox.Options{Now: func() time.Time { return time.Now().Add(skew) }})
	waitState(t, st, key("due"), store.ConvOpen)
	if _, err := st.SetState(bg, key("later"), store.ConvSnoozed, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetState(bg, key("short"), store.ConvSnoozed, time.Now().Add(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	waitState(t, st, key("short"), store.ConvOpen)
	if c, _ := st.Conversation(bg, key("later")); c.Status != store.ConvSnoozed {
		t.Errorf("a snooze an hour away woke: %q", c.Status)
	}
	cancel()
	svc.Wait()

	ctx, cancel = context.WithCancel(bg)
	defer cancel()
	skew = 2 * time.Hour // the clock passes the later snooze
	inbox.Start(ctx, st, inbox.Options{Now: func() time.Time { return time.Now().Add(skew) }})
	waitState(t, st, key("later"), store.ConvOpen)
}

// A reply to an unassigned conversation makes it the replier's, unless
// the switch is off; an assigned one keeps its agent either way.
func TestReplyClaimsUnassigned(t *testing.T) {
	st := openStore(t, "u1", "u2", "u3")
	ctx := context.Background()
	if _, _, err := st.AddAgent(ctx, "ben"); err != nil {
		t.Fatal(err)
	}
	ana := &inbox.Local{Store: st, Agent: store.Agent{ID: "ana", Name: "ana"}, Owner: "ana", Wake: func() {}}
	off := &inbox.Local{Store: st, Agent: store.Agent{ID: "ana", Name: "ana"}, Owner: "ana", Wake: func() {}, NoAutoAssign: true}
	if _, err := ana.Assign(ctx, key("u3"), "ben"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		be   *inbox.Local
		psid string
		want string
	}{{ana, "u1", "ana"}, {off, "u2", ""}, {ana, "u3", "ben"}} {
		if _, err := c.be.Send(ctx, store.Send{ConvKey: key(c.psid), Text: "on it"}); err != nil {
			t.Fatalf("send to %s: %v", c.psid, err)
		}
		conv, err := st.Conversation(ctx, key(c.psid))
		if err != nil || conv.Assignee != c.want {
			t.Errorf("%s after a reply: assignee %q (%v), want %q", c.psid, conv.Assignee, err, c.want)
		}
	}
}
