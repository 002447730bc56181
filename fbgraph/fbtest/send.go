package fbtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Send API limits (docs/meta-platform.md §4.2).
const (
	MaxTextRunes     = 2000 // text must be shorter than this
	MaxMetadataRunes = 1000 // metadata must be shorter than this
	MaxQuickReplies  = 13
)

// retiredTags answer 100: refused since 27 Apr 2026, or since 2020.
var retiredTags = map[string]bool{
	"CONFIRMED_EVENT_UPDATE": true, "POST_PURCHASE_UPDATE": true, "ACCOUNT_UPDATE": true,
	"ISSUE_RESOLUTION": true, "SHIPPING_UPDATE": true, "RESERVATION_UPDATE": true,
	"APPOINTMENT_UPDATE": true, "PAYMENT_UPDATE": true, "BUSINESS_PRODUCTIVITY": true,
	"NON_PROMOTIONAL_SUBSCRIPTION": true, "CUSTOMER_FEEDBACK": true, "PERSONAL_FINANCE_UPDATE": true,
	"COMMUNITY_ALERT": true, "TRANSPORTATION_UPDATE": true, "FEATURE_FUNCTIONALITY_UPDATE": true,
	"TICKET_UPDATE": true, "APPLICATION_UPDATE": true, "GAME_EVENT": true, "PAIRING_UPDATE": true,
}

// WindowMessage is Meta's message for 10/2018278.
const WindowMessage = "(#10) This message is sent outside of allowed window."

// jsonText reads a JSON string or number as text ("" otherwise).
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func jsonTrue(raw json.RawMessage) bool {
	t := strings.TrimSpace(string(raw))
	return t == "true" || t == `"true"`
}

// object reads a parameter holding a JSON object (a JSON body's object,
// or a form field's JSON string).
func object(text, name string) (map[string]json.RawMessage, *apiError) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &m); err != nil || m == nil {
		return nil, invalid("Param %s must be a JSON object", name)
	}
	return m, nil
}

