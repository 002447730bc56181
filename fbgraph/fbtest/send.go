package fbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// WindowMessage is Meta's message for 10/2018278.
const WindowMessage = "(#10) This message is sent outside of allowed window."

type sendResult struct {
	recipient    string
	sent         *Sent // nil for sender actions
	action       string
	reactMID     string // react/unreact: payload.message_id
	reaction     string // react: payload.reaction
	attachmentID string
}

func (s *Server) handleSend(w http.ResponseWriter, c *call) {
	if s.takeEdgeRefusal() {
		writeEdge502(w)
		return
	}
	if e := s.sendFaults(); e != nil {
		s.writeError(w, e)
		return
	}
	if c.p["messaging_type"] == "UTILITY" && s.utilityDenied() {
		s.writeError(w, errf(http.StatusBadRequest, 10, 0, DeniedUtilityMessage))
		return
	}
	res, e := s.validateSend(c)
	if e != nil {
		s.writeError(w, e)
		return
	}
	now := s.cfg.Now()
	s.mu.Lock()
	u := s.users[res.recipient]
	switch {
	case u.page != c.page: // a PSID is scoped to its Page
		s.mu.Unlock()
		s.writeError(w, errf(http.StatusBadRequest, 100, 2018001, "(#100) No matching user found"))
		return
	case u.unavailable:
		s.mu.Unlock()
		s.writeError(w, errf(http.StatusBadRequest, 551, 1545041, "(#551) This person isn't available right now."))
		return
	case !s.windowOKLocked(u, res, now):
		s.mu.Unlock()
		s.writeError(w, errf(http.StatusBadRequest, 10, 2018278, WindowMessage))
		return
	}
	if e := checkThreadMID(u, res); e != nil {
		s.mu.Unlock()
		s.writeError(w, e)
		return
	}
	if res.sent == nil {
		s.actions = append(s.actions, Action{PageID: u.page, PSID: u.psid, Action: res.action, MID: res.reactMID, Reaction: res.reaction, At: now})
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"recipient_id": u.psid})
		return
	}
	m := *res.sent
	m.MID, m.At, m.PageID = s.newMIDLocked(), now, u.page
	if res.attachmentID != "" {
		if m.AttachmentID == "" {
			m.AttachmentID = res.attachmentID
			s.attachments[m.AttachmentID] = m.AttachmentURL
			s.attachOwner[m.AttachmentID] = m.PageID
		}
	}
	s.sent = append(s.sent, m)
	s.addHistoryLocked(u, histMsg{mid: m.MID, text: m.Text, fromPage: true, at: now, attType: m.AttachmentType, attURL: m.AttachmentURL})
	close(s.sentSignal)
	s.sentSignal = make(chan struct{})
	fault := s.acceptFaultLocked()
	s.mu.Unlock()

	if fault != NoAcceptFault {
		// Accepted and delivered: the webhooks come whatever the answer.
		s.postSendHooks(m)
		s.answerFault(w, c.r, fault)
		return
	}
	out := map[string]any{"recipient_id": m.PSID, "message_id": m.MID}
	if res.attachmentID != "" {
		out["attachment_id"] = m.AttachmentID
	}
	writeJSON(w, http.StatusOK, out)
	s.postSendHooks(m)
}

// postSendHooks queues the echo, delivery and read webhooks of an
// accepted send, as far as they are switched on and subscribed. They go
// through the poster's queue, never the send's response.
func (s *Server) postSendHooks(m Sent) {
	s.mu.Lock()
	echo := s.cfg.Echoes && s.subscribedLocked("message_echoes")
	deliver := s.cfg.DeliveryDelay > 0 && s.subscribedLocked("message_deliveries")
	read := s.cfg.ReadDelay > 0 && s.subscribedLocked("message_reads")
	s.mu.Unlock()
	real := time.Now()
	if echo {
		s.hooks.addFor(m.PageID, real, echoElement(m.PageID, s.cfg.AppID, m))
	}
	if deliver {
		s.hooks.addFor(m.PageID, real.Add(s.cfg.DeliveryDelay), map[string]any{
			"sender":    map[string]any{"id": m.PSID},
			"recipient": map[string]any{"id": m.PageID},
			"delivery":  map[string]any{"mids": []string{m.MID}, "watermark": m.At.UnixMilli()},
		})
	}
	if read {
		// The read's timestamp is Meta's clock when it is posted.
		s.hooks.enqueue(m.PageID, real.Add(s.cfg.ReadDelay), map[string]any{
			"sender":    map[string]any{"id": m.PSID},
			"recipient": map[string]any{"id": m.PageID},
			"read":      map[string]any{"watermark": m.At.UnixMilli()},
		}, true)
	}
}

