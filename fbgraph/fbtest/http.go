package fbtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// maxBody bounds a request: uploads go up to 25 MB.
const maxBody = 32 << 20

// apiError is one of Meta's error envelopes.
type apiError struct {
	status    int
	code      int
	subcode   int
	typ       string // default OAuthException
	msg       string
	transient bool
	header    http.Header // extra response headers
}

func errf(status, code, subcode int, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, subcode: subcode, msg: fmt.Sprintf(format, args...)}
}

// invalid is a plain (#100) parameter error.
func invalid(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, 100, 0, "(#100) "+format, args...)
}

// Meta's messages for the codes FailNext may be asked for.
var codeMessages = map[int]string{
	1:    "An unknown error occurred",
	2:    "An unexpected error has occurred. Please retry your request later.",
	4:    "(#4) Application request limit reached",
	10:   "(#10) This message is sent outside of allowed window.",
	17:   "(#17) User request limit reached",
	32:   "(#32) Page request limit reached",
	100:  "(#100) Invalid parameter",
	190:  "Error validating access token: Session has expired",
	200:  "(#200) Permissions error",
	230:  "(#230) Requires pages_messaging permission to manage the object",
	341:  "(#341) Application limit reached",
	368:  "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
	551:  "(#551) This person isn't available right now.",
	613:  "(#613) Calls to this API have exceeded the rate limit.",
	1200: "(#1200) Temporary send message failure. Please try again later",
	2022: "(#2022) Commerce messages are temporarily disabled",
}

var subcodeMessages = map[[2]int]string{
	{10, 2018108}:  "(#10) This person isn't receiving messages from you right now.",
	{10, 1893063}:  "(#10) Page temporarily restricted from sending messages",
	{100, 2018001}: "(#100) No matching user found",
	{100, 2018034}: "(#100) Message cannot be empty, must provide valid attachment or text",
	{100, 2018109}: "(#100) Attachment size exceeds allowable limit",
	{190, 467}:     "Invalid OAuth access token - Cannot parse access token",
	{190, 460}:     "Error validating access token: The session has been invalidated because the user changed their password.",
	{200, 1545041}: "(#200) Message Not Sent: This person isn't available right now.",
	{200, 2018028}: "(#200) Cannot message users who are not admins, developers or testers of the app until pages_messaging permission is reviewed and the app is live.",
}

func messageFor(code, subcode int) string {
	if m, ok := subcodeMessages[[2]int{code, subcode}]; ok {
		return m
	}
	if m, ok := codeMessages[code]; ok {
		return m
	}
	if code >= 80000 && code < 81000 {
		return fmt.Sprintf("(#%d) There have been too many calls to this Page account. Wait a bit and try again.", code)
	}
	return fmt.Sprintf("(#%d) Simulated error", code)
}

// transientCode: Meta marks these is_transient (2 and 1 ask for a retry,
// 4 carries it in real answers; docs/meta-platform.md §5.1).
func transientCode(code, status int) bool {
	return code == 1 || code == 2 || code == 4 || code == 1200 || status >= 500
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	typ := e.typ
	if typ == "" {
		typ = "OAuthException"
	}
	s.mu.Lock()
	s.calls[e.code]++
	trace := s.traceIDLocked()
	s.mu.Unlock()
	body := map[string]any{
		"message":      e.msg,
		"type":         typ,
		"code":         e.code,
		"fbtrace_id":   trace,
		"is_transient": e.transient,
	}
	if e.subcode != 0 {
		body["error_subcode"] = e.subcode
	}
	for k, v := range e.header {
		w.Header()[k] = v
	}
	w.Header().Set("X-Fb-Trace-Id", trace)
	if e.code == 190 {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf("OAuth \"Facebook Platform\" \"invalid_token\" %q", e.msg))
	}
	writeJSON(w, e.status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // our own values: cannot fail
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-Fb-Rev", "1000000")
	w.WriteHeader(status)
	w.Write(b)
}

// call is one parsed Graph request.
type call struct {
	r       *http.Request
	seg     []string          // path segments after the version
	p       map[string]string // query and body parameters; JSON values as JSON text
	hasFile bool              // multipart filedata
	upload  *Upload           // a streamed upload's filedata (upload.go)
	page    string            // the Page the call's token is for (auth)
}

var versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (CutAfterAccept).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if isStreamUpload(r) {
		s.serveStreamUpload(w, r)
		return
	}
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, At: s.cfg.Now(),
	})
	latency := s.latency
	s.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.requests[idx].Status = rec.status
		s.mu.Unlock()
	}()

	if strings.HasPrefix(r.URL.Path, "/_fbtest/pic/") {
		servePicture(rec)
		return
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closed:
			t.Stop()
			return
		}
	}
	if readErr != nil {
		s.writeError(rec, invalid("Request body too large or unreadable"))
		return
	}
	c, perr := parseCall(r, body)
	if perr != nil {
		s.writeError(rec, perr)
		return
	}
	if s.serveOAuth(rec, c) {
		return
	}
	if e := s.auth(c); e != nil {
		s.writeError(rec, e)
		return
	}
	s.route(rec, c)
}