type sendResult struct {
	recipient    string
	sent         *Sent // nil for sender actions
	action       string
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
	res, e := s.validateSend(c)
	if e != nil {
		s.writeError(w, e)
		return
	}
	now := s.cfg.Now()
	s.mu.Lock()
	u := s.users[res.recipient]
	switch {
	case u.unavailable:
		s.mu.Unlock()
		s.writeError(w, errf(http.StatusBadRequest, 551, 1545041, "(#551) This person isn't available right now."))
		return
	case !s.windowOKLocked(u, res, now):
		s.mu.Unlock()
		s.writeError(w, errf(http.StatusBadRequest, 10, 2018278, WindowMessage))
		return
	}
	if res.sent == nil {
		s.actions = append(s.actions, Action{PSID: u.psid, Action: res.action, At: now})
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"recipient_id": u.psid})
		return
	}
	m := *res.sent
	m.MID, m.At = s.newMIDLocked(), now
	if res.attachmentID != "" {
		if m.AttachmentID == "" {
			m.AttachmentID = res.attachmentID
			s.attachments[m.AttachmentID] = m.AttachmentURL
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
		s.hooks.add(real, echoElement(s.cfg.PageID, s.cfg.AppID, m))
	}
	if deliver {
		s.hooks.add(real.Add(s.cfg.DeliveryDelay), map[string]any{
			"sender":    map[string]any{"id": m.PSID},
			"recipient": map[string]any{"id": s.cfg.PageID},
			"delivery":  map[string]any{"mids": []string{m.MID}, "watermark": m.At.UnixMilli()},
		})
	}
	if read {
		// The read's timestamp is Meta's clock when it is posted.
		s.hooks.addStamped(real.Add(s.cfg.ReadDelay), map[string]any{
			"sender":    map[string]any{"id": m.PSID},
			"recipient": map[string]any{"id": s.cfg.PageID},
			"read":      map[string]any{"watermark": m.At.UnixMilli()},
		})
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
	limit := store.ResponseWindow
	if res.sent != nil && res.sent.MessagingType == string(store.MessageTag) {
		limit = store.HumanAgentWindow
	}
	return now.Sub(u.lastInbound) < limit
}

// validateSend checks everything a send carries, in Meta's order as far
// as it is known: recipient, message XOR sender_action, messaging type
// and tag, the message itself.
func (s *Server) validateSend(c *call) (*sendResult, *apiError) {
	recText, ok := c.p["recipient"]
	if !ok {
		return nil, invalid("The parameter recipient is required")
	}
	rec, e := object(recText, "recipient")
	if e != nil {
		return nil, e
	}
	psid := jsonText(rec["id"])
	if psid == "" {
		for _, k := range []string{"user_ref", "phone_number", "comment_id", "post_id", "one_time_notif_token", "notification_messages_token"} {
			if _, ok := rec[k]; ok {
				return nil, invalid("The emulator supports only recipient.id, not recipient.%s", k)
			}
		}
		return nil, invalid("The parameter recipient.id is required")
	}
	s.mu.Lock()
	_, known := s.users[psid]
	s.mu.Unlock()
	if !known {
		return nil, errf(http.StatusBadRequest, 100, 2018001, "(#100) No matching user found")
	}
	msgText, hasMsg := c.p["message"]
	action, hasAction := c.p["sender_action"]
	switch {
	case hasMsg && hasAction:
		return nil, invalid("Only one of message or sender_action may be set in a request")
	case !hasMsg && !hasAction:
		return nil, invalid("One of the parameters message or sender_action is required")
	}
	if nt, ok := c.p["notification_type"]; ok {
		switch nt {
		case "REGULAR", "SILENT_PUSH", "NO_PUSH":
		default:
			return nil, invalid("Param notification_type must be one of {REGULAR, SILENT_PUSH, NO_PUSH} - got %q", nt)
		}
	}
	if hasAction {
		switch action {
		case "typing_on", "typing_off", "mark_seen":
		case "react", "unreact", "REACT", "UNREACT":
			return nil, invalid("sender_action %s is not supported by the emulator", action)
		default:
			return nil, invalid("Param sender_action must be one of {typing_on, typing_off, mark_seen} - got %q", action)
		}
		return &sendResult{recipient: psid, action: action}, nil
	}

	mt, tag := c.p["messaging_type"], c.p["tag"]
	switch mt {
	case "":
		return nil, invalid("The parameter messaging_type is required")
	case "RESPONSE", "UPDATE":
		if tag != "" {
			return nil, invalid("Param tag can only be used with messaging_type MESSAGE_TAG")
		}
	case "MESSAGE_TAG":
		switch {
		case tag == "":
			return nil, invalid("Param tag is required when messaging_type is MESSAGE_TAG")
		case tag == store.TagHumanAgent:
		case retiredTags[tag]:
			return nil, invalid("The tag %s is no longer supported. Use Utility Messages instead: https://developers.facebook.com/docs/messenger-platform/send-messages/utility-messages", tag)
		default:
			return nil, invalid("Param tag must be one of {HUMAN_AGENT} - got %q; other tags are no longer supported", tag)
		}
	case "UTILITY":
		return nil, invalid("messaging_type UTILITY (utility templates) is not supported by the emulator")
	default:
		return nil, invalid("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG, UTILITY} - got %q", mt)
	}

	msg, e := object(msgText, "message")
	if e != nil {
		return nil, e
	}
	sent := &Sent{PSID: psid, MessagingType: mt, Tag: tag}
	res := &sendResult{recipient: psid, sent: sent}
	if r, ok := c.p["reply_to"]; ok {
		sent.ReplyTo = r
		if m, err := object(r, "reply_to"); err == nil {
			sent.ReplyTo = jsonText(m["mid"])
		}
	}
	if raw, ok := msg["metadata"]; ok {
		sent.Metadata = jsonText(raw)
		if runeLen(sent.Metadata) >= MaxMetadataRunes {
			return nil, invalid("Param message[metadata] must be less than %d characters", MaxMetadataRunes)
		}
	}
	rawText, hasText := msg["text"]
	rawAtt, hasAtt := msg["attachment"]
	rawSticker, hasSticker := msg["sticker_id"]
	if hasText {
		if err := json.Unmarshal(rawText, &sent.Text); err != nil {
			return nil, invalid("Param message[text] must be a string")
		}
		hasText = sent.Text != ""
	}
	n := 0
	for _, b := range []bool{hasText, hasAtt, hasSticker} {
		if b {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, errf(http.StatusBadRequest, 100, 2018034, "%s", messageFor(100, 2018034))
	case n > 1:
		return nil, invalid("Only one of message[text], message[attachment] or message[sticker_id] may be set")
	}
	if hasText && runeLen(sent.Text) >= MaxTextRunes {
		return nil, invalid("Param message[text] must be less than %d characters", MaxTextRunes)
	}
	if hasSticker {
		id := jsonText(rawSticker)
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return nil, invalid("Param message[sticker_id] must be a valid sticker id")
		}
		sent.AttachmentType, sent.AttachmentID = "sticker", id
	}
	if hasAtt {
		if e := s.validateAttachment(rawAtt, c.hasFile, res); e != nil {
			return nil, e
		}
	}
	if raw, ok := msg["quick_replies"]; ok {
		var qrs []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &qrs); err != nil {
			return nil, invalid("Param message[quick_replies] must be an array of objects")
		}
		if len(qrs) > MaxQuickReplies {
			return nil, invalid("Param message[quick_replies] must have at most %d elements", MaxQuickReplies)
		}
		for i, qr := range qrs {
			ct := jsonText(qr["content_type"])
			switch ct {
			case "text":
				if jsonText(qr["title"]) == "" && jsonText(qr["image_url"]) == "" {
					return nil, invalid("Param message[quick_replies][%d][title] must be non-empty", i)
				}
				if jsonText(qr["payload"]) == "" {
					return nil, invalid("Param message[quick_replies][%d][payload] must be non-empty", i)
				}
				if runeLen(jsonText(qr["payload"])) > 1000 {
					return nil, invalid("Param message[quick_replies][%d][payload] must be at most 1000 characters", i)
				}
			case "user_phone_number", "user_email":
			default:
				return nil, invalid("Param message[quick_replies][%d][content_type] must be one of {text, user_phone_number, user_email}", i)
			}
		}
		sent.QuickReplies = len(qrs)
	}
	return res, nil
}

