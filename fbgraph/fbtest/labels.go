package fbtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The Page custom labels API (../shared/PLATFORM-2.md §1):
//
//	POST   /{page}/custom_labels   page_label_name=NAME     -> {"id"}
//	GET    /{page}/custom_labels?fields=page_label_name     cursor-paged, newest first
//	GET    /{label-id}?fields=page_label_name               one label
//	DELETE /{label-id}                                      -> {"success":true}
//	POST   /{label-id}/label       user=PSID                -> {"success":true}
//	DELETE /{label-id}/label?user=PSID                      -> {"success":true}
//	GET    /{psid}/custom_labels?fields=page_label_name     the PSID's labels
//
// Every one of them first answers the knobs: SetLabelsDenied (a
// permission error), then SetContactTermsPending (2/2018344 until a Page
// admin accepts the Page Contact Terms). A label's name is given only
// when fields asks for page_label_name (or the pre-v12 "name"): like
// Graph, the default is the id alone.

// subcodeContactTerms is "Privacy ToS not accepted" under code 2.
const subcodeContactTerms = 2018344

type pageLabel struct {
	id, name string
	page     string // the Page whose label it is: labels are per Page
	seq      uint64 // creation order: lists are newest first
}

// labelBook is the Page's labels and who carries them.
type labelBook struct {
	byID         map[string]*pageLabel
	of           map[string]map[string]bool // psid -> label ids
	seq          uint64
	termsPending bool
	deniedCode   int
}

func (b *labelBook) init() {
	if b.byID == nil {
		b.byID = map[string]*pageLabel{}
		b.of = map[string]map[string]bool{}
	}
}

// SetContactTermsPending makes every custom-labels call fail with
// 2/2018344 (HTTP 500, is_transient true, as code 2 usually is) until it
// is called with false: no Page admin has accepted the Page Contact Terms.
func (s *Server) SetContactTermsPending(pending bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.labels.termsPending = pending
}

// SetLabelsDenied makes every custom-labels call fail with code (10, or
// 200–299: the token lacks pages_manage_metadata); 0 allows them again.
func (s *Server) SetLabelsDenied(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.labels.deniedCode = code
}

// LabelNames are the names of psid's labels, sorted.
func (s *Server) LabelNames(psid string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for id := range s.labels.of[psid] {
		names = append(names, s.labels.byID[id].name)
	}
	slices.Sort(names)
	return names
}

// PageLabels maps the Page's label ids to their names.
func (s *Server) PageLabels() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for id, l := range s.labels.byID {
		out[id] = l.name
	}
	return out
}

// contactTermsURL is where a Page admin accepts the Page Contact Terms.
func contactTermsURL(pageID string) string {
	return "https://www.facebook.com/" + pageID + "/inbox/page_contact_tos/"
}

func (s *Server) labelFaults() *apiError {
	s.mu.Lock()
	denied, pending := s.labels.deniedCode, s.labels.termsPending
	s.mu.Unlock()
	switch {
	case denied != 0:
		return errf(http.StatusForbidden, denied, 0,
			"(#%d) Requires pages_manage_metadata permission to manage the object", denied)
	case pending:
		return &apiError{status: http.StatusInternalServerError, code: 2, subcode: subcodeContactTerms,
			transient: true, msg: "(#2) Service temporarily unavailable: Privacy ToS not accepted. " +
				"To use the inbox label API, you need to accept the privacy ToS at " + contactTermsURL(s.cfg.PageID)}
	}
	return nil
}

// isLabel: a label id the call's Page has now.
func (s *Server) isLabel(c *call, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.labels.byID[id]
	return l != nil && l.page == c.page
}

// pageUserLocked is the user psid if they belong to the Page page.
func (s *Server) pageUserLocked(page, psid string) *user {
	if u := s.users[psid]; u != nil && u.page == page {
		return u
	}
	return nil
}

