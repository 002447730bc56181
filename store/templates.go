package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Utility is the messaging_type of a Utility Message template: allowed
// outside the 24 h window, for an approved UTILITY template only, never
// marketing (../shared/PLATFORM-2.md §2).
const Utility MessagingType = "UTILITY"

// Template is one of a Page's message templates, as Meta last said.
type Template struct {
	PageID   string    `json:"page_id"`
	ID       string    `json:"id,omitempty"` // Meta's id
	Name     string    `json:"name"`
	Lang     string    `json:"language"`
	Status   string    `json:"status"`   // APPROVED, PENDING, REJECTED, PAUSED...
	Category string    `json:"category"` // UTILITY, MARKETING...
	Body     string    `json:"body,omitempty"`
	Params   []string  `json:"params,omitempty"` // "1","2"... or names, in body order
	Named    bool      `json:"named,omitempty"`
	Updated  time.Time `json:"updated"`
}

// Sendable: only an approved UTILITY template goes out.
func (t Template) Sendable() bool { return t.Status == "APPROVED" && t.Category == "UTILITY" }

// TemplateSend is the template an outbox item sends, with its parameter
// values by name ("1".. for positional templates).
type TemplateSend struct {
	Name   string            `json:"name"`
	Lang   string            `json:"language"`
	Params map[string]string `json:"params,omitempty"`
}

// PutTemplates replaces a Page's stored templates with a sync's.
func (s *Store) PutTemplates(ctx context.Context, pageID string, ts []Template) error {
	now := s.now()
	return s.write(ctx, 1, func(w *wtx) error {
		if w.bucket(bPages).Get([]byte(pageID)) == nil {
			return fmt.Errorf("store: templates: %w: %s", ErrUnknownPage, pageID)
		}
		b := w.bucket(bTemplates)
		var old [][]byte
		c := b.Cursor()
		prefix := namePrefix(pageID)
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			old = append(old, append([]byte(nil), k...))
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		for _, t := range ts {
			if t.Name == "" || t.Lang == "" || strings.Contains(t.Name+t.Lang, "\x00") {
				return invalidf("template without a name or language")
			}
			t.PageID, t.Updated = pageID, now
			if err := putJSON(b, templateKey(pageID, t.Name, t.Lang), &t); err != nil {
				return err
			}
		}
		return nil
	})
}

// Templates lists a Page's stored templates by name and language.
func (s *Store) Templates(ctx context.Context, pageID string) ([]Template, error) {
	var out []Template
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return eachNamed(tx.Bucket(bTemplates), pageID, func(v []byte) error {
			var t Template
			err := json.Unmarshal(v, &t)
			out = append(out, t)
			return err
		})
	})
	return out, err
}

// SetTemplateStatus records a status change from Meta's webhook, found by
// name (and language, when given) or by Meta's id. It reports whether a
// stored template matched: an unknown one waits for the next sync.
func (s *Store) SetTemplateStatus(ctx context.Context, pageID, id, name, lang, status string) (bool, error) {
	status = strings.ToUpper(strings.TrimSpace(status))
	if status == "" {
		return false, invalidf("template status update without a status")
	}
	found := false
	now := s.now()
	err := s.write(ctx, 1, func(w *wtx) error {
		var err error
		found, err = w.setTemplateStatus(pageID, id, name, lang, status, now)
		return err
	})
	return found, err
}

// setTemplateStatus sets the status of the stored templates matching id,
// or name (and lang when given). None matching is no error: the
// template arrives with the next sync (a webhook for a template created
// elsewhere; the inbox may re-read the Page's templates then).
func (w *wtx) setTemplateStatus(pageID, id, name, lang, status string, now time.Time) (bool, error) {
	status = strings.ToUpper(strings.TrimSpace(status))
	b := w.bucket(bTemplates)
	var hits []Template
	err := eachNamed(b, pageID, func(v []byte) error {
		var t Template
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if (id != "" && t.ID == id) || (name != "" && t.Name == name && (lang == "" || t.Lang == lang)) {
			hits = append(hits, t)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	for _, t := range hits {
		t.Status, t.Updated = status, now
		if err := putJSON(b, templateKey(pageID, t.Name, t.Lang), &t); err != nil {
			return false, err
		}
	}
	return len(hits) > 0, nil
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// checkTemplate refuses a template send Meta would refuse: unknown, not
// approved, not UTILITY (marketing is never sent), or parameters that do
// not match. It returns the body with the values filled in, for the thread.
func (w *wtx) checkTemplate(pageID string, ts *TemplateSend) (string, error) {
	return checkTemplateIn(w.bucket(bTemplates), pageID, ts)
}

// checkTemplateIn is checkTemplate against the templates bucket b, in a
// read or a write (the campaign ledger checks in a read).
func checkTemplateIn(b *bolt.Bucket, pageID string, ts *TemplateSend) (string, error) {
	var t Template
	if ts.Name == "" || ts.Lang == "" {
		return "", invalidf("a template send needs the template's name and language")
	}
	ok, err := getJSON(b, templateKey(pageID, ts.Name, ts.Lang), &t)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", invalidf("no template %s (%s) for this Page: run `pageinbox templates sync`", ts.Name, ts.Lang)
	}
	return t.Check(*ts)
}

// Check refuses sending t with ts's values where Meta would (not
// UTILITY, not APPROVED, parameters missing or extra), and otherwise
// returns the body filled in. Callers without a store (a test's inbox)
// judge a template send as the store does.
func (t Template) Check(ts TemplateSend) (string, error) {
	switch {
	case t.Category != "UTILITY":
		return "", invalidf("template %s is %s: only UTILITY templates are sent, never marketing", ts.Name, t.Category)
	case t.Status != "APPROVED":
		return "", invalidf("template %s is %s, not APPROVED", ts.Name, t.Status)
	}
	for _, p := range t.Params {
		if _, ok := ts.Params[p]; !ok {
			return "", invalidf("template %s needs parameter %s (it takes %s)", ts.Name, p, strings.Join(t.Params, ", "))
		}
	}
	if len(ts.Params) != len(t.Params) {
		return "", invalidf("template %s takes %d parameters, got %d", ts.Name, len(t.Params), len(ts.Params))
	}
	return t.Fill(ts.Params), nil
}

// Fill is the body with the given values in place of their placeholders;
// a placeholder without a value stays as it is ({{2}}): a preview of a
// half-filled form shows what is still missing.
func (t Template) Fill(values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(t.Body, func(m string) string {
		if v, ok := values[placeholderRE.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

// checkTemplateSend: a template goes only as UTILITY, UTILITY only with a
// template, and a template carries no text or image of its own.
func checkTemplateSend(send Send) error {
	switch {
	case send.MessagingType == Utility && send.Template == nil:
		return invalidf("messaging type UTILITY sends a template")
	case send.Template != nil && send.MessagingType != Utility:
		return invalidf("a template is sent as UTILITY, not %s", send.MessagingType)
	case send.Template != nil && (send.Text != "" || send.ImageURL != ""):
		return invalidf("a template carries no text or image of its own")
	case send.Template != nil && (send.Template.Name == "" || send.Template.Lang == ""):
		return invalidf("a template send needs the template's name and language")
	}
	return nil
}
