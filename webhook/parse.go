package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Payload is one parsed webhook POST.
type Payload struct {
	// Object is "page" for Messenger; other objects are acknowledged and
	// ignored by the handler.
	Object string
	// Events holds every event of every entry, messaging[], standby[] and
	// changes[] (the dashboard Test shape), in body order.
	Events []store.Event
	// Unknown names the event types we do not understand, one name per
	// unknown event: "pass_thread_control", "optin", "messaging_foo", ...,
	// and "no_sender" for an event skipped because it names nobody.
	Unknown []string
}

// ErrMalformed wraps every error from Parse (the handler answers 400).
var ErrMalformed = errors.New("webhook: malformed payload")

func malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// Parse reads the body of a webhook POST.
//
// Only the shape is checked: the body must be one JSON object, "entry" an
// array of objects, and each entry's "messaging", "standby" and "changes"
// arrays of objects. Anything wrong inside an event (a missing mid, a
// string where a number belongs) still gives an event, with the fields it
// could read; the store validates events and refuses the broken ones.
// Unknown keys are ignored everywhere.
//
// Objects other than "page" give a Payload with only Object set and no
// error; so does a body without "object".
func Parse(body []byte) (Payload, error) {
	if err := json.Unmarshal(body, new(json.RawMessage)); err != nil {
		return Payload{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if !jsonIsObject(body) {
		return Payload{}, malformedf("body is not a JSON object")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return Payload{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var p Payload
	if raw, ok := top["object"]; ok && !jsonIsNull(raw) {
		if err := json.Unmarshal(raw, &p.Object); err != nil {
			return Payload{}, malformedf("object is not a string")
		}
	}
	if p.Object != "page" {
		return Payload{Object: p.Object}, nil
	}
	entries, err := jsonObjectArray(top["entry"], "entry")
	if err != nil {
		return Payload{}, err
	}
	for i, entry := range entries {
		if err := p.addEntry(entry, fmt.Sprintf("entry[%d]", i)); err != nil {
			return Payload{}, err
		}
	}
	return p, nil
}

// addEntry adds the events of one entry, in body order.
func (p *Payload) addEntry(entry json.RawMessage, where string) error {
	fields, err := jsonObjectMembers(entry)
	if err != nil {
		return malformedf("%s: %v", where, err)
	}
	// The page id may come after the events it routes; the last one wins,
	// as with encoding/json.
	var pageID string
	for _, f := range fields {
		if f.key == "id" {
			pageID = jsonScalarText(f.val)
		}
	}
	for _, f := range fields {
		switch f.key {
		case "messaging", "standby":
			elems, err := jsonObjectArray(f.val, where+"."+f.key)
			if err != nil {
				return err
			}
			for _, el := range elems {
				p.addElement(pageID, el)
			}
		case "changes":
			changes, err := jsonObjectArray(f.val, where+".changes")
			if err != nil {
				return err
			}
			for j, c := range changes {
				var change map[string]json.RawMessage
				_ = json.Unmarshal(c, &change) // an object: cannot fail
				value := change["value"]
				if !jsonIsObject(value) {
					return malformedf("%s.changes[%d]: value is not an object", where, j)
				}
				p.addElement(pageID, value)
			}
		}
	}
	return nil
}

// addElement turns one element of messaging[] (or a change's value) into
// an event. It never fails: what cannot be read is left empty.
func (p *Payload) addElement(pageID string, raw json.RawMessage) {
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(raw, &keys) // an object: cannot fail
	// Wrong types leave their fields empty. encoding/json matches field
	// names case-insensitively ("Sender" fills Sender); Meta's keys are
	// lower case, and the dispatch below looks at the exact keys.
	var el rawElement
	_ = json.Unmarshal(raw, &el)

	sender, recipient := el.Sender.psid(), el.Recipient.psid()
	if sender == "" && recipient == "" {
		p.Unknown = append(p.Unknown, "no_sender")
		return
	}
	ev := store.Event{PageID: pageID, PSID: sender, Time: el.Timestamp.t}
	has := func(key string) bool { v, ok := keys[key]; return ok && !jsonIsNull(v) }
	switch {
	case has("message") && bool(el.Message.IsEcho):
		m := &el.Message
		ev.Kind = store.EventEcho
		ev.PSID = recipient // echoes flip sender and recipient
		ev.AppID = string(m.AppID)
		ev.Metadata = string(m.Metadata)
		ev.MID = string(m.MID)
		ev.Text = string(m.Text)
		ev.ReplyTo = string(m.ReplyTo.MID)
		ev.Attachments = parseAttachments(m.Attachments, string(m.StickerID))
	case has("message"):
		m := &el.Message
		ev.Kind = store.EventMessage
		ev.MID = string(m.MID)
		ev.Text = string(m.Text)
		ev.QuickReply = string(m.QuickReply.Payload)
		ev.ReplyTo = string(m.ReplyTo.MID)
		ev.Attachments = parseAttachments(m.Attachments, string(m.StickerID))
	case has("message_edit"):
		ev.Kind = store.EventEdit
		ev.MID = string(el.MessageEdit.MID)
		ev.Text = string(el.MessageEdit.Text)
	case has("reaction"):
		r := &el.Reaction
		ev.Kind = store.EventReaction
		ev.MID = string(r.MID)
		ev.Reaction = string(r.Reaction)
		ev.Emoji = string(r.Emoji)
		ev.Unreact = r.Action == "unreact"
	case has("postback"):
		pb := &el.Postback
		ev.Kind = store.EventPostback
		ev.MID = string(pb.MID)
		ev.Title = string(pb.Title)
		ev.Payload = string(pb.Payload)
		ev.Ref = string(pb.Referral.Ref)
	case has("delivery"):
		ev.Kind = store.EventDelivery
		ev.Watermark = el.Delivery.Watermark.t
		for _, mid := range el.Delivery.MIDs {
			if mid != "" {
				ev.MIDs = append(ev.MIDs, string(mid))
			}
		}
	case has("read"):
		ev.Kind = store.EventRead
		ev.Watermark = el.Read.Watermark.t
	case has("referral"):
		ev.Kind = store.EventReferral
		ev.Ref = string(el.Referral.Ref)
	default:
		ev.Kind = store.EventUnknown
		var compact bytes.Buffer
		_ = json.Compact(&compact, raw) // valid JSON: cannot fail
		ev.Raw = compact.Bytes()
		p.Unknown = append(p.Unknown, unknownEventName(keys))
	}
	p.Events = append(p.Events, ev)
}

// knownOtherKeys are event keys Meta documents that we do not turn into
// events of their own. Named first when several keys are present.
var knownOtherKeys = []string{
	"optin", "pass_thread_control", "take_thread_control",
	"request_thread_control", "app_roles", "policy_enforcement",
	"policy-enforcement", "account_linking", "game_play",
	"messaging_feedback", "response_feedback", "checkout_update", "payment",
}

// isEnvelopeKey: these keys are on every element and never name its type.
func isEnvelopeKey(key string) bool {
	return key == "sender" || key == "recipient" || key == "timestamp"
}

// unknownEventName names an element we do not understand: a documented key if
// one is present, or else the first other key in sorted order.
func unknownEventName(keys map[string]json.RawMessage) string {
	for _, k := range knownOtherKeys {
		if v, ok := keys[k]; ok && !jsonIsNull(v) {
			return k
		}
	}
	var names []string
	for k, v := range keys {
		if k != "" && !isEnvelopeKey(k) && !jsonIsNull(v) {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return "empty"
	}
	return slices.Min(names)
}

// parseAttachments converts message.attachments[]; entries that are not
// objects are dropped. stickerID is message.sticker_id, the legacy place
// of a sticker's id.
func parseAttachments(raws []json.RawMessage, stickerID string) []store.Attachment {
	var out []store.Attachment
	for _, raw := range raws {
		if !jsonIsObject(raw) {
			continue
		}
		var a rawAttachment
		_ = json.Unmarshal(raw, &a)
		pl := &a.Payload
		at := store.Attachment{
			Type:      string(a.Type),
			URL:       firstNonEmpty(pl.URL, a.URL),
			Title:     firstNonEmpty(pl.Title, a.Title),
			StickerID: firstNonEmpty(pl.StickerID, a.StickerID),
			Lat:       float64(pl.Coordinates.Lat),
			Long:      float64(pl.Coordinates.Long),
		}
		if at.Title == "" && len(pl.Elements) > 0 {
			at.Title = string(pl.Elements[0].Title) // templates
		}
		if at.StickerID == "" && (at.Type == "image" || at.Type == "sticker") {
			at.StickerID = stickerID
		}
		out = append(out, at)
	}
	return out
}

func firstNonEmpty(a, b flexString) string {
	if a != "" {
		return string(a)
	}
	return string(b)
}

// rawElement is one item of messaging[] or standby[]: the envelope plus the
// one key that says what happened. Every field is optional.
type rawElement struct {
	Sender    rawParty `json:"sender"`
	Recipient rawParty `json:"recipient"`
	Timestamp flexTime `json:"timestamp"`

	Message     rawMessage `json:"message"`
	MessageEdit struct {
		MID  flexString `json:"mid"`
		Text flexString `json:"text"`
		// num_edit is a string or a number; not needed.
	} `json:"message_edit"`
	Reaction struct {
		MID      flexString `json:"mid"`
		Reaction flexString `json:"reaction"`
		Emoji    flexString `json:"emoji"`
		Action   flexString `json:"action"`
	} `json:"reaction"`
	Postback struct {
		MID      flexString  `json:"mid"`
		Title    flexString  `json:"title"`
		Payload  flexString  `json:"payload"`
		Referral rawReferral `json:"referral"`
	} `json:"postback"`
	Delivery struct {
		MIDs      []flexString `json:"mids"`
		Watermark flexTime     `json:"watermark"`
	} `json:"delivery"`
	Read struct {
		Watermark flexTime `json:"watermark"`
	} `json:"read"`
	Referral rawReferral `json:"referral"`
}

type rawParty struct {
	ID      flexString `json:"id"`
	UserRef flexString `json:"user_ref"` // chat plugin visitors
}

// psid is the id a party is known by: its id, or "user_ref:"+user_ref.
func (p rawParty) psid() string {
	if p.ID != "" {
		return string(p.ID)
	}
	if p.UserRef != "" {
		return "user_ref:" + string(p.UserRef)
	}
	return ""
}

type rawReferral struct {
	Ref flexString `json:"ref"`
}

type rawMessage struct {
	MID        flexString `json:"mid"`
	Text       flexString `json:"text"`
	IsEcho     flexBool   `json:"is_echo"`
	AppID      flexString `json:"app_id"`
	Metadata   flexString `json:"metadata"`
	QuickReply struct {
		Payload flexString `json:"payload"`
	} `json:"quick_reply"`
	ReplyTo struct {
		MID flexString `json:"mid"`
	} `json:"reply_to"`
	StickerID   flexString        `json:"sticker_id"`
	Attachments []json.RawMessage `json:"attachments"`
}

type rawAttachment struct {
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
		Elements []struct {
			Title flexString `json:"title"`
		} `json:"elements"`
	} `json:"payload"`
}

// flexString reads a JSON string, or a number as its exact literal text
// (ids are 16+ digits: never through float64). Anything else is "".
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	*s = flexString(jsonScalarText(b))
	return nil
}

// flexTime reads a timestamp given as a number or a string: below 1e11 it
// is seconds, otherwise milliseconds. Unreadable or not positive: zero.
type flexTime struct{ t time.Time }

func (f *flexTime) UnmarshalJSON(b []byte) error {
	f.t = parseTimestamp(jsonScalarText(b))
	return nil
}

// flexFloat reads a number or a numeric string; anything else is 0.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseFloat(jsonScalarText(b), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	*f = flexFloat(v)
	return nil
}

// flexBool is true for true or "true".
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	*f = s == "true" || s == `"true"`
	return nil
}

// jsonScalarText is a JSON string's value or a JSON number's literal text;
// "" for anything else.
func jsonScalarText(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	switch c := b[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return ""
		}
		return s
	case c == '-' || ('0' <= c && c <= '9'):
		return string(b)
	}
	return ""
}

