package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func TestConversationUpdates(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	sub := s.Subscribe(16)
	defer sub.Close()
	tests := []struct {
		name  string
		apply func() (store.Conversation, error)
		check func(store.Conversation) bool
	}{
		{"name", func() (store.Conversation, error) { return s.SetName(ctx(), key("u1"), "Ana Souza") },
			func(c store.Conversation) bool { return c.Name == "Ana Souza" }},
		{"draft", func() (store.Conversation, error) { return s.SaveDraft(ctx(), key("u1"), "Thanks Ana,\nsee you") },
			func(c store.Conversation) bool { return c.Draft == "Thanks Ana,\nsee you" }},
		{"read", func() (store.Conversation, error) { return s.MarkRead(ctx(), key("u1")) },
			func(c store.Conversation) bool { return c.Unread == 0 }},
		{"done", func() (store.Conversation, error) { return s.SetStatus(ctx(), key("u1"), store.ConvDone) },
			func(c store.Conversation) bool { return c.Status == store.ConvDone }},
	}
	for _, tt := range tests {
		got, err := tt.apply()
		if err != nil || !tt.check(got) {
			t.Errorf("%s: %+v %v", tt.name, got, err)
		}
		if stored := conv(t, s, "u1"); !tt.check(stored) {
			t.Errorf("%s not stored: %+v", tt.name, stored)
		}
		if ch := <-sub.C; ch.Kind != store.ConversationUpdated || !tt.check(*ch.Conversation) {
			t.Errorf("%s: change %+v", tt.name, ch)
		}
	}
	// Updates of unknown conversations and bad values are refused.
	if _, err := s.SetName(ctx(), key("nobody"), "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
	if _, err := s.SetStatus(ctx(), key("u1"), "archived"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
	if _, err := s.SaveDraft(ctx(), store.ConvKey{PageID: page}, "x"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty psid: %v", err)
	}
}

func TestEnsurePagesKeepsNames(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	if err := s.EnsurePages(ctx(), []string{page, "PAGE2"}); err != nil {
		t.Fatal(err)
	}
	pages, _ := s.Pages(ctx())
	names := map[string]string{}
	for _, p := range pages {
		names[p.ID] = p.Name
	}
	if len(names) != 2 || names[page] != "Shop" {
		t.Errorf("pages = %v", names)
	}
	if err := s.EnsurePages(ctx(), []string{""}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty page id: %v", err)
	}
}

func TestCampaignPauseAndCancel(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	var rs []store.Recipient
	for _, psid := range []string{"a", "b", "c"} {
		mustIngest(t, s, msg(psid, "m"+psid, "hi", at(0)))
		rs = append(rs, store.Recipient{ConvKey: key(psid)})
	}
	camp, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Title: "T", Text: "x"}, rs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCampaignStatus(ctx(), camp.ID, store.CampaignPaused); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Claim(ctx(), 10); len(got) != 0 {
		t.Errorf("paused campaign sent %d", len(got))
	}
	if _, err := s.SetCampaignStatus(ctx(), camp.ID, store.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Claim(ctx(), 1); len(got) != 1 {
		t.Fatalf("resumed campaign claimed %d", len(got))
	}
	camp, err = s.SetCampaignStatus(ctx(), camp.ID, store.CampaignCancelled)
	if err != nil || camp.Counts != (store.CampaignCounts{Total: 3, Sending: 1, Skipped: 2}) {
		t.Errorf("cancelled: %+v %v", camp.Counts, err)
	}
	if _, err := s.SetCampaignStatus(ctx(), camp.ID, store.CampaignRunning); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("resuming a cancelled campaign: %v", err)
	}
	if _, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Text: "x"}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("campaign without recipients: %v", err)
	}
	if _, err := s.CreateCampaign(ctx(), store.Campaign{PageID: page, Text: "x"}, []store.Recipient{{ConvKey: key("nobody")}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("campaign to a stranger: %v", err)
	}
}

func TestSearch(t *testing.T) {
	s, _ := openStore(t, newClock(at(48*time.Hour)))
	mustIngest(t, s, msg("u1", "m1", "Where is my ORDER?", at(47*time.Hour)), msg("u2", "m2", "hello", at(time.Hour)),
		msg("u3", "m3", "order 42 arrived", at(2*time.Hour)))
	s.SetName(ctx(), key("u2"), "Ana Souza")
	tests := []struct {
		f    store.Filter
		q    string
		want string
	}{
		{store.FilterAll, "order", "[u1 u3]"},
		{store.FilterAll, "ana", "[u2]"},
		{store.FilterAll, "refund", "[]"},
		{store.FilterAll, "u3", "[u3]"},
		{store.FilterWindow, "order", "[u1]"},
		{store.FilterAll, "", "[u1 u3 u2]"},
	}
	for _, tt := range tests {
		got, err := s.Search(ctx(), tt.f, tt.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.PSID)
		}
		if fmt.Sprint(ids) != tt.want && !(tt.want == "[]" && ids == nil) {
			t.Errorf("search %s %q = %v, want %s", tt.f, tt.q, ids, tt.want)
		}
	}
}
