package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// teamFlags are the flags every team command takes: the Page and who acts.
type teamFlags struct {
	fs   *flag.FlagSet
	page string
	as   string
}

func addTeamFlags(fs *flag.FlagSet) *teamFlags {
	f := &teamFlags{fs: fs}
	fs.StringVar(&f.page, "page", "", "the Page `ID` (or name); default: PAGE_ID, or the only Page connected or in the data file")
	fs.StringVar(&f.as, "as", "", "act as agent `NAME` (the owner only: the API token holder, or on the file); default: the token's agent, else PAGEINBOX_AGENT or USER")
	return f
}

// args parses flags that come after the positional arguments too
// (`assign PSID --none`), and returns the positional ones.
func (f *teamFlags) args(args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if err := f.fs.Parse(args); err != nil {
			return nil, err
		}
		args = f.fs.Args()
		if len(args) > 0 {
			pos, args = append(pos, args[0]), args[1:]
		}
	}
	return pos, nil
}

// teamSession is a Backend for a team command and the Page it acts on.
type teamSession struct {
	inbox.Backend
	pageID string
	agent  string
}

func (s *teamSession) key(psid string) store.ConvKey {
	return store.ConvKey{PageID: s.pageID, PSID: psid}
}

// withTeam runs fn on the running daemon (as the token's agent) or, when
// none serves the data dir, on the file (as the local user, the owner).
func withTeam(ctx context.Context, env cmdEnv, f *teamFlags, owner string, fn func(*teamSession) error) error {
	name := env.cfg.AgentName
	if f.as != "" {
		if err := store.CheckAgentName(f.as); err != nil {
			return err
		}
		name = f.as
	}
	c, err := attach(ctx, env.cfg, inbox.NewAgent(name))
	if err != nil {
		return err
	}
	if c != nil {
		defer c.Close()
		if f.as != "" && c.Agent().Name != f.as {
			return fmt.Errorf("--as is for the owner (the API token holder) only: this token is agent %s's", c.Agent().Name)
		}
		return runTeam(ctx, env, f, &teamSession{Backend: c, agent: c.Agent().Name}, fn)
	}
	st, err := openStore(env.cfg, owner, time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	b := &inbox.Local{Store: st, Agent: inbox.NewAgent(name), Owner: env.cfg.AgentName, LedgerOnly: true,
		NoAutoAssign: env.cfg.NoAutoAssign}
	return runTeam(ctx, env, f, &teamSession{Backend: b, agent: name}, fn)
}

func runTeam(ctx context.Context, env cmdEnv, f *teamFlags, s *teamSession, fn func(*teamSession) error) error {
	page := f.page
	if page == "" {
		page = env.cfg.PageID
	}
	page, err := env.cfg.pickPage(page)
	if err != nil {
		return err
	}
	if s.pageID, err = inbox.ResolvePage(ctx, page, s, nil); err != nil {
		return err
	}
	return explainTeam(fn(s), s)
}

// explainTeam says which conversation or Page was not found.
func explainTeam(err error, s *teamSession) error {
	switch {
	case errors.Is(err, store.ErrUnknownPage):
		return fmt.Errorf("no Page %s in the data file: %w", s.pageID, err)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w (page %s)", err, s.pageID)
	}
	return err
}

// convLine is a conversation as `conversations --json` writes it.
type convLine struct {
	PageID          string    `json:"page_id"`
	PSID            string    `json:"psid"`
	Name            string    `json:"name"`
	State           string    `json:"state"`
	Assignee        string    `json:"assignee,omitempty"`
	Labels          []string  `json:"labels"`
	SnoozedUntil    string    `json:"snoozed_until,omitempty"`
	Unread          int       `json:"unread"`
	LastMessageTime time.Time `json:"last_message_time"`
}

func newConvLine(c store.Conversation) convLine {
	l := convLine{PageID: c.PageID, PSID: c.PSID, Name: c.Name, State: string(c.Status), Assignee: c.Assignee,
		Labels: c.Labels.Names(), Unread: c.Unread, LastMessageTime: c.LastMessageTime.UTC()}
	if l.Labels == nil {
		l.Labels = []string{}
	}
	if c.Status == store.ConvSnoozed && !c.SnoozedUntil.IsZero() {
		l.SnoozedUntil = c.SnoozedUntil.UTC().Format(time.RFC3339)
	}
	return l
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
