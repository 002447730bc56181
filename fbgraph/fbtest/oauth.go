package fbtest

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// The person's side of Meta, for `pageinbox pages connect`:
//
//	GET|POST /oauth/access_token   grant_type=fb_exchange_token: a long-lived user token
//	GET      /me/accounts          the user's Pages with their tokens, cursor-paged
//	GET|POST /debug_token          input_token's validity, expiry and scopes (POST with method=GET)
//
// These answer before the Page-token check of every other call: they are
// made with a user token or as the app ("app-id|app-secret").

// DefaultScopes are the permissions of a user token, and of the Page
// tokens listed for it, unless SetTokenInfo or DropScope say otherwise.
var DefaultScopes = []string{
	"pages_show_list", "pages_messaging", "pages_manage_metadata",
	"pages_read_engagement", "pages_utility_messaging",
}

// longLived is how long an exchanged user token lasts (Meta: about 60 days).
const longLived = 60 * 24 * time.Hour

// UserToken is a person's (or a system user's) access token.
type UserToken struct {
	Token   string
	Scopes  []string  // default DefaultScopes
	Expires time.Time // zero: it does not expire (a system user's)
	// Pages are the ids of the Pages the person manages; nil: all of
	// the emulator's.
	Pages []string
	// SystemUser: the token is a Business Manager system user's, which
	// does not expire and which the exchange refuses (how Meta refuses
	// it is not documented; the emulator answers a #100).
	SystemUser bool
}

// TokenInfo overrides what debug_token says of one token.
type TokenInfo struct {
	Expires, DataAccessExpires time.Time // zero: does not expire
	Scopes                     []string  // nil: DefaultScopes
	Invalid                    bool      // is_valid false
}

// oauthBook is the emulator's memory of people and tokens.
type oauthBook struct {
	users     map[string]*UserToken
	info      map[string]TokenInfo
	dropped   []string // scopes nobody has (DropScope)
	seq       int
	exchanges int
	pageSize  int // /me/accounts page size; 0: the limit asked, else 25
}

// AddUserToken makes the emulator know a user token.
func (s *Server) AddUserToken(u UserToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oauth.users == nil {
		s.oauth.users = map[string]*UserToken{}
	}
	u.Scopes, u.Pages = slices.Clone(u.Scopes), slices.Clone(u.Pages)
	s.oauth.users[u.Token] = &u
}

// SetTokenInfo sets what debug_token answers for token (a user's or a
// Page's).
func (s *Server) SetTokenInfo(token string, info TokenInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oauth.info == nil {
		s.oauth.info = map[string]TokenInfo{}
	}
	info.Scopes = slices.Clone(info.Scopes)
	s.oauth.info[token] = info
}

// DropScope takes a permission away from every token debug_token
// describes, as if the person had declined it.
func (s *Server) DropScope(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.dropped = append(s.oauth.dropped, scope)
}

// SetAccountsPageSize caps the Pages of one /me/accounts answer, to make
// a client follow the cursors.
func (s *Server) SetAccountsPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.pageSize = n
}

// Exchanges counts the accepted token exchanges.
func (s *Server) Exchanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.exchanges
}

// accountPage is one Page as /me/accounts lists it.
type accountPage struct{ id, name, token string }

// accountPagesLocked are the emulator's Pages with their tokens (the
// default Page's as it is now: knobs may change it).
func (s *Server) accountPagesLocked() []accountPage {
	out := []accountPage{{s.cfg.PageID, s.cfg.PageName, s.token}}
	for _, p := range s.cfg.Pages {
		out = append(out, accountPage{p.ID, p.Name, p.Token})
	}
	return out
}

