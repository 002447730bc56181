package fbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Utility Message templates (../shared/PLATFORM-2.md §2):
//
//	GET  /{page}/message_templates[?name=SUBSTR]   data[]{id,name,language,status,category,parameter_format,components}
//	POST /{page}/messages messaging_type=UTILITY message={"template":{"name","language":{"code"},"components":[...]}}
//
// The send is also accepted in the UNCLEAR attachment form vlab uses:
// message.attachment{"type":"template","payload":{"template_type":"utility_messages",...}}.
// SetUtilityDenied answers both with (#10) as for a Page without
// pages_utility_messaging or outside the served markets.

// DeniedUtilityMessage is Meta's answer vlab saw without the permission.
const DeniedUtilityMessage = "(#10) Application does not have permission for this action"

// TemplateSpec is one template the Page owns.
type TemplateSpec struct {
	Name, Lang string
	Category   string // default UTILITY
	Status     string // default APPROVED
	Body       string // with {{1}} or {{name}} placeholders
	Page       string // the Page that owns it (templates are per Page); default Config.PageID
}

type emuTemplate struct {
	id string
	TemplateSpec
	params []string
	named  bool
}

type templateBook struct {
	list   []*emuTemplate
	seq    int
	denied bool
}

var emuPlaceholder = regexp.MustCompile(`\{\{([A-Za-z0-9_]+)\}\}`)