// routeLabels answers the custom-labels calls; false if c is none of them.
func (s *Server) routeLabels(w http.ResponseWriter, c *call) bool {
	m, seg := c.r.Method, c.seg
	if len(seg) == 0 || len(seg) > 2 {
		return false
	}
	first := seg[0]
	onLabels := len(seg) == 2 && seg[1] == "custom_labels"
	var handle func()
	switch {
	case onLabels && s.isPage(c, first) && m == http.MethodPost:
		handle = func() { s.handleCreateLabel(w, c) }
	case onLabels && s.isPage(c, first) && m == http.MethodGet:
		handle = func() { s.handleListLabels(w, c, "") }
	case onLabels && m == http.MethodGet:
		handle = func() { s.handleListLabels(w, c, first) }
	case len(seg) == 2 && seg[1] == "label" && (m == http.MethodPost || m == http.MethodDelete):
		handle = func() { s.handleLabelUser(w, c, first) }
	case len(seg) == 1 && m == http.MethodGet && s.isLabel(c, first):
		handle = func() { s.handleOneLabel(w, c, first) }
	case len(seg) == 1 && m == http.MethodDelete && s.isLabel(c, first):
		handle = func() { s.handleDeleteLabel(w, first) }
	default:
		return false
	}
	if e := s.labelFaults(); e != nil {
		s.writeError(w, e)
		return true
	}
	handle()
	return true
}

func (s *Server) handleCreateLabel(w http.ResponseWriter, c *call) {
	name := strings.TrimSpace(c.p["page_label_name"])
	if name == "" {
		s.writeError(w, invalid("The parameter page_label_name is required"))
		return
	}
	// A name the Page already has: Meta's answer is UNCLEAR; the existing
	// label's id is the kind one, and keeps the caller's create idempotent.
	s.mu.Lock()
	id := s.labelNamedLocked(c.page, name)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": id})
}

// handleListLabels lists the Page's labels, or psid's when psid != "".
func (s *Server) handleListLabels(w http.ResponseWriter, c *call, psid string) {
	fs, e := c.fields("id")
	if e == nil {
		var limit int
		if limit, e = c.limit(25, 100); e == nil {
			e = s.writeLabelPage(w, c, psid, fs, limit)
		}
	}
	if e != nil {
		s.writeError(w, e)
	}
}

func (s *Server) writeLabelPage(w http.ResponseWriter, c *call, psid string, fs []field, limit int) *apiError {
	s.mu.Lock()
	if psid != "" && s.pageUserLocked(c.page, psid) == nil {
		s.mu.Unlock()
		return errf(http.StatusBadRequest, 100, 2018001, "(#100) No matching user found")
	}
	var items []keyed
	for id, l := range s.labels.byID {
		if l.page == c.page && (psid == "" || s.labels.of[psid][id]) {
			items = append(items, keyed{key: fmt.Sprintf("%020d", l.seq), v: labelJSON(l, fs)})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(items, func(a, b keyed) int { return strings.Compare(b.key, a.key) })
	page, hasPrev, hasNext, e := paginate(items, limit, c.p["after"], c.p["before"])
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, pageJSON(c, page, hasPrev, hasNext))
	return nil
}

func labelJSON(l *pageLabel, fs []field) map[string]any {
	out := map[string]any{"id": l.id}
	for _, f := range fs {
		if f.name == "page_label_name" || f.name == "name" {
			out[f.name] = l.name
		}
	}
	return out
}

func (s *Server) handleOneLabel(w http.ResponseWriter, c *call, id string) {
	fs, e := c.fields("id")
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	out := labelJSON(s.labels.byID[id], fs)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleDeleteLabel(w http.ResponseWriter, id string) {
	s.mu.Lock()
	delete(s.labels.byID, id)
	for _, ids := range s.labels.of {
		delete(ids, id)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// handleLabelUser assigns the label (POST) or removes it (DELETE).
func (s *Server) handleLabelUser(w http.ResponseWriter, c *call, id string) {
	psid := c.p["user"]
	if psid == "" {
		s.writeError(w, invalid("The parameter user is required"))
		return
	}
	s.mu.Lock()
	var e *apiError
	switch {
	case s.labels.byID[id] == nil || s.labels.byID[id].page != c.page:
		e = unsupported(c.r.Method, id)
	case s.pageUserLocked(c.page, psid) == nil:
		e = errf(http.StatusBadRequest, 100, 2018001, "(#100) No matching user found")
	}
	if e != nil {
		s.mu.Unlock()
		s.writeError(w, e)
		return
	}
	s.setLabelLocked(psid, id, c.r.Method == http.MethodPost)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

func (s *Server) setLabelLocked(psid, id string, on bool) {
	s.labels.init()
	ids := s.labels.of[psid]
	if ids == nil {
		ids = map[string]bool{}
		s.labels.of[psid] = ids
	}
	if on {
		ids[id] = true
	} else {
		delete(ids, id)
	}
}
