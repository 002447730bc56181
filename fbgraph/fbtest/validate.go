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

func runeLen(s string) int { return utf8.RuneCountInString(s) }
