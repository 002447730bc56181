package daemon_test

import (
	"context"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// The team methods round-trip over /ws, and a change one client makes
// reaches the other on its feed.
func TestTeamMethodsOverWS(t *testing.T) {
	st := openStore(t)
	d := startDaemon(t, st, nil)
	a, b := dial(t, d), dial(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	subB, _ := b.Subscribe(ctx)
	waitAttached(t, d, 2)
	postMessage(t, d, "u1", "m1")
	if !sawMessage(subB, "m1", 5*time.Second) {
		t.Fatal("b never saw m1")
	}
	key := store.ConvKey{PageID: pageID, PSID: "u1"}
	if _, _, err := st.AddAgent(ctx, "ben"); err != nil { // only a named agent is assignable
		t.Fatal(err)
	}
	if c, err := a.Assign(ctx, key, "ben"); err != nil || c.Assignee != "ben" {
		t.Fatalf("assign = %+v %v", c, err)
	}
	if !sawChange(subB, func(c store.Change) bool {
		return c.Kind == store.ConversationUpdated && c.Conversation.Assignee == "ben"
	}, 5*time.Second) {
		t.Error("b never saw the assignment")
	}
	mine, err := b.Conversations(ctx, store.ListQuery{Assignee: "ben"})
	if err != nil || len(mine.Conversations) != 1 {
		t.Errorf("ben's list = %+v %v", mine, err)
	}
	if c, err := a.SetLabels(ctx, key, []string{"wholesale"}, nil); err != nil || !c.Labels.Has("wholesale") {
		t.Errorf("set_labels = %+v %v", c, err)
	}
	until := now.Add(2 * time.Hour).UTC()
	if c, err := a.SetState(ctx, key, store.ConvSnoozed, until); err != nil || c.Status != store.ConvSnoozed || !c.SnoozedUntil.Equal(until) {
		t.Errorf("set_state = %+v %v", c, err)
	}
	if _, err := a.AddNote(ctx, key, "parcel lost?"); err != nil {
		t.Fatal(err)
	}
	if !sawChange(subB, func(c store.Change) bool { return c.Kind == store.NoteAdded && c.Note.Text == "parcel lost?" }, 5*time.Second) {
		t.Error("b never saw the note")
	}
	if _, err := a.SaveReply(ctx, store.SavedReply{PageID: pageID, Shortcut: "hi", Text: "Hi {first_name}"}); err != nil {
		t.Fatal(err)
	}
	if rs, err := b.Replies(ctx, pageID); err != nil || len(rs) != 1 || rs[0].Shortcut != "hi" {
		t.Errorf("replies = %+v %v", rs, err)
	}
	contact, err := b.Contact(ctx, key)
	if err != nil || contact.Inbound != 1 || len(contact.Notes) != 1 || contact.Assignee != "ben" {
		t.Errorf("contact = %+v %v", contact, err)
	}
	if err := b.DeleteReply(ctx, pageID, "hi"); err != nil {
		t.Error(err)
	}
}

func sawChange(sub <-chan store.Change, ok func(store.Change) bool, within time.Duration) bool {
	deadline := time.After(within)
	for {
		select {
		case c := <-sub:
			if ok(c) {
				return true
			}
		case <-deadline:
			return false
		}
	}
}
