package fbtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

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

// validateSend checks everything a send carries, in Meta's order as far
// as it is known: recipient, message XOR sender_action, messaging type
// and tag, the message itself.
func (s *Server) validateSend(c *call) (*sendResult, *apiError) {
	psid, e := s.sendRecipient(c)
	if e != nil {
		return nil, e
	}
	msgText, hasMsg := c.p["message"]
	action, hasAction := c.p["sender_action"]
	if e := checkMessageOrAction(hasMsg, hasAction); e != nil {
		return nil, e
	}
	if e := checkNotificationType(c); e != nil {
		return nil, e
	}
	if hasAction {
		if e := checkSenderAction(action); e != nil {
			return nil, e
		}
		return s.readActionPayload(c, &sendResult{recipient: psid, action: action})
	}
	mt, tag := c.p["messaging_type"], c.p["tag"]
	if e := checkMessagingType(mt, tag); e != nil {
		return nil, e
	}
	msg, e := object(msgText, "message")
	if e != nil {
		return nil, e
	}
	sent := &Sent{PageID: c.page, PSID: psid, MessagingType: mt, Tag: tag, ReplyTo: replyTo(c)}
	res := &sendResult{recipient: psid, sent: sent}
	if e := s.readMessage(msg, c.hasFile, res); e != nil {
		return nil, e
	}
	return res, nil
}

// sendRecipient is recipient.id, which must be a person the Page knows;
// the other kinds of recipient are named as unsupported.
func (s *Server) sendRecipient(c *call) (string, *apiError) {
	recText, ok := c.p["recipient"]
	if !ok {
		return "", invalid("The parameter recipient is required")
	}
	rec, e := object(recText, "recipient")
	if e != nil {
		return "", e
	}
	psid := jsonText(rec["id"])
	if psid == "" {
		for _, k := range []string{"user_ref", "phone_number", "comment_id", "post_id", "one_time_notif_token", "notification_messages_token"} {
			if _, ok := rec[k]; ok {
				return "", invalid("The emulator supports only recipient.id, not recipient.%s", k)
			}
		}
		return "", invalid("The parameter recipient.id is required")
	}
	s.mu.Lock()
	_, known := s.users[psid]
	s.mu.Unlock()
	if !known {
		return "", errf(http.StatusBadRequest, 100, 2018001, "(#100) No matching user found")
	}
	return psid, nil
}

func checkMessageOrAction(hasMsg, hasAction bool) *apiError {
	switch {
	case hasMsg && hasAction:
		return invalid("Only one of message or sender_action may be set in a request")
	case !hasMsg && !hasAction:
		return invalid("One of the parameters message or sender_action is required")
	}
	return nil
}

func checkNotificationType(c *call) *apiError {
	if nt, ok := c.p["notification_type"]; ok {
		switch nt {
		case "REGULAR", "SILENT_PUSH", "NO_PUSH":
		default:
			return invalid("Param notification_type must be one of {REGULAR, SILENT_PUSH, NO_PUSH} - got %q", nt)
		}
	}
	return nil
}

func checkSenderAction(action string) *apiError {
	switch action {
	case "typing_on", "typing_off", "mark_seen", "react", "unreact":
		return nil
	case "REACT", "UNREACT":
		return invalid("sender_action %s is not supported by the emulator: send it lowercase", action)
	default:
		return invalid("Param sender_action must be one of {typing_on, typing_off, mark_seen, react, unreact} - got %q", action)
	}
}

// checkMessagingType: RESPONSE and UPDATE take no tag, MESSAGE_TAG only
// HUMAN_AGENT (the other tags are retired).
func checkMessagingType(mt, tag string) *apiError {
	switch mt {
	case "":
		return invalid("The parameter messaging_type is required")
	case "RESPONSE", "UPDATE":
		if tag != "" {
			return invalid("Param tag can only be used with messaging_type MESSAGE_TAG")
		}
	case "MESSAGE_TAG":
		switch {
		case tag == "":
			return invalid("Param tag is required when messaging_type is MESSAGE_TAG")
		case tag == store.TagHumanAgent:
		case retiredTags[tag]:
			return invalid("The tag %s is no longer supported. Use Utility Messages instead: https://developers.facebook.com/docs/messenger-platform/send-messages/utility-messages", tag)
		default:
			return invalid("Param tag must be one of {HUMAN_AGENT} - got %q; other tags are no longer supported", tag)
		}
	case "UTILITY":
		if tag != "" {
			return invalid("Param tag can only be used with messaging_type MESSAGE_TAG")
		}
	default:
		return invalid("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG, UTILITY} - got %q", mt)
	}
	return nil
}