// secondsBelowThis: Meta's timestamps are milliseconds, but the dashboard Test
// shape sends seconds. 1e11 ms is 1973; 1e11 s is the year 5138.
const secondsBelowThis = 1e11

func parseTimestamp(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	var ms int64
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return time.Time{}
		}
		ms = n
		if n < secondsBelowThis {
			ms = n * 1000
		}
	} else {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
			return time.Time{}
		}
		if f < secondsBelowThis {
			f *= 1000
		}
		if f >= math.MaxInt64/2 {
			return time.Time{}
		}
		ms = int64(math.Round(f))
	}
	return time.UnixMilli(ms).UTC()
}

func jsonIsNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

func jsonIsObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// jsonObjectArray reads a JSON array of objects. Absent or null is an empty
// array; anything else is malformed.
func jsonObjectArray(raw json.RawMessage, where string) ([]json.RawMessage, error) {
	if len(raw) == 0 || jsonIsNull(raw) {
		return nil, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, malformedf("%s is not an array", where)
	}
	for i, el := range elems {
		if !jsonIsObject(el) {
			return nil, malformedf("%s[%d] is not an object", where, i)
		}
	}
	return elems, nil
}

type jsonMember struct {
	key string
	val json.RawMessage
}

// jsonObjectMembers lists a JSON object's members in body order.
func jsonObjectMembers(raw json.RawMessage) ([]jsonMember, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var fields []jsonMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		fields = append(fields, jsonMember{key, val})
	}
	return fields, nil
}
