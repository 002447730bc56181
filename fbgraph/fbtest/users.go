package fbtest

import (
	"fmt"
	"time"
)

type user struct {
	psid, name  string
	page        string // the Page the PSID belongs to
	lastInbound time.Time
	unavailable bool
	convID      string // "" until the conversation exists
	updated     time.Time
	msgs        []histMsg // oldest first
}

type histMsg struct {
	seq      uint64
	mid      string
	text     string
	fromPage bool
	at       time.Time
	attType  string
	attURL   string
}

// AddUser adds a person who can message the Page; profile lookups return
// name ("First Last...": first_name is the first word). Adding a known
// PSID renames it.
func (s *Server) AddUser(psid, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[psid]; u != nil {
		u.name = name
		return
	}
	s.users[psid] = &user{psid: psid, name: name, page: s.cfg.PageID}
}

// userLocked returns the user, adding an unknown PSID with a made-up
// name ("Customer 1234") so that Inbound and CustomerWrites never fail.
func (s *Server) userLocked(psid string) *user {
	u := s.users[psid]
	if u == nil {
		tail := psid
		if len(tail) > 4 {
			tail = tail[len(tail)-4:]
		}
		u = &user{psid: psid, name: "Customer " + tail, page: s.cfg.PageID}
		s.users[psid] = u
	}
	return u
}

func (s *Server) ensureConvLocked(u *user) {
	if u.convID == "" {
		s.convSeq++
		u.convID = fmt.Sprintf("t_%d", 100000000000000+s.convSeq)
	}
}

func (s *Server) touchLocked(u *user, at time.Time) {
	s.ensureConvLocked(u)
	if at.After(u.updated) {
		u.updated = at
	}
}

// Inbound records that the user wrote at `at`, which (re)opens the 24 h
// window, without posting a webhook. The last call wins, so a test can
// move a user's window back as well as forward. The conversation exists
// from then on (with no message in it); an unknown PSID is added.
func (s *Server) Inbound(psid string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(psid)
	u.lastInbound = at
	s.touchLocked(u, at)
}

// InboundMessage records a message the user wrote at `at` (opening the
// window and adding it to the conversation's history) without posting a
// webhook; mid "" makes one up. It returns the mid.
func (s *Server) InboundMessage(psid, mid, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mid == "" {
		mid = s.newMIDLocked()
	}
	u := s.userLocked(psid)
	if at.After(u.lastInbound) {
		u.lastInbound = at
	}
	s.addHistoryLocked(u, histMsg{mid: mid, text: text, at: at})
	return mid
}

// PageInboxReply records a reply a person typed in Meta's own Page Inbox
// (not through the Send API): it joins the conversation and, with
// Config.Echoes, is echoed with Meta Page Inbox's app_id and no metadata.
// No window is checked. It returns the mid.
func (s *Server) PageInboxReply(psid, text string) string {
	s.mu.Lock()
	now := s.cfg.Now()
	mid := s.newMIDLocked()
	u := s.userLocked(psid)
	page := u.page
	s.addHistoryLocked(u, histMsg{mid: mid, text: text, fromPage: true, at: now})
	echo := s.cfg.Echoes && s.subscribedLocked("message_echoes")
	s.mu.Unlock()
	if echo {
		s.hooks.addFor(page, time.Now(), echoElement(page, PageInboxAppID, Sent{PageID: page, PSID: psid, MID: mid, Text: text, At: now}))
	}
	return mid
}

func (s *Server) addHistoryLocked(u *user, m histMsg) {
	s.seq++
	m.seq = s.seq
	u.msgs = append(u.msgs, m)
	s.touchLocked(u, m.at)
}
