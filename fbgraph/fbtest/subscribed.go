package fbtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// DefaultSubscribedFields are the Page's subscribed_apps fields at start.
var DefaultSubscribedFields = []string{
	"messages", "messaging_postbacks", "message_deliveries",
	"message_reads", "message_echoes", "message_reactions",
}

// SetSubscribedFields sets the Page's subscribed_apps fields; none means
// the app is not subscribed to the Page. Echoes, deliveries and reads
// are posted only for subscribed fields, as Meta does.
func (s *Server) SetSubscribedFields(fields []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subscribed = slices.Clone(fields)
}

// SubscribedFields are the Page's subscribed fields now.
func (s *Server) SubscribedFields() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subscribed)
}

func (s *Server) subscribedLocked(field string) bool {
	return s.cfg.WebhookURL != "" && slices.Contains(s.subscribed, field)
}

func (s *Server) handleSubscribedApps(w http.ResponseWriter, c *call) {
	switch c.r.Method {
	case http.MethodGet:
		s.mu.Lock()
		fields := slices.Clone(s.subscribed)
		s.mu.Unlock()
		data := []any{}
		if len(fields) > 0 {
			data = append(data, map[string]any{
				"id": s.cfg.AppID, "name": "pageinbox", "category": "Business",
				"subscribed_fields": fields,
			})
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	case http.MethodPost:
		raw := strings.TrimSpace(c.p["subscribed_fields"])
		var fields []string
		if strings.HasPrefix(raw, "[") {
			if json.Unmarshal([]byte(raw), &fields) != nil {
				s.writeError(w, invalid("Param subscribed_fields must be an array of strings"))
				return
			}
		} else {
			for f := range strings.SplitSeq(raw, ",") {
				if f = strings.TrimSpace(f); f != "" {
					fields = append(fields, f)
				}
			}
		}
		if len(fields) == 0 {
			s.writeError(w, invalid("The parameter subscribed_fields is required"))
			return
		}
		s.SetSubscribedFields(fields)
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	case http.MethodDelete:
		s.SetSubscribedFields(nil)
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	default:
		s.writeError(w, unsupported(c.r.Method, "subscribed_apps"))
	}
}
