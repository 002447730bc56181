package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pageinbox/pageinbox/store"
)

// putTemplates replaces a Page's templates, as a sync does.
func (f *fakeBackend) putTemplates(pageID string, ts []store.Template) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.templates == nil {
		f.templates = map[string][]store.Template{}
	}
	ts = slices.Clone(ts)
	for i := range ts {
		ts[i].PageID = pageID
	}
	slices.SortFunc(ts, func(a, b store.Template) int { return strings.Compare(a.Name+"\x00"+a.Lang, b.Name+"\x00"+b.Lang) })
	f.templates[pageID] = ts
}

// Templates lists a Page's templates by name and language, as the store.
func (f *fakeBackend) Templates(ctx context.Context, pageID string) ([]store.Template, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Templates"); err != nil {
		return nil, err
	}
	return slices.Clone(f.templates[pageID]), nil
}

// fillTemplateLocked judges a template send as the store does and puts
// the filled body in its Text (what the thread shows).
func (f *fakeBackend) fillTemplateLocked(s *store.Send) error {
	switch {
	case s.Template == nil && s.MessagingType == store.Utility:
		return fmt.Errorf("%w: messaging type UTILITY sends a template", store.ErrInvalid)
	case s.Template == nil:
		return nil
	case s.MessagingType != store.Utility:
		return fmt.Errorf("%w: a template is sent as UTILITY, not %s", store.ErrInvalid, s.MessagingType)
	case s.Text != "" || s.ImageURL != "":
		return fmt.Errorf("%w: a template carries no text or image of its own", store.ErrInvalid)
	}
	for _, t := range f.templates[s.PageID] {
		if t.Name == s.Template.Name && t.Lang == s.Template.Lang {
			text, err := t.Check(*s.Template)
			s.Text = text
			return err
		}
	}
	return fmt.Errorf("%w: no template %s (%s) for this Page", store.ErrInvalid, s.Template.Name, s.Template.Lang)
}

func templateName(s store.Send) string {
	if s.Template == nil {
		return ""
	}
	return s.Template.Name
}