// sendFaults applies the knobs, in this order: rate limit, FailNext,
// error rate.
func (s *Server) sendFaults() *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bucket != nil && !s.bucket.take(time.Now()) {
		e := errf(http.StatusBadRequest, 613, 0, "%s", messageFor(613, 0))
		e.header = http.Header{"X-Business-Use-Case-Usage": {fmt.Sprintf(
			`{"%s":[{"type":"messenger","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}`, s.cfg.PageID)}}
		return e
	}
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		status := f.status
		if status == 0 {
			status = http.StatusBadRequest
		}
		return &apiError{status: status, code: f.code, subcode: f.subcode, msg: messageFor(f.code, f.subcode),
			transient: transientCode(f.code, status) && f.code != 613}
	}
	if s.errRate > 0 && s.faultRNG.Float64() < s.errRate {
		return &apiError{status: http.StatusInternalServerError, code: 2, msg: messageFor(2, 0), transient: true}
	}
	return nil
}

// windowOKLocked: RESPONSE, UPDATE and sender actions need the 24 h
// window, HUMAN_AGENT the 7-day one; both end strictly (at exactly 24 h
// the window is closed).
func (s *Server) windowOKLocked(u *user, res *sendResult, now time.Time) bool {
	if u.lastInbound.IsZero() {
		return false
	}
	if res.sent != nil && res.sent.Template != "" {
		return true // a Utility Message: outside the window too
	}
	limit := store.ResponseWindow
	if res.sent != nil && res.sent.MessagingType == string(store.MessageTag) {
		limit = store.HumanAgentWindow
	}
	return now.Sub(u.lastInbound) < limit
}

// handleUpload is POST /{page}/message_attachments: a reusable upload.
func (s *Server) handleUpload(w http.ResponseWriter, c *call) {
	msgText, ok := c.p["message"]
	if !ok {
		s.writeError(w, invalid("The parameter message is required"))
		return
	}
	msg, e := object(msgText, "message")
	if e != nil {
		s.writeError(w, e)
		return
	}
	res := &sendResult{sent: &Sent{}}
	raw, ok := msg["attachment"]
	if !ok {
		s.writeError(w, invalid("The parameter message[attachment] is required"))
		return
	}
	if e := s.validateAttachment(raw, c.hasFile, res); e != nil {
		s.writeError(w, e)
		return
	}
	if res.sent.AttachmentType == "template" {
		s.writeError(w, invalid("Templates cannot be uploaded"))
		return
	}
	if c.upload != nil {
		if e := checkFileType(c.upload, res.sent.AttachmentType); e != nil {
			s.writeError(w, e)
			return
		}
	}
	s.mu.Lock()
	id := res.attachmentID
	if id == "" {
		s.seq++
		id = strconv.FormatUint(1000000000000000+s.seq*7919, 10)
	}
	s.attachments[id] = res.sent.AttachmentURL
	s.attachOwner[id] = c.page
	if c.upload != nil {
		up := *c.upload
		up.ID, up.Type = id, res.sent.AttachmentType
		s.uploads = append(s.uploads, up)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"attachment_id": id})
}

// echoElement is the message_echoes messaging[] element of a send
// (docs/meta-platform.md §3.3).
func echoElement(pageID, appID string, s Sent) map[string]any {
	m := map[string]any{"is_echo": true, "app_id": appIDValue(appID), "mid": s.MID}
	if s.Metadata != "" {
		m["metadata"] = s.Metadata
	}
	if s.ReplyTo != "" {
		m["reply_to"] = map[string]any{"mid": s.ReplyTo, "is_self_reply": s.ReplyToSelf}
	}
	if s.Text != "" {
		m["text"] = s.Text
	}
	if s.AttachmentType != "" {
		payload := map[string]any{}
		if s.AttachmentURL != "" && s.AttachmentURL != "filedata" {
			payload["url"] = s.AttachmentURL
		}
		if s.AttachmentType == "sticker" {
			payload["sticker_id"] = json.Number(s.AttachmentID)
		}
		m["attachments"] = []any{map[string]any{"type": s.AttachmentType, "payload": payload}}
	}
	if len(s.Images) > 0 {
		atts := make([]any, len(s.Images))
		for i, img := range s.Images {
			atts[i] = map[string]any{"type": "image", "payload": map[string]any{"url": img.URL}}
		}
		m["attachments"] = atts
	}
	return map[string]any{
		"sender":    map[string]any{"id": pageID},
		"recipient": map[string]any{"id": s.PSID},
		"timestamp": s.At.UnixMilli(),
		"message":   m,
	}
}

// appIDValue: app_id is a number in Meta's examples; keep the digits exact.
func appIDValue(id string) any {
	if _, err := strconv.ParseUint(id, 10, 64); err == nil {
		return json.Number(id)
	}
	return id
}
