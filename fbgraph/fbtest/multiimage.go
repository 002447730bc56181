package fbtest

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// MaxImages is the most images Meta takes in one message
// (message.attachments, since 19 Mar 2025).
const MaxImages = 30

// RefuseMultiImageByID makes multi-image sends whose payloads name an
// attachment_id fail with a plain (#100) parameter error, nothing sent:
// Meta documents only payload.url for message.attachments.
func (s *Server) RefuseMultiImageByID(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseMultiByID = on
}

// validateImages checks message.attachments: an array of 1 to 30
// images, each by a url or an attachment_id this Page owns.
func (s *Server) validateImages(raw json.RawMessage, res *sendResult) *apiError {
	var atts []struct {
		Type    string                     `json:"type"`
		Payload map[string]json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(raw, &atts); err != nil || len(atts) == 0 {
		return invalid("Param message[attachments] must be a non-empty array")
	}
	if len(atts) > MaxImages {
		return invalid("Param message[attachments] must have at most %d elements", MaxImages)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	images := make([]SentImage, 0, len(atts))
	for i, a := range atts {
		if a.Type != "image" {
			return invalid("Param message[attachments][%d][type] must be image: only images go several in a message", i)
		}
		u, id := jsonText(a.Payload["url"]), jsonText(a.Payload["attachment_id"])
		switch {
		case u != "" && id != "":
			return invalid("Only one of message[attachments][%d][payload][url] or [attachment_id] may be set", i)
		case id != "" && s.refuseMultiByID:
			return invalid("Param message[attachments][%d][payload][url] is required", i)
		case id != "":
			known, ok := s.ownedAttachmentLocked(res.sent.PageID, id)
			if !ok {
				return errf(http.StatusBadRequest, 100, 2018074, "(#100) Invalid attachment_id, or the Page does not own it")
			}
			images = append(images, SentImage{ID: id, URL: known})
		default:
			pu, err := url.Parse(u)
			if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				return invalid("Param message[attachments][%d][payload][url] must be a valid http(s) URL", i)
			}
			images = append(images, SentImage{URL: u})
		}
	}
	res.sent.AttachmentType, res.sent.Images = "image", images
	return nil
}
