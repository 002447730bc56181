package fbtest

import (
	"net/http"
	"net/url"
	"strings"
)

func (s *Server) handlePage(w http.ResponseWriter, c *call) {
	fs, e := c.fields("id,name")
	if e != nil {
		s.writeError(w, e)
		return
	}
	out := map[string]any{"id": c.page}
	for _, f := range fs {
		switch f.name {
		case "name":
			out["name"] = s.pageName(c.page)
		case "category":
			out["category"] = "Shopping & Retail"
		case "link":
			out["link"] = "https://www.facebook.com/" + c.page
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleProfile(w http.ResponseWriter, c *call, psid string) {
	fs, e := c.fields("first_name,last_name,profile_pic")
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	u := s.users[psid]
	var name string
	if u != nil && u.page != c.page { // a PSID is scoped to its Page
		u = nil
	}
	if u != nil {
		name = u.name
	}
	s.mu.Unlock()
	if u == nil {
		s.writeError(w, errf(http.StatusBadRequest, 100, 2018001, "(#100) No matching user found"))
		return
	}
	first, last, _ := strings.Cut(name, " ")
	out := map[string]any{"id": psid}
	for _, f := range fs {
		switch f.name {
		case "name":
			out["name"] = name
		case "first_name":
			out["first_name"] = first
		case "last_name":
			out["last_name"] = last
		case "profile_pic":
			out["profile_pic"] = "http://" + c.r.Host + "/_fbtest/pic/" + url.PathEscape(psid) + ".png"
		}
		// locale, timezone, gender need extra review: left out, like Meta
		// does without the permission.
	}
	writeJSON(w, http.StatusOK, out)
}
