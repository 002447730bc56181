package fbtest

import (
	"fmt"
	"net/http"
)

// Page is one more Page the emulator serves beside Config's default one
// (Config.PageID, PageName, PageToken). Each Page has its own token, and
// a token is good for its own Page only: PSIDs, windows, conversations
// and the records of sends and actions belong to one Page, as on Meta
// (PLATFORM.md §2: "key everything on (page_id, PSID)").
type Page struct{ ID, Name, Token string }

// WrongPageMessage is the answer to a call on a Page with another Page's
// token: Meta's permissions error (code 200), since the token is valid
// but grants nothing on that object.
const WrongPageMessage = "(#200) Permissions error"

// Pages lists every Page served, the default one first.
func (s *Server) Pages() []Page {
	out := []Page{{ID: s.cfg.PageID, Name: s.cfg.PageName, Token: s.cfg.PageToken}}
	return append(out, s.cfg.Pages...)
}

// pageByToken finds the extra Page a token belongs to.
func (s *Server) pageByToken(tok string) (Page, bool) {
	for _, p := range s.cfg.Pages {
		if p.Token != "" && p.Token == tok {
			return p, true
		}
	}
	return Page{}, false
}

// knownPage reports whether id names a Page the emulator serves.
func (s *Server) knownPage(id string) bool {
	for _, p := range s.Pages() {
		if p.ID == id {
			return true
		}
	}
	return false
}

// pageName is the name of a Page served, "" if none.
func (s *Server) pageName(id string) string {
	for _, p := range s.Pages() {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// isPage: "me" and the id of the token's own Page name the Page.
func (s *Server) isPage(c *call, id string) bool { return id == "me" || id == c.page }

// wrongPage is the refusal of a call on a Page the token is not for.
func wrongPage() *apiError {
	return &apiError{status: http.StatusForbidden, code: 200, msg: WrongPageMessage}
}

// checkPages validates Config.Pages: ids and tokens unique and set.
func checkPages(cfg Config) {
	ids := map[string]bool{cfg.PageID: true}
	toks := map[string]bool{cfg.PageToken: true}
	for _, p := range cfg.Pages {
		if p.ID == "" || p.Token == "" || ids[p.ID] || toks[p.Token] {
			panic(fmt.Sprintf("fbtest: Config.Pages: Page %q needs its own id and token", p.ID))
		}
		ids[p.ID], toks[p.Token] = true, true
	}
}

// AddPageUser adds a person who messages the Page pageID (a PSID is
// scoped to one Page). Adding a known PSID renames it and moves it.
func (s *Server) AddPageUser(pageID, psid, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[psid]; u != nil {
		u.name, u.page = name, pageID
		return
	}
	s.users[psid] = &user{psid: psid, name: name, page: pageID}
}

// SentFrom lists the accepted sends of the Page pageID, in order.
func (s *Server) SentFrom(pageID string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.PageID == pageID {
			out = append(out, m)
		}
	}
	return out
}

// ForPage is a Driver like d that posts entries of the Page pageID.
func (d *Driver) ForPage(pageID string) *Driver {
	return &Driver{URL: d.URL, AppSecret: d.AppSecret, PageID: pageID, Client: d.Client,
		Duplicates: d.Duplicates, Seed: d.Seed, Now: d.Now, PlainJSON: d.PlainJSON}
}

// ownedAttachmentLocked is the URL of the reusable attachment id if the
// Page page owns it: an attachment id is good for its own Page only.
func (s *Server) ownedAttachmentLocked(page, id string) (string, bool) {
	url, ok := s.attachments[id]
	if !ok || s.attachOwner[id] != page {
		return "", false
	}
	return url, true
}