// parseCall splits the path and gathers the parameters: the query, then
// the body (JSON object, urlencoded form or multipart form) over it.
func parseCall(r *http.Request, body []byte) (*call, *apiError) {
	c := &call{r: r, p: map[string]string{}}
	path := strings.Trim(r.URL.Path, "/")
	if path != "" {
		c.seg = strings.Split(path, "/")
	}
	if len(c.seg) > 0 && versionRE.MatchString(c.seg[0]) {
		c.seg = c.seg[1:]
	}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			c.p[k] = v[0]
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return c, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, invalid("Invalid form body")
		}
		for k, v := range vals {
			if len(v) > 0 {
				c.p[k] = v[0]
			}
		}
	case ct == "multipart/form-data":
		form, err := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"]).ReadForm(maxBody)
		if err != nil {
			return nil, invalid("Invalid multipart body")
		}
		defer form.RemoveAll()
		for k, v := range form.Value {
			if len(v) > 0 {
				c.p[k] = v[0]
			}
		}
		c.hasFile = len(form.File["filedata"]) > 0
	default: // JSON, declared or not
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return nil, invalid("Invalid JSON for the request body")
		}
		for k, v := range top {
			if t := strings.TrimSpace(string(v)); t == "null" {
				continue
			}
			var str string
			if json.Unmarshal(v, &str) == nil {
				c.p[k] = str
			} else {
				c.p[k] = string(v)
			}
		}
	}
	return c, nil
}

// tokenOf finds the access token: Authorization "Bearer t" or "OAuth t",
// else the access_token parameter.
func (c *call) tokenOf() string {
	if h := c.r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
		if ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth")) {
			return strings.TrimSpace(tok)
		}
	}
	return c.p["access_token"]
}

// Proof is appsecret_proof: hex(HMAC-SHA256(key=appSecret, token)).
func Proof(token, appSecret string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) auth(c *call) *apiError {
	tok := c.tokenOf()
	s.mu.Lock()
	want, expired := s.token, s.expired
	s.mu.Unlock()
	switch {
	case tok == "":
		return errf(http.StatusBadRequest, 190, 467, "An active access token must be used to query information about the current user.")
	case !hmac.Equal([]byte(tok), []byte(want)):
		if p, ok := s.pageByToken(tok); ok {
			c.page = p.ID
			return s.checkProof(c, tok)
		}
		return errf(http.StatusBadRequest, 190, 467, "Invalid OAuth access token - Cannot parse access token")
	case expired:
		return errf(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired on %s. The current time is %s.",
			s.cfg.Now().Add(-time.Hour).UTC().Format("Monday, 02-Jan-06 15:04:05 MST"), s.cfg.Now().UTC().Format("Monday, 02-Jan-06 15:04:05 MST"))
	}
	c.page = s.cfg.PageID
	return s.checkProof(c, tok)
}

// checkProof applies RequireProof to an authenticated call.
func (s *Server) checkProof(c *call, tok string) *apiError {
	if !s.cfg.RequireProof {
		return nil
	}
	proof, ok := c.p["appsecret_proof"]
	if !ok || proof == "" {
		return &apiError{status: http.StatusBadRequest, code: 100, typ: "GraphMethodException",
			msg: "API calls from the server require an appsecret_proof argument"}
	}
	got, err := hex.DecodeString(proof)
	want2, _ := hex.DecodeString(Proof(tok, s.cfg.AppSecret))
	if err != nil || !hmac.Equal(got, want2) {
		return &apiError{status: http.StatusBadRequest, code: 100, typ: "GraphMethodException",
			msg: "Invalid appsecret_proof provided in the API argument"}
	}
	return nil
}

func unsupported(method, id string) *apiError {
	verb := strings.ToLower(method)
	if id == "" {
		id = "me"
	}
	return &apiError{status: http.StatusBadRequest, code: 100, subcode: 33, typ: "GraphMethodException",
		msg: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", verb, id)}
}

func (s *Server) route(w http.ResponseWriter, c *call) {
	m, seg := c.r.Method, c.seg
	var first string
	if len(seg) > 0 {
		first = seg[0]
	}
	if first != c.page && s.knownPage(first) {
		s.writeError(w, wrongPage())
		return
	}
	if s.routeLabels(w, c) {
		return
	}
	switch {
	case len(seg) == 2 && seg[1] == "messages" && s.isPage(c, first) && m == http.MethodPost:
		s.handleSend(w, c)
	case len(seg) == 2 && seg[1] == "message_attachments" && s.isPage(c, first) && m == http.MethodPost:
		s.handleUpload(w, c)
	case len(seg) == 2 && seg[1] == "message_templates" && s.isPage(c, first) && m == http.MethodGet:
		s.handleTemplates(w, c)
	case len(seg) == 2 && seg[1] == "conversations" && s.isPage(c, first) && m == http.MethodGet:
		s.handleConversations(w, c)
	case len(seg) == 2 && seg[1] == "subscribed_apps" && s.isPage(c, first):
		s.handleSubscribedApps(w, c)
	case len(seg) == 1 && s.isPage(c, first) && m == http.MethodGet:
		s.handlePage(w, c)
	case len(seg) == 1 && strings.HasPrefix(first, "t_") && m == http.MethodGet:
		s.handleConversation(w, c, first)
	case len(seg) == 2 && strings.HasPrefix(first, "t_") && seg[1] == "messages" && m == http.MethodGet:
		s.handleConversationMessages(w, c, first)
	case len(seg) == 1 && strings.HasPrefix(first, "m_") && m == http.MethodGet:
		s.handleMessage(w, c, first)
	case len(seg) == 1 && m == http.MethodGet:
		s.handleProfile(w, c, first)
	default:
		s.writeError(w, unsupported(m, first))
	}
}

// 1x1 transparent PNG, for profile_pic URLs.
var pixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func servePicture(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "image/png")
	w.WriteHeader(http.StatusOK)
	w.Write(pixelPNG)
}
