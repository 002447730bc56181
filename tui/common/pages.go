package common

import "github.com/pageinbox/pageinbox/store"

// PageSet is the Pages the inbox serves, as last loaded, and the one the
// session works in. Panes read it to name a conversation's Page; only the
// list changes it (P).
type PageSet struct {
	List []store.Page
	// Current is the chosen Page's id; "" is every Page.
	Current string
}

// AllPages is how the switcher and the status bar name every Page.
const AllPages = "All Pages"

// Several reports whether the inbox serves more than one Page: only then
// do rows and headers name their Page.
func (p *PageSet) Several() bool { return len(p.List) > 1 }

// Name is a Page's name, or its id when it has none.
func (p *PageSet) Name(id string) string {
	for _, pg := range p.List {
		if pg.ID == id && pg.Name != "" {
			return pg.Name
		}
	}
	return id
}

// CurrentName names the Page the session works in for the status bar:
// "" while there is only one Page, else its name or AllPages.
func (p *PageSet) CurrentName() string {
	switch {
	case p.Current != "":
		return p.Name(p.Current)
	case p.Several():
		return AllPages
	}
	return ""
}
