package fbtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Graph times look like 2026-03-14T09:12:45+0000.
const graphTime = "2006-01-02T15:04:05-0700"

func fmtTime(t time.Time) string { return t.UTC().Format(graphTime) }

// MaxThreadMessages is how many of a conversation's most recent messages
// the Conversations API shows (docs/meta-platform.md §8).
const MaxThreadMessages = 20

// ---- fields=a,b{c,d},e.limit(5){f} ----

type field struct {
	name  string
	limit int // .limit(n), 0 if none
	sub   []field
}

func parseFields(s string) ([]field, error) {
	p := &fieldParser{s: strings.ReplaceAll(s, " ", "")}
	fs, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at %d", p.s[p.i], p.i)
	}
	return fs, nil
}

type fieldParser struct {
	s string
	i int
}

func (p *fieldParser) list() ([]field, error) {
	var out []field
	for {
		f, err := p.item()
		if err != nil {
			return nil, err
		}
		if f.name != "" {
			out = append(out, f)
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return out, nil
	}
}

func (p *fieldParser) item() (field, error) {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte(",{}.()", p.s[p.i]) < 0 {
		p.i++
	}
	f := field{name: p.s[start:p.i]}
	for p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		open := strings.IndexByte(p.s[p.i:], '(')
		end := strings.IndexByte(p.s[p.i:], ')')
		if open < 0 || end < open {
			return f, fmt.Errorf("bad modifier in fields")
		}
		mod, arg := p.s[p.i:p.i+open], p.s[p.i+open+1:p.i+end]
		p.i += end + 1
		if mod == "limit" {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return f, fmt.Errorf("bad limit %q", arg)
			}
			f.limit = n
		}
	}
	if p.i < len(p.s) && p.s[p.i] == '{' {
		p.i++
		sub, err := p.list()
		if err != nil {
			return f, err
		}
		if p.i >= len(p.s) || p.s[p.i] != '}' {
			return f, fmt.Errorf("missing } in fields")
		}
		p.i++
		f.sub = sub
	}
	return f, nil
}

func (c *call) fields(def string) ([]field, *apiError) {
	s := c.p["fields"]
	if s == "" {
		s = def
	}
	fs, err := parseFields(s)
	if err != nil {
		return nil, invalid("Syntax error in fields: %v", err)
	}
	return fs, nil
}

func (c *call) limit(def, max int) (int, *apiError) {
	s, ok := c.p["limit"]
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, invalid("Param limit must be a non-negative integer")
	}
	if n == 0 {
		return def, nil
	}
	return min(n, max), nil
}

// ---- cursor paging ----

// keyed is an item with its sort key; lists are sorted by key, descending.
type keyed struct {
	key string
	v   any
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return string(b), err == nil && len(b) > 0
}

// paginate cuts one page out of items (sorted by key, descending) after
// or before a cursor. Cursors are keys, not positions, so deleting or
// adding items never repeats one that was already shown in place.
func paginate(items []keyed, limit int, after, before string) (page []keyed, hasPrev, hasNext bool, e *apiError) {
	var start, end int
	switch {
	case after != "":
		k, ok := decodeCursor(after)
		if !ok {
			return nil, false, false, invalid("Param after is not a valid cursor")
		}
		start = len(items)
		for i, it := range items {
			if it.key < k {
				start = i
				break
			}
		}
		end = min(start+limit, len(items))
	case before != "":
		k, ok := decodeCursor(before)
		if !ok {
			return nil, false, false, invalid("Param before is not a valid cursor")
		}
		end = 0
		for i, it := range items {
			if it.key > k {
				end = i + 1
			}
		}
		start = max(0, end-limit)
	default:
		end = min(limit, len(items))
	}
	return items[start:end], start > 0, end < len(items), nil
}

// pageJSON is {"data":[...],"paging":{"cursors":{...},"previous","next"}}.
func pageJSON(c *call, items []keyed, hasPrev, hasNext bool) map[string]any {
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it.v
	}
	out := map[string]any{"data": data}
	if len(items) == 0 {
		return out
	}
	first, last := encodeCursor(items[0].key), encodeCursor(items[len(items)-1].key)
	paging := map[string]any{"cursors": map[string]any{"before": first, "after": last}}
	if hasNext {
		paging["next"] = pageURL(c, "after", last)
	}
	if hasPrev {
		paging["previous"] = pageURL(c, "before", first)
	}
	out["paging"] = paging
	return out
}