// serveOAuth answers the calls made with a user token or as the app;
// false leaves the call to the Page-token routes.
func (s *Server) serveOAuth(w http.ResponseWriter, c *call) bool {
	switch {
	case len(c.seg) == 2 && c.seg[0] == "oauth" && c.seg[1] == "access_token":
		s.handleExchange(w, c)
	case len(c.seg) == 1 && c.seg[0] == "debug_token":
		s.handleDebugToken(w, c)
	case len(c.seg) == 2 && c.seg[0] == "me" && c.seg[1] == "accounts" && s.userToken(c.tokenOf()) != nil:
		s.handleAccounts(w, c)
	case len(c.seg) == 2 && c.seg[1] == "subscribed_apps" && c.r.Method == http.MethodPost && !s.hasScope(c.tokenOf(), "pages_manage_metadata"):
		s.writeError(w, errf(http.StatusForbidden, 200, 0, "(#200) Requires pages_manage_metadata permission to manage the object"))
	default:
		return false
	}
	return true
}

// userToken is the known user token tok, or nil.
func (s *Server) userToken(tok string) *UserToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.oauth.users[tok]; ok && tok != "" {
		cp := *u
		return &cp
	}
	return nil
}

func (s *Server) handleExchange(w http.ResponseWriter, c *call) {
	if c.p["grant_type"] != "fb_exchange_token" {
		s.writeError(w, invalid("Invalid grant_type: %q", c.p["grant_type"]))
		return
	}
	if c.p["client_id"] != s.cfg.AppID {
		s.writeError(w, errf(http.StatusBadRequest, 101, 0, "Error validating application. Invalid application ID."))
		return
	}
	if !hmac.Equal([]byte(c.p["client_secret"]), []byte(s.cfg.AppSecret)) {
		s.writeError(w, errf(http.StatusBadRequest, 1, 0, "Error validating client secret."))
		return
	}
	u := s.userToken(c.p["fb_exchange_token"])
	switch {
	case u == nil:
		s.writeError(w, errf(http.StatusBadRequest, 190, 467, "Invalid OAuth access token - Cannot parse access token"))
		return
	case !u.Expires.IsZero() && !s.cfg.Now().Before(u.Expires):
		s.writeError(w, errf(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired"))
		return
	case u.SystemUser:
		s.writeError(w, invalid("A system user access token cannot be exchanged"))
		return
	}
	s.mu.Lock()
	s.oauth.seq++
	s.oauth.exchanges++
	ll := *u
	ll.Token = fmt.Sprintf("EAAlonglived%04d", s.oauth.seq)
	answer := map[string]any{"access_token": ll.Token, "token_type": "bearer"}
	if !u.Expires.IsZero() {
		ll.Expires = s.cfg.Now().Add(longLived)
		answer["expires_in"] = int64(longLived / time.Second)
	}
	s.oauth.users[ll.Token] = &ll
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, answer)
}

func (s *Server) handleAccounts(w http.ResponseWriter, c *call) {
	u := s.userToken(c.tokenOf())
	if !u.Expires.IsZero() && !s.cfg.Now().Before(u.Expires) {
		s.writeError(w, errf(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired"))
		return
	}
	s.mu.Lock()
	var mine []accountPage
	for _, p := range s.accountPagesLocked() {
		if u.Pages == nil || slices.Contains(u.Pages, p.id) {
			mine = append(mine, p)
		}
	}
	size := s.oauth.pageSize
	s.mu.Unlock()
	if size <= 0 {
		size = 25
		if n, err := strconv.Atoi(c.p["limit"]); err == nil && n > 0 {
			size = n
		}
	}
	start, _ := strconv.Atoi(c.p["after"])
	start = min(max(start, 0), len(mine))
	end := min(start+size, len(mine))
	data := []any{}
	for _, p := range mine[start:end] {
		data = append(data, map[string]any{"id": p.id, "name": p.name, "access_token": p.token,
			"category": "Shopping & retail", "tasks": []string{"ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"}})
	}
	paging := map[string]any{"cursors": map[string]any{"before": strconv.Itoa(start), "after": strconv.Itoa(end)}}
	if end < len(mine) {
		// Meta's next link carries the token; ours does not need to.
		paging["next"] = "https://graph.facebook.com/v25.0/me/accounts?after=" + strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "paging": paging})
}
