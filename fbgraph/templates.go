package fbgraph

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pageinbox/pageinbox/store"
)

// Utility Messages (../shared/PLATFORM-2.md §2): a Page-owned template,
// approved by Meta, sent with messaging_type UTILITY outside the 24 h
// window. Never marketing content.

// Utility is the messaging_type of a Utility Message template send.
const Utility = "UTILITY"

// UtilityPermission is the permission a Page token needs. Meta's guide
// says page_utility_messaging; Facebook Login accepts only the plural
// (PLATFORM-2.md §8 UNCLEAR 3), so that is the one to request.
const UtilityPermission = "pages_utility_messaging"

// Template is one of the Page's message templates.
type Template struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Status   string   `json:"status"`   // APPROVED, PENDING, REJECTED, ...
	Category string   `json:"category"` // UTILITY (MARKETING is never sent)
	Body     string   `json:"body,omitempty"`
	Params   []string `json:"params,omitempty"` // "1","2"... (positional) or names
	Named    bool     `json:"named,omitempty"`
}

// TemplateParam is one body parameter of a send: Name is "1", "2"... for
// positional templates, else the parameter's name.
type TemplateParam struct {
	Name, Value string
}

// TemplateSend names the template a message sends.
type TemplateSend struct {
	Name, Lang string
	Params     []TemplateParam
}

// Sendable reports whether a template may go out as a Utility Message.
func (t Template) Sendable() bool {
	return strings.EqualFold(t.Status, "APPROVED") && strings.EqualFold(t.Category, "UTILITY")
}

// UtilityUnavailableReason is what a person does about ClassUtilityUnavailable.
const UtilityUnavailableReason = "this Page cannot use Utility Messages: the Page token needs the " + UtilityPermission +
	" permission (Advanced access needs App Review), the app and Page must belong to the same business, and the" +
	" Page's market must be served (the 2025 beta named US, VN, TH and PH only); retrying cannot help until then"

// Templates lists the Page's message templates (all statuses; callers
// keep what Sendable allows), following paging.
func (c *Client) Templates(ctx context.Context, pageID string) ([]Template, error) {
	if pageID == "" {
		pageID = "me"
	}
	if err := checkID("templates", "page id", pageID); err != nil {
		return nil, err
	}
	q := url.Values{"fields": {"id,name,language,status,category,components,parameter_format"}, "limit": {"100"}}
	var out []Template
	err := walkPages(ctx, c, "templates", "/"+pageID+"/message_templates", q, func(page []rawTemplate) error {
		for _, r := range page {
			out = append(out, r.template())
		}
		return nil
	})
	if err != nil {
		return nil, utilityUnavailable(err)
	}
	return out, nil
}

// rawTemplate is Meta's template, read leniently.
type rawTemplate struct {
	ID              flexID `json:"id"`
	Name            string `json:"name"`
	Language        string `json:"language"`
	Status          string `json:"status"`
	Category        string `json:"category"`
	ParameterFormat string `json:"parameter_format"`
	Components      []struct {
		Type    string `json:"type"`
		Text    string `json:"text"`
		Example struct {
			Named []struct {
				ParamName string `json:"param_name"`
			} `json:"body_text_named_params"`
		} `json:"example"`
	} `json:"components"`
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

func (r rawTemplate) template() Template {
	t := Template{ID: string(r.ID), Name: r.Name, Language: r.Language, Status: strings.ToUpper(r.Status),
		Category: strings.ToUpper(r.Category), Named: strings.EqualFold(r.ParameterFormat, "NAMED")}
	for _, c := range r.Components {
		if !strings.EqualFold(c.Type, "BODY") {
			continue
		}
		t.Body = c.Text
		seen := map[string]bool{}
		for _, m := range placeholderRE.FindAllStringSubmatch(c.Text, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				t.Params = append(t.Params, m[1])
			}
		}
		for _, n := range c.Example.Named {
			t.Named = true
			if n.ParamName != "" && !seen[n.ParamName] {
				seen[n.ParamName] = true
				t.Params = append(t.Params, n.ParamName)
			}
		}
	}
	return t
}

// templatePayload is message.template, the documented form (PLATFORM-2.md
// §2; the attachment "utility_messages" form is UNCLEAR and not sent).
// Positional parameters go in number order without parameter_name.
func templatePayload(t *TemplateSend) (map[string]any, error) {
	params := make([]map[string]any, 0, len(t.Params))
	ordered := append([]TemplateParam(nil), t.Params...)
	positional := len(ordered) > 0
	for _, p := range ordered {
		if _, err := strconv.Atoi(p.Name); err != nil {
			positional = false
		}
	}
	if positional {
		sort.Slice(ordered, func(i, j int) bool {
			a, _ := strconv.Atoi(ordered[i].Name)
			b, _ := strconv.Atoi(ordered[j].Name)
			return a < b
		})
		for i, p := range ordered {
			if n, _ := strconv.Atoi(p.Name); n != i+1 {
				return nil, fmt.Errorf("send: template %s: positional parameters must be 1..%d", t.Name, len(ordered))
			}
		}
	}
	for _, p := range ordered {
		pm := map[string]any{"type": "text", "text": p.Value}
		if !positional {
			pm["parameter_name"] = p.Name
		}
		params = append(params, pm)
	}
	tpl := map[string]any{"name": t.Name, "language": map[string]string{"code": t.Lang}}
	if len(params) > 0 {
		tpl["components"] = []any{map[string]any{"type": "body", "parameters": params}}
	}
	return tpl, nil
}

// utilityUnavailable turns a permission refusal of a template call into
// ClassUtilityUnavailable, which says what to request.
func utilityUnavailable(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Class == ClassPermission {
		e.Class = ClassUtilityUnavailable
	}
	return err
}

// templateOf is an outbox item's template as the Send API takes it,
// parameters in name order (positional ones are put in number order).
func templateOf(t *store.TemplateSend) *TemplateSend {
	out := &TemplateSend{Name: t.Name, Lang: t.Lang}
	for name, v := range t.Params {
		out.Params = append(out.Params, TemplateParam{Name: name, Value: v})
	}
	sort.Slice(out.Params, func(i, j int) bool { return out.Params[i].Name < out.Params[j].Name })
	return out
}

// StoreTemplate is t as the store keeps it for pageID.
func (t Template) StoreTemplate(pageID string) store.Template {
	return store.Template{PageID: pageID, ID: t.ID, Name: t.Name, Lang: t.Language, Status: t.Status,
		Category: t.Category, Body: t.Body, Params: t.Params, Named: t.Named}
}

// SyncTemplates reads the Page's templates from Meta and replaces the
// stored set, returning what was stored.
func SyncTemplates(ctx context.Context, c *Client, st interface {
	PutTemplates(context.Context, string, []store.Template) error
}, pageID string) ([]store.Template, error) {
	ts, err := c.Templates(ctx, pageID)
	if err != nil {
		return nil, err
	}
	out := make([]store.Template, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.StoreTemplate(pageID))
	}
	return out, st.PutTemplates(ctx, pageID, out)
}
