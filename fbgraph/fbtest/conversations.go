package fbtest

import (
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

func (s *Server) party(id string) map[string]any {
	name := s.pageName(id)
	if name == "" {
		if u := s.users[id]; u != nil {
			name = u.name
		}
	}
	return map[string]any{"id": id, "name": name, "email": id + "@facebook.com"}
}

func (s *Server) messageJSONLocked(u *user, m histMsg, fs []field) map[string]any {
	out := map[string]any{"id": m.mid}
	from, to := u.psid, u.page
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
			out["participants"] = map[string]any{"data": []any{s.party(u.psid), s.party(u.page)}}
		case "senders":
			out["senders"] = map[string]any{"data": []any{s.party(u.psid), s.party(u.page)}}
		case "message_count":
			out["message_count"] = len(u.msgs)
		case "unread_count":
			out["unread_count"] = 0
		case "can_reply":
			out["can_reply"] = !u.unavailable
		case "link":
			out["link"] = "/" + u.page + "/inbox/" + u.convID
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
			if u.convID == "" || u.page != c.page || (only != "" && u.psid != only) {
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

func (s *Server) convByIDLocked(page, id string) *user {
	for _, u := range s.users {
		if u.convID == id && u.page == page {
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
	if u := s.convByIDLocked(c.page, id); u != nil {
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
	u := s.convByIDLocked(c.page, id)
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
