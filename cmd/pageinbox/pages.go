package main

import (
	"fmt"
	"strings"
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