func (s *Server) validateAttachment(raw json.RawMessage, hasFile bool, res *sendResult) *apiError {
	var att map[string]json.RawMessage
	if err := json.Unmarshal(raw, &att); err != nil || att == nil {
		return invalid("Param message[attachment] must be an object")
	}
	typ := jsonText(att["type"])
	sent := res.sent
	sent.AttachmentType = typ
	var payload map[string]json.RawMessage
	if p, ok := att["payload"]; ok {
		if err := json.Unmarshal(p, &payload); err != nil {
			return invalid("Param message[attachment][payload] must be an object")
		}
	}
	switch typ {
	case "template":
		if jsonText(payload["template_type"]) == "" {
			return invalid("Param message[attachment][payload][template_type] is required")
		}
		return nil
	case "image", "audio", "video", "file":
	default:
		return invalid("Param message[attachment][type] must be one of {image, audio, video, file, template}")
	}
	u, id := jsonText(payload["url"]), jsonText(payload["attachment_id"])
	switch {
	case u != "" && id != "":
		return invalid("Only one of message[attachment][payload][url] or [attachment_id] may be set")
	case id != "":
		s.mu.Lock()
		url, ok := s.attachments[id]
		s.mu.Unlock()
		if !ok {
			return errf(http.StatusBadRequest, 100, 2018047, "(#100) Invalid attachment_id: no reusable attachment with this id for this Page")
		}
		sent.AttachmentID, sent.AttachmentURL = id, url
	case u != "":
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return invalid("Param message[attachment][payload][url] must be a valid http(s) URL")
		}
		sent.AttachmentURL = u
	case hasFile:
		sent.AttachmentURL = "filedata"
	default:
		return invalid("Param message[attachment][payload] needs a url or an attachment_id")
	}
	if typ == "image" {
		sent.ImageURL = sent.AttachmentURL
	}
	if jsonTrue(payload["is_reusable"]) && sent.AttachmentID == "" {
		s.mu.Lock()
		s.seq++
		res.attachmentID = strconv.FormatUint(1000000000000000+s.seq*7919, 10)
		s.mu.Unlock()
	}
	return nil
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
	s.mu.Lock()
	id := res.attachmentID
	if id == "" {
		s.seq++
		id = strconv.FormatUint(1000000000000000+s.seq*7919, 10)
	}
	s.attachments[id] = res.sent.AttachmentURL
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
