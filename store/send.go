package store

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// MaxTextLen is the Send API's limit: text must be under 2000 characters.
const MaxTextLen = 2000

// ErrOutsideWindow: the messaging policy refuses the send. The error's text
// says why and what would be allowed.
var ErrOutsideWindow = errors.New("outside the messaging window")

// Send is a reply to queue for one customer.
type Send struct {
	ConvKey
	Text     string `json:"text,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	// Template sends an approved Utility template (MessagingType UTILITY)
	// instead of Text and ImageURL.
	Template      *TemplateSend `json:"template,omitempty"`
	MessagingType MessagingType `json:"messaging_type,omitempty"` // default RESPONSE
	Tag           string        `json:"tag,omitempty"`            // HUMAN_AGENT with MESSAGE_TAG
	// Agent is who sends it (attribution, kept on the item and the
	// message); Claim makes an unassigned conversation theirs.
	Agent string `json:"agent,omitempty"`
	Claim bool   `json:"claim,omitempty"`
	// ReplyTo is the mid of a message of this thread the reply answers
	// (sent as top-level reply_to).
	ReplyTo string `json:"reply_to,omitempty"`

	// UploadedFile: a file sent by attachment_id, after the text if any.
	UploadedFile
	// Images: further uploaded images that go with UploadedFile (then an
	// image) as one multi-image message; at most MaxImagesPerMessage in all.
	Images []UploadedFile `json:"images,omitempty"`
}

// CheckText refuses text the Send API would refuse.
func CheckText(text, imageURL string) error {
	if strings.TrimSpace(text) == "" && imageURL == "" {
		return invalidf("empty message")
	}
	if n := utf8.RuneCountInString(text); n >= MaxTextLen {
		return invalidf("text is %d characters; Messenger takes under %d", n, MaxTextLen)
	}
	if !utf8.ValidString(text) {
		return invalidf("text is not valid UTF-8")
	}
	if imageURL != "" && !strings.HasPrefix(imageURL, "https://") && !strings.HasPrefix(imageURL, "http://") {
		return invalidf("image URL %q is not an http(s) URL", imageURL)
	}
	return nil
}