// pageURL is the request's own URL (on the host the caller used) with the
// cursor replaced. Like Graph, it keeps the caller's query parameters,
// access_token and appsecret_proof included when they came in the query.
func pageURL(c *call, which, cursor string) string {
	q := c.r.URL.Query()
	q.Del("after")
	q.Del("before")
	q.Set(which, cursor)
	u := url.URL{Scheme: "http", Host: c.r.Host, Path: c.r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

func sortKey(t time.Time, tie string) string {
	return fmt.Sprintf("%020d|%s", t.UnixNano(), tie)
}

// ---- the Page ----

func (s *Server) handlePage(w http.ResponseWriter, c *call) {
	fs, e := c.fields("id,name")
	if e != nil {
		s.writeError(w, e)
		return
	}
	out := map[string]any{"id": s.cfg.PageID}
	for _, f := range fs {
		switch f.name {
		case "name":
			out["name"] = s.cfg.PageName
		case "category":
			out["category"] = "Shopping & Retail"
		case "link":
			out["link"] = "https://www.facebook.com/" + s.cfg.PageID
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// ---- User Profile ----

func (s *Server) handleProfile(w http.ResponseWriter, c *call, psid string) {
	fs, e := c.fields("first_name,last_name,profile_pic")
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	u := s.users[psid]
	var name string
	if u != nil {
		name = u.name
	}
	s.mu.Unlock()
	if u == nil {
		s.writeError(w, errf(http.StatusBadRequest, 100, 2018001, "(#100) No matching user found"))
		return
	}
	first, last, _ := strings.Cut(name, " ")
	out := map[string]any{"id": psid}
	for _, f := range fs {
		switch f.name {
		case "name":
			out["name"] = name
		case "first_name":
			out["first_name"] = first
		case "last_name":
			out["last_name"] = last
		case "profile_pic":
			out["profile_pic"] = "http://" + c.r.Host + "/_fbtest/pic/" + url.PathEscape(psid) + ".png"
		}
		// locale, timezone, gender need extra review: left out, like Meta
		// does without the permission.
	}
	writeJSON(w, http.StatusOK, out)
}

// ---- Conversations ----

func (s *Server) party(id string) map[string]any {
	name := s.cfg.PageName
	if id != s.cfg.PageID {
		if u := s.users[id]; u != nil {
			name = u.name
		}
	}
	return map[string]any{"id": id, "name": name, "email": id + "@facebook.com"}
}

func (s *Server) messageJSONLocked(u *user, m histMsg, fs []field) map[string]any {
	out := map[string]any{"id": m.mid}
	from, to := u.psid, s.cfg.PageID
	if m.fromPage {
		from, to = to, from
	}
	for _, f := range fs {
		switch f.name {
		case "message":
			out["message"] = m.text
		case "created_time":
			out["created_time"] = fmtTime(m.at)
		case "from":
			out["from"] = s.party(from)
		case "to":
			out["to"] = map[string]any{"data": []any{s.party(to)}}
		case "attachments":
			if m.attType != "" && m.attType != "sticker" {
				a := map[string]any{"id": "att_" + m.mid, "mime_type": mimeOf(m.attType)}
				if m.attType == "image" {
					a["image_data"] = map[string]any{"url": m.attURL, "preview_url": m.attURL, "width": 1, "height": 1}
				} else {
					a["file_url"] = m.attURL
				}
				out["attachments"] = map[string]any{"data": []any{a}}
			}
		}
	}
	return out
}

func mimeOf(typ string) string {
	switch typ {
	case "image":
		return "image/jpeg"
	case "audio":
		return "audio/mpeg"
	case "video":
		return "video/mp4"
	}
	return "application/octet-stream"
}

// recentLocked are the conversation's messages Meta shows: the 20 most
// recent, newest first, keyed for paging.
func (s *Server) recentLocked(u *user, fs []field) []keyed {
	all := make([]keyed, len(u.msgs))
	for i, m := range u.msgs {
		all[i] = keyed{sortKey(m.at, fmt.Sprintf("%020d", m.seq)), i}
	}
	slices.SortFunc(all, func(a, b keyed) int { return strings.Compare(b.key, a.key) })
	all = all[:min(len(all), MaxThreadMessages)]
	for i, it := range all {
		all[i].v = s.messageJSONLocked(u, u.msgs[it.v.(int)], fs)
	}
	return all
}

func (s *Server) convJSONLocked(c *call, u *user, fs []field) map[string]any {
	out := map[string]any{"id": u.convID}
	for _, f := range fs {
		switch f.name {
		case "updated_time":
			out["updated_time"] = fmtTime(u.updated)
		case "participants":
			out["participants"] = map[string]any{"data": []any{s.party(u.psid), s.party(s.cfg.PageID)}}
		case "senders":
			out["senders"] = map[string]any{"data": []any{s.party(u.psid), s.party(s.cfg.PageID)}}
		case "message_count":
			out["message_count"] = len(u.msgs)
		case "unread_count":
			out["unread_count"] = 0
		case "can_reply":
			out["can_reply"] = !u.unavailable
		case "link":
			out["link"] = "/" + s.cfg.PageID + "/inbox/" + u.convID
		case "snippet":
			if len(u.msgs) > 0 {
				sn := []rune(u.msgs[len(u.msgs)-1].text)
				out["snippet"] = string(sn[:min(len(sn), 100)])
			}
		case "messages":
			sub := f.sub
			if len(sub) == 0 {
				sub = []field{{name: "id"}, {name: "created_time"}}
			}
			limit := MaxThreadMessages
			if f.limit > 0 {
				limit = min(f.limit, MaxThreadMessages)
			}
			items := s.recentLocked(u, sub)
			page, _, hasNext, _ := paginate(items, limit, "", "")
			// A nested edge's next link is the thread's own messages edge.
			mc := &call{r: &http.Request{Host: c.r.Host, URL: &url.URL{
				Path:     pathVersion(c.r.URL.Path) + u.convID + "/messages",
				RawQuery: nestedQuery(c, sub, limit).Encode()}}}
			out["messages"] = pageJSON(mc, page, false, hasNext)
		}
	}
	return out
}

// pathVersion is "/v25.0/" (or "/" without a version) of a request path.
func pathVersion(p string) string {
	seg := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)
	if len(seg) > 0 && versionRE.MatchString(seg[0]) {
		return "/" + seg[0] + "/"
	}
	return "/"
}

func nestedQuery(c *call, sub []field, limit int) url.Values {
	q := url.Values{}
	for _, k := range []string{"access_token", "appsecret_proof"} {
		if v := c.r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	names := make([]string, len(sub))
	for i, s := range sub {
		names[i] = s.name
	}
	q.Set("fields", strings.Join(names, ","))
	q.Set("limit", strconv.Itoa(limit))
	return q
}

func (s *Server) handleConversations(w http.ResponseWriter, c *call) {
	platform := strings.ToLower(c.p["platform"])
	if platform != "" && platform != "messenger" && platform != "instagram" {
		s.writeError(w, invalid("Param platform must be one of {MESSENGER, INSTAGRAM} - got %q", c.p["platform"]))
		return
	}
	fs, e := c.fields("id,updated_time")
	if e != nil {
		s.writeError(w, e)
		return
	}
	limit, e := c.limit(25, 100)
	if e != nil {
		s.writeError(w, e)
		return
	}
	only := c.p["user_id"]
	s.mu.Lock()
	var items []keyed
	if platform != "instagram" {
		for _, u := range s.users {
			if u.convID == "" || (only != "" && u.psid != only) {
				continue
			}
			items = append(items, keyed{key: sortKey(u.updated, u.convID), v: u})
		}
	}
	slices.SortFunc(items, func(a, b keyed) int { return strings.Compare(b.key, a.key) })
	page, hasPrev, hasNext, e := paginate(items, limit, c.p["after"], c.p["before"])
	if e != nil {
		s.mu.Unlock()
		s.writeError(w, e)
		return
	}
	out := make([]keyed, len(page))
	for i, it := range page {
		out[i] = keyed{it.key, s.convJSONLocked(c, it.v.(*user), fs)}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, pageJSON(c, out, hasPrev, hasNext))
}

func (s *Server) convByIDLocked(id string) *user {
	for _, u := range s.users {
		if u.convID == id {
			return u
		}
	}
	return nil
}

// handleConversation is GET /{conversation-id}.
func (s *Server) handleConversation(w http.ResponseWriter, c *call, id string) {
	fs, e := c.fields("id,updated_time")
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	var out map[string]any
	if u := s.convByIDLocked(id); u != nil {
		out = s.convJSONLocked(c, u, fs)
	}
	s.mu.Unlock()
	if out == nil {
		s.writeError(w, unsupported(c.r.Method, id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleConversationMessages is GET /{conversation-id}/messages: the 20
// most recent messages, paged.
func (s *Server) handleConversationMessages(w http.ResponseWriter, c *call, id string) {
	fs, e := c.fields("id,created_time")
	if e != nil {
		s.writeError(w, e)
		return
	}
	limit, e := c.limit(MaxThreadMessages, MaxThreadMessages)
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	u := s.convByIDLocked(id)
	var items []keyed
	if u != nil {
		items = s.recentLocked(u, fs)
	}
	s.mu.Unlock()
	if u == nil {
		s.writeError(w, unsupported(c.r.Method, id))
		return
	}
	page, hasPrev, hasNext, e := paginate(items, limit, c.p["after"], c.p["before"])
	if e != nil {
		s.writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, pageJSON(c, page, hasPrev, hasNext))
}

// handleMessage is GET /{message-id}; only the 20 most recent messages of
// a conversation can be read.
func (s *Server) handleMessage(w http.ResponseWriter, c *call, mid string) {
	fs, e := c.fields("id,created_time")
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.mu.Lock()
	var out map[string]any
	for _, u := range s.users {
		if !slices.ContainsFunc(u.msgs, func(m histMsg) bool { return m.mid == mid }) {
			continue
		}
		for _, it := range s.recentLocked(u, fs) {
			if m := it.v.(map[string]any); m["id"] == mid {
				out = m
			}
		}
	}
	s.mu.Unlock()
	if out == nil {
		s.writeError(w, unsupported(c.r.Method, mid))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// ---- subscribed_apps ----

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