// replyTo is reply_to's mid: reply_to is an object {"mid": ...}, or
// taken as it came when it is not one.
func replyTo(c *call) string {
	r, ok := c.p["reply_to"]
	if !ok {
		return ""
	}
	if m, err := object(r, "reply_to"); err == nil {
		return jsonText(m["mid"])
	}
	return r
}

// readMessage checks the message object into res.sent, in this order:
// metadata, the body (text, attachment or sticker), quick replies.
func (s *Server) readMessage(msg map[string]json.RawMessage, hasFile bool, res *sendResult) *apiError {
	sent := res.sent
	if raw, ok := msg["metadata"]; ok {
		sent.Metadata = jsonText(raw)
		if runeLen(sent.Metadata) >= MaxMetadataRunes {
			return invalid("Param message[metadata] must be less than %d characters", MaxMetadataRunes)
		}
	}
	if e := s.readBody(msg, hasFile, res); e != nil {
		return e
	}
	return readQuickReplies(msg, sent)
}

// readBody checks that the message has exactly one of text, attachment
// and sticker_id, and that one.
func (s *Server) readBody(msg map[string]json.RawMessage, hasFile bool, res *sendResult) *apiError {
	sent := res.sent
	if e := s.readUtility(msg, sent); e != errNotUtility {
		return e
	}
	rawText, hasText := msg["text"]
	rawAtt, hasAtt := msg["attachment"]
	rawSticker, hasSticker := msg["sticker_id"]
	rawAtts, hasAtts := msg["attachments"]
	if hasText {
		if err := json.Unmarshal(rawText, &sent.Text); err != nil {
			return invalid("Param message[text] must be a string")
		}
		hasText = sent.Text != ""
	}
	n := 0
	for _, b := range []bool{hasText, hasAtt, hasSticker, hasAtts} {
		if b {
			n++
		}
	}
	switch {
	case n == 0:
		return errf(http.StatusBadRequest, 100, 2018034, "%s", messageFor(100, 2018034))
	case n > 1:
		return invalid("Only one of message[text], message[attachment], message[attachments] or message[sticker_id] may be set")
	}
	if hasText && runeLen(sent.Text) >= MaxTextRunes {
		return invalid("Param message[text] must be less than %d characters", MaxTextRunes)
	}
	if hasSticker {
		id := jsonText(rawSticker)
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return invalid("Param message[sticker_id] must be a valid sticker id")
		}
		sent.AttachmentType, sent.AttachmentID = "sticker", id
	}
	if hasAtt {
		return s.validateAttachment(rawAtt, hasFile, res)
	}
	if hasAtts {
		return s.validateImages(rawAtts, res)
	}
	return nil
}

func readQuickReplies(msg map[string]json.RawMessage, sent *Sent) *apiError {
	raw, ok := msg["quick_replies"]
	if !ok {
		return nil
	}
	var qrs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &qrs); err != nil {
		return invalid("Param message[quick_replies] must be an array of objects")
	}
	if len(qrs) > MaxQuickReplies {
		return invalid("Param message[quick_replies] must have at most %d elements", MaxQuickReplies)
	}
	for i, qr := range qrs {
		if e := checkQuickReply(i, qr); e != nil {
			return e
		}
	}
	sent.QuickReplies = len(qrs)
	return nil
}

func checkQuickReply(i int, qr map[string]json.RawMessage) *apiError {
	switch jsonText(qr["content_type"]) {
	case "text":
		if jsonText(qr["title"]) == "" && jsonText(qr["image_url"]) == "" {
			return invalid("Param message[quick_replies][%d][title] must be non-empty", i)
		}
		if jsonText(qr["payload"]) == "" {
			return invalid("Param message[quick_replies][%d][payload] must be non-empty", i)
		}
		if runeLen(jsonText(qr["payload"])) > 1000 {
			return invalid("Param message[quick_replies][%d][payload] must be at most 1000 characters", i)
		}
	case "user_phone_number", "user_email":
	default:
		return invalid("Param message[quick_replies][%d][content_type] must be one of {text, user_phone_number, user_email}", i)
	}
	return nil
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
		url, ok := s.ownedAttachmentLocked(sent.PageID, id)
		s.mu.Unlock()
		if !ok {
			return errf(http.StatusBadRequest, 100, 2018074, "(#100) Invalid attachment_id, or the Page does not own it")
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

func runeLen(s string) int { return utf8.RuneCountInString(s) }
