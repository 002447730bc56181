package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	bolt "go.etcd.io/bbolt"
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
	if err := s.SaveDraft(ctx(), "ana", store.ConvKey{PageID: page}, "x"); !errors.Is(err, store.ErrInvalid) {
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

// Drafts are each agent's own, survive reopening, and a draft from before
// drafts had owners is migrated and still found.
func TestDraftsPerAgent(t *testing.T) {
	c := newClock(at(time.Hour))
	s, path := openStore(t, c)
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	k := key("u1")
	if err := s.SaveDraft(ctx(), "ana", k, "Ana's half reply"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx(), "ben", k, "Ben's"); err != nil {
		t.Fatal(err)
	}
	for owner, want := range map[string]string{"ana": "Ana's half reply", "ben": "Ben's", "cleo": ""} {
		if got, err := s.Draft(ctx(), owner, k); err != nil || got != want {
			t.Errorf("draft of %s = %q %v, want %q", owner, got, err, want)
		}
	}
	if err := s.SaveDraft(ctx(), "ben", k, ""); err != nil { // sent: cleared
		t.Fatal(err)
	}
	if got, _ := s.Draft(ctx(), "ben", k); got != "" {
		t.Errorf("cleared draft = %q", got)
	}
	if err := s.SaveDraft(ctx(), "ana", key("nobody"), "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("draft for an unknown conversation: %v", err)
	}
	conv, err := s.Conversation(ctx(), k)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A schema-2 file kept the draft in the conversation record.
	store.DowngradeToSchema7(t, path)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 2})
		b := tx.Bucket([]byte("convs"))
		ck := []byte(page + "\x00u1")
		// Its records were JSON (before schema 7): the conversation, its
		// cid (the file's first) and the draft.
		var rec map[string]any
		raw, _ := json.Marshal(conv)
		json.Unmarshal(raw, &rec)
		rec["cid"] = 1
		rec["draft"] = "old shared draft"
		v, _ := json.Marshal(rec)
		b.Put(ck, v)
		return tx.DeleteBucket([]byte("drafts"))
	})
	db.Close()
	s = reopen(t, path, c)
	if got, _ := s.Draft(ctx(), "cleo", k); got != "old shared draft" {
		t.Errorf("migrated draft = %q", got)
	}
	var out bytes.Buffer
	s.Export(ctx(), &out, true)
	if strings.Contains(out.String(), "old shared draft") {
		t.Error("the migrated draft is still in the conversation record")
	}
}
