package fbtest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// handleDebugToken answers GET /debug_token?input_token=, or a POST with
// method=GET and input_token in the body. The caller is the app
// ("app-id|app-secret") or a user the emulator knows.
func (s *Server) handleDebugToken(w http.ResponseWriter, c *call) {
	if c.r.Method == http.MethodPost && !strings.EqualFold(c.p["method"], "GET") {
		s.writeError(w, unsupported(c.r.Method, "debug_token"))
		return
	}
	caller := c.tokenOf()
	if caller != s.cfg.AppID+"|"+s.cfg.AppSecret && s.userToken(caller) == nil {
		s.writeError(w, errf(http.StatusBadRequest, 190, 467, "Invalid OAuth access token - Cannot parse access token"))
		return
	}
	input := c.p["input_token"]
	if input == "" {
		s.writeError(w, invalid("The parameter input_token is required"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": s.describeToken(input)})
}

// describeToken is debug_token's data for tok.
func (s *Server) describeToken(tok string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var pageID, typ string
	for _, p := range s.accountPagesLocked() {
		if p.token == tok {
			pageID, typ = p.id, "PAGE"
		}
	}
	info, known := s.oauth.info[tok]
	if u, ok := s.oauth.users[tok]; ok {
		typ = "USER"
		if u.SystemUser {
			typ = "SYSTEM_USER"
		}
		if !known {
			info = TokenInfo{Expires: u.Expires, Scopes: u.Scopes}
		}
	}
	if typ == "" {
		return map[string]any{"is_valid": false, "scopes": []string{},
			"error": map[string]any{"code": 190, "message": "Invalid OAuth access token."}}
	}
	scopes := info.Scopes
	if scopes == nil {
		scopes = DefaultScopes
	}
	scopes = slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool { return slices.Contains(s.oauth.dropped, sc) })
	now := s.cfg.Now()
	valid := !info.Invalid && (info.Expires.IsZero() || now.Before(info.Expires))
	data := map[string]any{
		"app_id": s.cfg.AppID, "type": typ, "application": "pageinbox", "is_valid": valid,
		"issued_at": now.Add(-time.Hour).Unix(), "expires_at": unixOrZero(info.Expires),
		"data_access_expires_at": unixOrZero(info.DataAccessExpires),
		"scopes":                 scopes, "granular_scopes": granular(scopes, pageID), "user_id": "10000000000000099",
	}
	if pageID != "" {
		data["profile_id"] = pageID
	}
	if !valid {
		data["error"] = map[string]any{"code": 190, "subcode": 463, "message": "Error validating access token: Session has expired"}
	}
	return data
}

// hasScope: the token is a Page's or a user's the emulator knows, and
// debug_token would list scope for it. Unknown tokens pass, for auth to
// refuse.
func (s *Server) hasScope(tok, scope string) bool {
	data := s.describeToken(tok)
	scopes, _ := data["scopes"].([]string)
	return data["is_valid"] == false || slices.Contains(scopes, scope)
}

// granular lists the Page scopes with the Page they were granted for.
func granular(scopes []string, pageID string) []map[string]any {
	out := []map[string]any{}
	for _, sc := range scopes {
		g := map[string]any{"scope": sc}
		if pageID != "" && strings.HasPrefix(sc, "pages_") && sc != "pages_show_list" {
			g["target_ids"] = []string{pageID}
		}
		out = append(out, g)
	}
	return out
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
