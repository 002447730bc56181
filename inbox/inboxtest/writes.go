package inboxtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// A reply inside the window is queued and published as the store commits
// it: the message, its outbox item, then the conversation, which moves to
// the top of the list.
func sendPublishesInStoreOrder(t *testing.T, w World) {
	ctx := context.Background()
	w.Receive(key("u1"), "where is my parcel?", w.Now.Add(-2*time.Hour))
	w.Receive(key("u2"), "hello", w.Now.Add(-time.Hour))
	feed := subscribe(t, w.Backend)
	item, err := w.Backend.Send(ctx, store.Send{ConvKey: key("u1"), Text: "on its way", MessagingType: store.Response})
	if err != nil {
		t.Fatal(err)
	}
	if item.State != store.OutboxQueued || item.ConvKey != key("u1") || item.Text != "on its way" {
		t.Errorf("queued item %+v", item)
	}
	got := changesOf(t, feed, key("u1"), 3)
	if want := []store.ChangeKind{store.MessageAdded, store.OutboxChanged, store.ConversationUpdated}; !slices.Equal(kinds(got), want) {
		t.Fatalf("a send published %v, want %v", kinds(got), want)
	}
	if m := got[0].Message; m.Direction != store.Out || m.Status != store.StatusQueued || m.Text != "on its way" {
		t.Errorf("the reply as published: %+v", m)
	}
	if o := got[1].Outbox; o.ID != item.ID || o.State != store.OutboxQueued {
		t.Errorf("the outbox item as published: %+v, want %d queued", o, item.ID)
	}
	if c := got[2].Conversation; c.LastMessage != "on its way" || c.MessageCount != 2 {
		t.Errorf("the conversation as published: %+v", c)
	}
	if l := listAll(t, w.Backend, store.FilterAll, 50); !slices.Equal(l, []string{"u1", "u2"}) {
		t.Errorf("after the reply the list is %v, want u1 first", l)
	}
}

// Outside the window a reply is refused before anything is queued, and
// a conversation that does not exist is not found.
func sendRefusals(t *testing.T, w World) {
	ctx := context.Background()
	w.Receive(key("old"), "hi", w.Now.Add(-30*time.Hour))
	if _, err := w.Backend.Send(ctx, store.Send{ConvKey: key("old"), Text: "late", MessagingType: store.Response}); !errors.Is(err, store.ErrOutsideWindow) {
		t.Errorf("a RESPONSE 30 h after the customer wrote: %v, want ErrOutsideWindow", err)
	}
	if _, err := w.Backend.Send(ctx, store.Send{ConvKey: key("old"), Text: "a person answering",
		MessagingType: store.MessageTag, Tag: store.TagHumanAgent}); err != nil {
		t.Errorf("HUMAN_AGENT within 7 days: %v", err)
	}
	if _, err := w.Backend.Send(ctx, store.Send{ConvKey: key("nobody"), Text: "hi", MessagingType: store.Response}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a reply to nobody: %v, want ErrNotFound", err)
	}
	p, err := w.Backend.Thread(ctx, key("old"), "", 50)
	if err != nil || len(p.Messages) != 2 || p.Messages[1].Text != "a person answering" {
		t.Errorf("thread after the refusal: %+v, %v; want the customer's message and the tagged reply", p.Messages, err)
	}
}

// A customer's message is published as the store commits it, the message
// then the conversation, one more unread, at the top of the list.
func incomingMessage(t *testing.T, w World) {
	w.Receive(key("u1"), "first", w.Now.Add(-2*time.Hour))
	w.Receive(key("u2"), "second", w.Now.Add(-time.Hour))
	feed := subscribe(t, w.Backend)
	w.Receive(key("u1"), "any news?", w.Now.Add(-time.Minute))
	got := changesOf(t, feed, key("u1"), 2)
	if want := []store.ChangeKind{store.MessageAdded, store.ConversationUpdated}; !slices.Equal(kinds(got), want) {
		t.Fatalf("a message in published %v, want %v", kinds(got), want)
	}
	if m := got[0].Message; m.Direction != store.In || m.Text != "any news?" {
		t.Errorf("the message as published: %+v", m)
	}
	c := got[1].Conversation
	if c.Unread != 2 || c.LastMessage != "any news?" || !c.LastInboundTime.Equal(w.Now.Add(-time.Minute)) {
		t.Errorf("the conversation as published: %+v", c)
	}
	if l := listAll(t, w.Backend, store.FilterAll, 50); !slices.Equal(l, []string{"u1", "u2"}) {
		t.Errorf("after the message the list is %v, want u1 first", l)
	}
}

// Marking read and setting the status publish the conversation; drafts
// come back as saved, and only for a conversation that exists.
func readStatusAndDrafts(t *testing.T, w World) {
	ctx := context.Background()
	w.Receive(key("u1"), "hi", w.Now.Add(-time.Hour))
	feed := subscribe(t, w.Backend)
	if err := w.Backend.MarkRead(ctx, key("u1")); err != nil {
		t.Fatal(err)
	}
	if c := changesOf(t, feed, key("u1"), 1)[0]; c.Kind != store.ConversationUpdated || c.Conversation.Unread != 0 {
		t.Errorf("mark read published %v %+v", c.Kind, c.Conversation)
	}
	if err := w.Backend.SetStatus(ctx, key("u1"), store.ConvDone); err != nil {
		t.Fatal(err)
	}
	if c := changesOf(t, feed, key("u1"), 1)[0]; c.Kind != store.ConversationUpdated || c.Conversation.Status != store.ConvDone {
		t.Errorf("set status published %v %+v", c.Kind, c.Conversation)
	}
	if err := w.Backend.SaveDraft(ctx, key("u1"), "half a thought"); err != nil {
		t.Fatal(err)
	}
	if d, err := w.Backend.Draft(ctx, key("u1")); err != nil || d != "half a thought" {
		t.Errorf("draft = %q, %v", d, err)
	}
	if err := w.Backend.SaveDraft(ctx, key("nobody"), "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a draft for nobody: %v, want ErrNotFound", err)
	}
}
