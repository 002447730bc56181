package fbtest

import (
	"net/http"
	"slices"
	"time"
)

// Sent is one accepted Send API message.
type Sent struct {
	PageID                                                  string // the Page that sent it
	PSID, MID, Text, ImageURL, MessagingType, Tag, Metadata string
	QuickReplies                                            int
	At                                                      time.Time // Config.Now at the send

	AttachmentType string // image, audio, video, file, template, sticker; "" for text
	AttachmentURL  string // payload.url (also in ImageURL for images)
	AttachmentID   string // the reusable attachment's id, given or returned; a sticker's sticker_id
	ReplyTo        string // reply_to mid, if any
	ReplyToSelf    bool   // the reply_to mid is the Page's own message
	// Template is a UTILITY send's template name and language; Text is
	// then its body with the parameters filled in.
	Template, TemplateLang string
	TemplateParams         map[string]string // "1".. or names -> values
	// Images are the images of a multi-image message
	// (message.attachments), in order; AttachmentType is then "image".
	Images []SentImage
}

// SentImage is one image of a multi-image message: its payload's
// attachment_id (if sent by id) and its URL.
type SentImage struct{ ID, URL string }

// Action is one accepted sender action (typing_on, typing_off, mark_seen,
// react, unreact).
type Action struct {
	PageID       string // the Page that sent it
	PSID, Action string
	MID          string // react and unreact: the message reacted to
	Reaction     string // react: the emoji
	At           time.Time
}

// Request is one HTTP request the Graph server received, raw.
type Request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
	Status                 int // 0 while the request is still being answered
	At                     time.Time
}

// Sent lists every accepted send, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo lists the accepted sends to psid, in order.
func (s *Server) SentTo(psid string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.PSID == psid {
			out = append(out, m)
		}
	}
	return out
}

// Actions lists every accepted sender action, in order.
func (s *Server) Actions() []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.actions)
}

// Requests lists every HTTP request received, raw, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Calls counts the calls answered with this Meta error code (e.g. 613).
func (s *Server) Calls(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[code]
}

// SentSignal returns a channel that is closed at the next accepted send.
func (s *Server) SentSignal() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentSignal
}
