package webhook

import (
	"math"
	"strconv"
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// The typed forms of Meta's webhook events. Every field is optional, and a
// value of the wrong type leaves its field empty rather than failing: the
// store validates events and refuses the broken ones. Fields match as
// encoding/json (v1) matches them, case-insensitively, a key given twice
// decoded twice into the same place (see eventFields); which kind of event
// an element is comes from its exact keys instead (see kindKeys).

// eventFields decodes events with encoding/json's (v1) semantics, which
// the hand-written parser this decoder replaced followed to the letter.
var eventFields = jsonv1.DefaultOptionsV1()

// element is one item of messaging[] or standby[], or a change's value:
// the envelope, plus the one key that says what happened.
type element struct {
	Sender    party    `json:"sender"`
	Recipient party    `json:"recipient"`
	Timestamp flexTime `json:"timestamp"`

	Message     message     `json:"message"`
	MessageEdit messageEdit `json:"message_edit"`
	Reaction    reaction    `json:"reaction"`
	Postback    postback    `json:"postback"`
	Delivery    delivery    `json:"delivery"`
	Read        read        `json:"read"`
	Referral    referral    `json:"referral"`
}

// party is a sender or recipient: a PSID or page id, or for chat plugin
// visitors a user_ref.
type party struct {
	ID      flexString `json:"id"`
	UserRef flexString `json:"user_ref"`
}

func (p party) empty() bool { return p.ID == "" && p.UserRef == "" }

// psid is the id a party is known by: its id, or "user_ref:"+user_ref.
func (p party) psid() string {
	if p.ID != "" {
		return string(p.ID)
	}
	if p.UserRef != "" {
		return "user_ref:" + string(p.UserRef)
	}
	return ""
}

type message struct {
	MID        flexString `json:"mid"`
	Text       flexString `json:"text"`
	IsEcho     flexBool   `json:"is_echo"`
	AppID      flexString `json:"app_id"` // a number in Meta's examples
	Metadata   flexString `json:"metadata"`
	QuickReply struct {
		Payload flexString `json:"payload"`
	} `json:"quick_reply"`
	ReplyTo struct {
		MID flexString `json:"mid"`
	} `json:"reply_to"`
	StickerID   flexString   `json:"sticker_id"` // legacy stickers
	Attachments []attachment `json:"attachments"`
}

type messageEdit struct {
	MID  flexString `json:"mid"`
	Text flexString `json:"text"`
	// num_edit is a string or a number; not needed.
}

type reaction struct {
	MID      flexString `json:"mid"` // the message reacted to
	Reaction flexString `json:"reaction"`
	Emoji    flexString `json:"emoji"`
	Action   flexString `json:"action"` // react or unreact
}

type postback struct {
	MID      flexString `json:"mid"`
	Title    flexString `json:"title"`
	Payload  flexString `json:"payload"`
	Referral referral   `json:"referral"`
}

type delivery struct {
	MIDs      []flexString `json:"mids"`
	Watermark flexTime     `json:"watermark"`
}

type read struct {
	Watermark flexTime `json:"watermark"`
}

type referral struct {
	Ref flexString `json:"ref"`
}

// attachment is one item of message.attachments. Items that are not
// objects are kept as skip and dropped when converted.
type attachment struct {
	attachmentFields
	skip bool
}

type attachmentFields struct {
	Type      flexString `json:"type"`
	URL       flexString `json:"url"`
	Title     flexString `json:"title"`
	StickerID flexString `json:"sticker_id"`
	Payload   struct {
		URL         flexString `json:"url"`
		Title       flexString `json:"title"`
		StickerID   flexString `json:"sticker_id"`
		Coordinates struct {
			Lat  flexFloat `json:"lat"`
			Long flexFloat `json:"long"`
		} `json:"coordinates"`
		Elements []struct { // templates
			Title flexString `json:"title"`
		} `json:"elements"`
	} `json:"payload"`
}

// UnmarshalJSONFrom decodes one item afresh, even where a repeated
// "attachments" key puts it in the slot of an earlier one.
func (a *attachment) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	*a = attachment{skip: raw.Kind() != '{'}
	if !a.skip {
		_ = json.Unmarshal(raw, &a.attachmentFields, eventFields) // wrong types stay empty
	}
	return err
}

// flexString is a JSON string's text, or a JSON number's literal text:
// ids are 15 to 17 digits and must not go through float64, and Meta sends
// some (app_id, in tests every id) as numbers. Anything else is "".
type flexString string

func (s *flexString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	text, err := readText(dec)
	*s = flexString(text)
	return err
}

// flexTime is a timestamp given as a number or a string; see
// parseTimestamp.
type flexTime struct{ t time.Time }

func (f *flexTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	text, err := readText(dec)
	f.t = parseTimestamp(text)
	return err
}

// flexFloat is a number or a numeric string; anything else is 0.
type flexFloat float64

func (f *flexFloat) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	text, err := readText(dec)
	v, perr := strconv.ParseFloat(text, 64)
	if perr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	*f = flexFloat(v)
	return err
}

// flexBool is true for true or "true", as written.
type flexBool bool

func (f *flexBool) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	*f = string(raw) == "true" || string(raw) == `"true"`
	return err
}

// readText reads the value at the cursor: the text of a string, the
// literal text of a number, or "" for anything else.
func readText(dec *jsontext.Decoder) (string, error) {
	switch dec.PeekKind() {
	case '"', '0':
		tok, err := dec.ReadToken()
		return tok.String(), err
	}
	return "", dec.SkipValue()
}
