package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// pageToken is one connected Page: its id (may be "" for a lone
// PAGE_ACCESS_TOKEN until /me names it), its name for people, and its
// token, which prints as "set"/"unset" only.
type pageToken struct {
	ID, Name string
	Token    secret
}

func (p pageToken) String() string {
	return fmt.Sprintf("page{id=%q name=%q token=%s}", p.ID, p.Name, p.Token)
}

// GoString keeps %#v as safe as %v.
func (p pageToken) GoString() string { return p.String() }

// label is "ID Name" (or the id alone) for messages to people.
func (p pageToken) label() string {
	return strings.TrimSpace(p.ID + " " + p.Name)
}

// pageByID finds the connected Page with this id.
func (c config) pageByID(id string) (pageToken, bool) {
	for _, p := range c.PageTokens {
		if p.ID == id {
			return p, true
		}
	}
	return pageToken{}, false
}

// pageIDs are the ids of the connected Pages that are known.
func (c config) pageIDs() []string {
	var ids []string
	for _, p := range c.PageTokens {
		if p.ID != "" && !slices.Contains(ids, p.ID) {
			ids = append(ids, p.ID)
		}
	}
	if c.PageID != "" && !slices.Contains(ids, c.PageID) {
		ids = append(ids, c.PageID)
	}
	return ids
}

// unconnectedText is the status's line for webhooks of Pages with no
// token here.
func unconnectedText(pages []webhook.UnconnectedPage) string {
	if len(pages) == 0 {
		return ""
	}
	parts := make([]string, len(pages))
	for i, p := range pages {
		parts[i] = fmt.Sprintf("%s (%d events)", p.ID, p.Events)
	}
	return "webhooks for Pages not connected, stored, unanswerable: " + strings.Join(parts, ", ") +
		": connect them (pageinbox pages connect)"
}

// pageCommands act on one Page and have no --page of their own: parseArgs
// gives them --page, bound to config.PageID (so it overrides PAGE_ID).
// The team commands (conversations, assign, label, replies...) have
// theirs (addTeamFlags) and resolve it in runTeam.
var pageCommands = map[string]bool{"send": true, "campaign": true, "sync": true, "templates": true, "doctor": true}

const pageFlagUsage = "the Page `ID` (or name) to act on; default: PAGE_ID, or the only Page connected"

// commandFlags is cmd's flag set as parsing, help and completion all see
// it: its own flags, and --page for a Page command.
func commandFlags(cmd command, cfg *config) (*flag.FlagSet, runFunc) {
	fs := newFlagSet("pageinbox "+cmd.name, cfg)
	run := cmd.setup(fs)
	if pageCommands[cmd.name] && fs.Lookup("page") == nil {
		fs.StringVar(&cfg.PageID, "page", cfg.PageID, pageFlagUsage)
	}
	return fs, run
}

// pickPage resolves the Page a command acts on from page (--page or
// PAGE_ID): an id or name of a connected Page. "" is the only Page
// connected; with several it is an error naming them. With no Page known
// by id (a lone PAGE_ACCESS_TOKEN) page is taken as it is, and "" stays
// "" for the store or the token to name (inbox.ResolvePage).
func (c config) pickPage(page string) (string, error) {
	var known []pageToken
	for _, p := range c.PageTokens {
		if p.ID != "" {
			known = append(known, p)
		}
	}
	if page != "" {
		for _, p := range known {
			if p.ID == page || (p.Name != "" && strings.EqualFold(p.Name, page)) {
				return p.ID, nil
			}
		}
		if len(c.PageTokens) > 1 {
			return "", fmt.Errorf("no Page %q is connected: pass --page ID: %s", page, listPages(c.PageTokens))
		}
		return page, nil
	}
	switch {
	case len(c.PageTokens) > 1:
		return "", fmt.Errorf("several Pages are connected: pass --page ID: %s", listPages(c.PageTokens))
	case len(known) == 1:
		return known[0].ID, nil
	}
	return "", nil
}

// listPages is "1001 Harbour Outfitters, 1002 Harbour Kids".
func listPages(pages []pageToken) string {
	parts := make([]string, len(pages))
	for i, p := range pages {
		parts[i] = p.label()
		if parts[i] == "" {
			parts[i] = "(a token whose Page is not named yet)"
		}
	}
	return strings.Join(parts, ", ")
}

// pages reports the Pages of the data file that webhooks brought but no
// token is connected for: their messages are stored, nobody can answer.
func (c *checklist) pages(ctx context.Context, cfg config, st *store.Store) {
	if st == nil || connectedPages(cfg) == nil {
		return
	}
	list, err := st.Pages(ctx)
	if err != nil {
		c.check(false, "the data file's Pages read: "+err.Error(), "")
		return
	}
	for _, p := range list {
		if _, ok := cfg.pageByID(p.ID); !ok {
			c.check(false, "Page "+strings.TrimSpace(p.ID+" "+p.Name)+" has conversations here but no token: webhooks for it are stored, nobody can answer them",
				"connect it (pageinbox pages connect), or unsubscribe it from the app's webhooks")
		}
	}
}