// AddTemplate gives the Page a template and returns its id.
func (s *Server) AddTemplate(t TemplateSpec) string {
	if t.Category == "" {
		t.Category = "UTILITY"
	}
	if t.Status == "" {
		t.Status = "APPROVED"
	}
	if t.Page == "" {
		t.Page = s.cfg.PageID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates.seq++
	et := &emuTemplate{id: fmt.Sprint(9100000000000000 + s.templates.seq), TemplateSpec: t}
	for _, m := range emuPlaceholder.FindAllStringSubmatch(t.Body, -1) {
		if !slices.Contains(et.params, m[1]) {
			et.params = append(et.params, m[1])
		}
		if m[1][0] < '0' || m[1][0] > '9' {
			et.named = true
		}
	}
	s.templates.list = append(s.templates.list, et)
	return et.id
}

// SetUtilityDenied makes the templates list and every UTILITY send fail
// with (#10), as for a Page without the permission or the market.
func (s *Server) SetUtilityDenied(denied bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates.denied = denied
}

// templateLocked finds a template of the Page page ("": of any Page).
func (s *Server) templateLocked(page, name, lang string) *emuTemplate {
	for _, t := range s.templates.list {
		if t.Name == name && t.Lang == lang && (page == "" || t.Page == page) {
			return t
		}
	}
	return nil
}

// SetTemplateStatus is Meta's review changing a template's status
// (event APPROVED, REJECTED, PAUSED, DISABLED...): the state changes and,
// if the Page subscribes to message_template_status_update, d posts the
// change in the WhatsApp analog's shape (the Page-side payload is UNCLEAR).
func (s *Server) SetTemplateStatus(ctx context.Context, d *Driver, name, lang, event, reason string) error {
	s.mu.Lock()
	t := s.templateLocked("", name, lang)
	if t == nil {
		s.mu.Unlock()
		return fmt.Errorf("fbtest: SetTemplateStatus: no template %s/%s", name, lang)
	}
	t.Status = event
	change := TemplateStatusChange(t.id, name, lang, event, reason, t.Category)
	post := slices.Contains(s.subscribed, "message_template_status_update")
	s.mu.Unlock()
	if !post {
		return nil
	}
	return d.PostChanges(ctx, change)
}

// TemplateStatusChange is a message_template_status_update change.
func TemplateStatusChange(id, name, lang, event, reason, category string) Change {
	v := map[string]any{"event": event, "message_template_id": id, "message_template_name": name,
		"message_template_language": lang, "message_template_category": category}
	if reason != "" {
		v["reason"] = reason
	}
	return Change{"field": "message_template_status_update", "value": v}
}

func (s *Server) handleTemplates(w http.ResponseWriter, c *call) {
	if s.utilityDenied() {
		s.writeError(w, errf(http.StatusBadRequest, 10, 0, DeniedUtilityMessage))
		return
	}
	s.mu.Lock()
	data := s.templateListLocked(c.page, c.p["name"])
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) templateListLocked(page, q string) []any {
	data := []any{}
	for _, t := range s.templates.list {
		if t.Page != page || (q != "" && !strings.Contains(t.Name, q)) {
			continue
		}
		body := map[string]any{"type": "BODY", "text": t.Body}
		format := "POSITIONAL"
		if t.named {
			format = "NAMED"
			ex := []any{}
			for _, p := range t.params {
				ex = append(ex, map[string]any{"param_name": p, "example": "x"})
			}
			body["example"] = map[string]any{"body_text_named_params": ex}
		}
		data = append(data, map[string]any{"id": t.id, "name": t.Name, "language": t.Lang, "status": t.Status,
			"category": t.Category, "parameter_format": format, "components": []any{body}})
	}
	return data
}

// readTemplate checks a UTILITY send's template: it exists in that
// language, is an approved UTILITY template, and gets exactly its
// parameters (by name for NAMED templates).
func (s *Server) readTemplate(raw json.RawMessage, sent *Sent) *apiError {
	var in struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type, Text    string
				ParameterName string `json:"parameter_name"`
			} `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || in.Name == "" || in.Language.Code == "" {
		return invalid("Param message[template] must have name and language.code")
	}
	s.mu.Lock()
	t := s.templateLocked(sent.PageID, in.Name, in.Language.Code)
	var snap emuTemplate
	if t != nil {
		snap = *t
	}
	s.mu.Unlock()
	switch {
	case t == nil:
		return invalid("Template name does not exist in the translation: %s (%s)", in.Name, in.Language.Code)
	case snap.Category != "UTILITY":
		return invalid("Template %s is %s; only UTILITY templates may be sent with messaging_type UTILITY", in.Name, snap.Category)
	case snap.Status != "APPROVED":
		return invalid("Template %s is %s, not APPROVED", in.Name, snap.Status)
	}
	sent.Template, sent.TemplateLang = in.Name, in.Language.Code
	sent.TemplateParams = map[string]string{}
	for _, c := range in.Components {
		if !strings.EqualFold(c.Type, "body") {
			continue
		}
		for i, p := range c.Parameters {
			key := p.ParameterName
			if key == "" {
				key = fmt.Sprint(i + 1)
			}
			sent.TemplateParams[key] = p.Text
		}
	}
	if len(sent.TemplateParams) != len(snap.params) {
		return invalid("Number of parameters does not match the expected number of params: template %s takes %d, got %d",
			in.Name, len(snap.params), len(sent.TemplateParams))
	}
	for _, p := range snap.params {
		if _, ok := sent.TemplateParams[p]; !ok {
			return invalid("Template %s: parameter %s is missing", in.Name, p)
		}
	}
	sent.Text = emuPlaceholder.ReplaceAllStringFunc(snap.Body, func(m string) string {
		return sent.TemplateParams[m[2:len(m)-2]]
	})
	return nil
}

// utilityAttachment is the template object of the attachment form, or
// nil if raw is not a utility_messages attachment.
func utilityAttachment(raw json.RawMessage) json.RawMessage {
	var a struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(raw, &a) != nil || a.Type != "template" {
		return nil
	}
	var p struct {
		TemplateType string `json:"template_type"`
	}
	if json.Unmarshal(a.Payload, &p) != nil || p.TemplateType != "utility_messages" {
		return nil
	}
	return a.Payload
}

func (s *Server) utilityDenied() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.templates.denied
}

// errNotUtility: the message is not a template; read it as any other.
var errNotUtility = &apiError{}

// readUtility reads a UTILITY send's template in either form; a template
// only goes with messaging_type UTILITY and UTILITY only with a template.
func (s *Server) readUtility(msg map[string]json.RawMessage, sent *Sent) *apiError {
	raw, ok := msg["template"]
	if !ok {
		raw = utilityAttachment(msg["attachment"])
	}
	switch {
	case raw == nil && sent.MessagingType == "UTILITY":
		return invalid("messaging_type UTILITY sends a message[template]")
	case raw == nil:
		return errNotUtility
	case sent.MessagingType != "UTILITY":
		return invalid("A message template is sent with messaging_type UTILITY")
	}
	return s.readTemplate(raw, sent)
}
