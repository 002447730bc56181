package fbtest

import (
	"net/http"
	"strings"
)

// readActionPayload reads what react and unreact carry
// (PLATFORM-2 §4): payload.message_id, and for react payload.reaction.
// The other sender actions take no payload.
func (s *Server) readActionPayload(c *call, res *sendResult) (*sendResult, *apiError) {
	raw, has := c.p["payload"]
	if res.action != "react" && res.action != "unreact" {
		if has {
			return nil, invalid("Param payload is only taken with sender_action react or unreact")
		}
		return res, nil
	}
	if !has {
		return nil, invalid("The parameter payload is required for sender_action %s", res.action)
	}
	p, e := object(raw, "payload")
	if e != nil {
		return nil, e
	}
	res.reactMID = jsonText(p["message_id"])
	if res.reactMID == "" {
		return nil, invalid("The parameter payload[message_id] is required")
	}
	if res.action == "react" {
		res.reaction = jsonText(p["reaction"])
		if res.reaction == "" {
			return nil, invalid("The parameter payload[reaction] is required")
		}
		if strings.ContainsRune(res.reaction, '\uFE0F') && s.cfg.RefuseVariationSelector {
			return nil, invalid("Invalid reaction")
		}
	}
	return res, nil
}

// checkThreadMID refuses a reply_to or a reaction naming a message that is
// not in the conversation with u (either side's message may be named).
// The caller holds s.mu.
func checkThreadMID(u *user, res *sendResult) *apiError {
	mid, what := res.reactMID, "payload[message_id]"
	if res.sent != nil {
		mid, what = res.sent.ReplyTo, "reply_to[mid]"
	}
	if mid == "" {
		return nil
	}
	for _, m := range u.msgs {
		if m.mid == mid {
			if res.sent != nil {
				res.sent.ReplyToSelf = m.fromPage
			}
			return nil
		}
	}
	return errf(http.StatusBadRequest, 100, 0, "(#100) Param %s must be a message in this conversation", what)
}
