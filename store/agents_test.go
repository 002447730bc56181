package store_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func TestAgentsAddListRevoke(t *testing.T) {
	c := newClock(t0)
	s, path := openStore(t, c)

	ana, info, err := s.AddAgent(ctx(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(ana); err != nil || len(raw) != 32 {
		t.Fatalf("token %q is not 32 bytes of base64url (%v)", ana, err)
	}
	if info.Name != "ana" || !info.Created.Equal(t0) || !info.LastUsed.IsZero() {
		t.Errorf("info = %+v", info)
	}
	c.Advance(time.Minute)
	ben, _, err := s.AddAgent(ctx(), "ben")
	if err != nil {
		t.Fatal(err)
	}
	if ana == ben {
		t.Fatal("two agents got the same token")
	}
	if _, _, err := s.AddAgent(ctx(), "ana"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("adding ana twice: %v, want ErrInvalid", err)
	}
	for _, bad := range []string{"", "-ana", "ana bob", "ana\x1b[2J", string(bytes.Repeat([]byte("a"), 65))} {
		if _, _, err := s.AddAgent(ctx(), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("name %q: %v, want ErrInvalid", bad, err)
		}
	}

	for tok, want := range map[string]string{ana: "ana", ben: "ben"} {
		got, err := s.AgentForToken(ctx(), tok)
		if err != nil || got != want {
			t.Errorf("AgentForToken = %q, %v; want %q", got, err, want)
		}
	}
	for _, bad := range []string{"", ana[:len(ana)-1], ana + "x", "owner-token"} {
		if got, err := s.AgentForToken(ctx(), bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token %q names %q, %v; want ErrNotFound", bad, got, err)
		}
	}

	list, err := s.Agents(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "ana" || list[1].Name != "ben" {
		t.Fatalf("list = %+v", list)
	}
	// ana and ben attached just now (the clock says t0+1m).
	if !list[0].LastUsed.Equal(t0.Add(time.Minute)) || !list[1].LastUsed.Equal(t0.Add(time.Minute)) {
		t.Errorf("last used not recorded: %+v", list)
	}

	if err := s.RevokeAgent(ctx(), "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AgentForToken(ctx(), ana); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token still names someone: %v", err)
	}
	if got, err := s.AgentForToken(ctx(), ben); err != nil || got != "ben" {
		t.Errorf("revoking ana broke ben: %q, %v", got, err)
	}
	if err := s.RevokeAgent(ctx(), "ana"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking ana twice: %v, want ErrNotFound", err)
	}
	// Added again, ana gets a new token; the old one stays dead.
	ana2, _, err := s.AddAgent(ctx(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AgentForToken(ctx(), ana); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the revoked token works again after re-adding: %v", err)
	}
	if got, _ := s.AgentForToken(ctx(), ana2); got != "ana" {
		t.Errorf("new token names %q", got)
	}

	// The file holds hashes, never a token.
	s.Close()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{ana, ben, ana2} {
		if bytes.Contains(file, []byte(tok)) {
			t.Errorf("token %q is in the data file", tok)
		}
	}
}
