// Package oldparse is the hand-written webhook parser that webhook.Decode
// replaced, kept only so that the tests can show the two agree. It is
// deleted in the next commit.
package oldparse

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

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
	// Problems are the parts of the body Decode could not read as events
	// (an entry that is not an object, a messaging[] that is not an array,
	// an element that is not an object, ...), each wrapping ErrMalformed.
	// Their neighbours still give their events. Parse fails on the first.
	Problems []error
}

// ErrMalformed wraps every error from Parse and Decode, and every problem.
var ErrMalformed = errors.New("webhook: malformed payload")

func malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// Parse reads the body of a webhook POST, strictly: it is Decode, failing
// on the first of the payload's Problems.
func Parse(body []byte) (Payload, error) {
	p, err := Decode(body)
	if err == nil && len(p.Problems) > 0 {
		return Payload{}, p.Problems[0]
	}
	return p, err
}

// Decode reads the body of a webhook POST, keeping what it can.
//
// Only the shape is checked: the body must be one JSON object and "entry"
// an array (else Decode fails); each entry an object and its "messaging",
// "standby" and "changes" arrays of objects (else that part is skipped and
// named in Problems, and the rest of the body still gives its events).
// An event without a timestamp of its own takes its entry's "time". Anything wrong inside an event (a missing mid, a
// string where a number belongs) still gives an event, with the fields it
// could read; the store validates events and refuses the broken ones.
// Unknown keys are ignored everywhere.
//
// Objects other than "page" give a Payload with only Object set and no
// error; so does a body without "object".
//
// How keys are matched, which the tests pin:
//   - the keys of the body, of an entry and of a change are exact: "Entry"
//     is not "entry"; a key given twice counts once, the last time, except
//     that an entry's "messaging", "standby" and "changes" are each read,
//     in body order, every time they appear;
//   - inside an event, fields match as encoding/json matches struct field
//     names: case-insensitively, with Unicode simple folding ("Sender",
//     "SENDER" and "ſender" fill the sender), and a field given twice is
//     decoded twice into the same place (an object merges, null or a value
//     of the wrong type leaves it alone, a scalar overwrites);
//   - what kind of event it is, though, comes from the exact keys: the
//     last "message" (or "message_edit", ...) must be there and not null.
//
// The body is read twice: once to check that it is JSON, exactly as
// encoding/json would, then once to pick out the events, without
// reflection and without copying anything but the strings the events keep.
func Decode(body []byte) (Payload, error) {
	v := jsonValidator{b: body}
	if !v.valid() {
		// encoding/json words the error.
		if err := json.Unmarshal(body, new(json.RawMessage)); err != nil {
			return Payload{}, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		// Should it accept the body after all, it is right: carry on
		// without the validator's notes.
		v.topLevelKeys()
	}
	r := jsonReader{b: body}
	if r.peek() != '{' {
		return Payload{}, malformedf("body is not a JSON object")
	}
	objectAt, entryAt := v.objectAt, v.entryAt
	var p Payload
	if objectAt >= 0 {
		r.i = objectAt
		switch r.peek() {
		case 'n': // null: no object
		case '"':
			if s := r.str(); string(s) == "page" {
				p.Object = "page"
			} else {
				p.Object = string(s)
			}
		default:
			return Payload{}, malformedf("object is not a string")
		}
	}
	if p.Object != "page" {
		return Payload{Object: p.Object}, nil
	}
	if entryAt < 0 {
		return p, nil
	}
	r.i = entryAt
	switch r.peek() {
	case 'n':
		return p, nil
	case '[':
		r.i++
	default:
		return Payload{}, malformedf("entry is not an array")
	}
	if v.items > 0 { // room for the events up front, within reason
		p.Events = make([]store.Event, 0, min(v.items, 1024))
	}
	for n := 0; r.nextElem(); n++ {
		if r.peek() != '{' {
			p.problem(malformedf("entry[%d] is not an object", n))
			r.skip()
			continue
		}
		p.addEntry(&r, n)
	}
	if len(p.Events) == 0 {
		p.Events = nil // as without the room made above
	}
	return p, nil
}

func (p *Payload) problem(err error) { p.Problems = append(p.Problems, err) }

// addEntry adds the events of the entry at the cursor, in body order.
func (p *Payload) addEntry(r *jsonReader, n int) {
	first := len(p.Events)
	// The page id and time may come after the events they route; the last
	// one wins, as with encoding/json. They are filled in at the end.
	var pageID, entryTime []byte
	r.i++ // {
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(key) {
		case "id":
			pageID = r.flex()
		case "time":
			entryTime = r.flex()
		case "messaging":
			p.addElements(r, n, "messaging")
		case "standby":
			p.addElements(r, n, "standby")
		case "changes":
			p.addChanges(r, n)
		default:
			r.skip()
		}
	}
	if first == len(p.Events) {
		return
	}
	id, at := string(pageID), parseTimestamp(entryTime)
	for i := first; i < len(p.Events); i++ {
		e := &p.Events[i]
		e.PageID = id
		// Deliveries and reads are timed by their watermark instead.
		if e.Time.IsZero() && e.Kind != store.EventDelivery && e.Kind != store.EventRead {
			e.Time = at
		}
	}
}

// addElements adds the events of entry[n].name, an array of objects (null is
// an empty one). What is not an object is skipped and named in Problems.
func (p *Payload) addElements(r *jsonReader, n int, name string) {
	switch r.peek() {
	case 'n':
		r.skip()
		return
	case '[':
		r.i++
	default:
		p.problem(malformedf("entry[%d].%s is not an array", n, name))
		r.skip()
		return
	}
	for j := 0; r.nextElem(); j++ {
		if r.peek() != '{' {
			p.problem(malformedf("entry[%d].%s[%d] is not an object", n, name, j))
			r.skip()
			continue
		}
		p.addElement(r)
	}
}

// addChanges adds the events of entry[n].changes, an array of objects whose
// "value" (exact key, the last one) must be an object. What is not is
// skipped and named in Problems.
func (p *Payload) addChanges(r *jsonReader, n int) {
	switch r.peek() {
	case 'n':
		r.skip()
		return
	case '[':
		r.i++
	default:
		p.problem(malformedf("entry[%d].changes is not an array", n))
		r.skip()
		return
	}
	for j := 0; r.nextElem(); j++ {
		if r.peek() != '{' {
			p.problem(malformedf("entry[%d].changes[%d] is not an object", n, j))
			r.skip()
			continue
		}
		r.i++
		valueAt := -1
		for key, ok := r.next(); ok; key, ok = r.next() {
			if string(key) == "value" {
				valueAt = r.i
			}
			r.skip()
		}
		if valueAt < 0 || r.b[valueAt] != '{' {
			p.problem(malformedf("entry[%d].changes[%d]: value is not an object", n, j))
			continue
		}
		end := r.i
		r.i = valueAt
		p.addElement(r)
		r.i = end
	}
}

// addElement turns the element of messaging[] (or change value) at the
// cursor into an event, without its PageID. It never fails: what cannot
// be read is left empty.
func (p *Payload) addElement(r *jsonReader) {
	start := r.i
	var el rawElement
	r.element(&el)
	raw := r.b[start:r.i]

	if el.sender.empty() && el.recipient.empty() {
		p.Unknown = append(p.Unknown, "no_sender")
		return
	}
	ev := store.Event{Time: parseTimestamp(el.timestamp)}
	m := &el.message
	switch {
	case el.present&hasMessage != 0 && m.isEcho:
		ev.Kind = store.EventEcho
		ev.PSID = el.recipient.psid() // echoes flip sender and recipient
		ev.AppID = string(m.appID)
		ev.Metadata = string(m.metadata)
		ev.MID = string(m.mid)
		ev.Text = string(m.text)
		ev.ReplyTo = string(m.replyTo)
		ev.Attachments = convertAttachments(m.attachments, m.stickerID)
	case el.present&hasMessage != 0:
		ev.Kind = store.EventMessage
		ev.MID = string(m.mid)
		ev.Text = string(m.text)
		ev.QuickReply = string(m.quickReply)
		ev.ReplyTo = string(m.replyTo)
		ev.Attachments = convertAttachments(m.attachments, m.stickerID)
	case el.present&hasMessageEdit != 0:
		ev.Kind = store.EventEdit
		ev.MID = string(el.edit.mid)
		ev.Text = string(el.edit.text)
	case el.present&hasReaction != 0:
		rc := &el.reaction
		ev.Kind = store.EventReaction
		ev.MID = string(rc.mid)
		ev.Reaction = string(rc.reaction)
		ev.Emoji = string(rc.emoji)
		ev.Unreact = string(rc.action) == "unreact"
	case el.present&hasPostback != 0:
		pb := &el.postback
		ev.Kind = store.EventPostback
		ev.MID = string(pb.mid)
		ev.Title = string(pb.title)
		ev.Payload = string(pb.payload)
		ev.Ref = string(pb.ref)
	case el.present&hasDelivery != 0:
		ev.Kind = store.EventDelivery
		ev.Watermark = parseTimestamp(el.delivery.watermark)
		if len(el.delivery.mids) > 0 {
			ev.MIDs = make([]string, len(el.delivery.mids))
			for i, mid := range el.delivery.mids {
				ev.MIDs[i] = string(mid)
			}
		}
	case el.present&hasRead != 0:
		ev.Kind = store.EventRead
		ev.Watermark = parseTimestamp(el.readWatermark)
	case el.present&hasReferral != 0:
		ev.Kind = store.EventReferral
		ev.Ref = string(el.referralRef)
	default:
		ev.Kind = store.EventUnknown
		var compact bytes.Buffer
		_ = json.Compact(&compact, raw) // valid JSON: cannot fail
		ev.Raw = compact.Bytes()
		// Rare: the exact keys, as a map, name the event.
		var keys map[string]json.RawMessage
		_ = json.Unmarshal(raw, &keys) // an object: cannot fail
		p.Unknown = append(p.Unknown, unknownEventName(keys))
	}
	if ev.Kind != store.EventEcho {
		ev.PSID = el.sender.psid()
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

func jsonIsNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

// convertAttachments converts message.attachments[] (entries that were not
// objects are already dropped). stickerID is message.sticker_id, the legacy
// place of a sticker's id.
func convertAttachments(atts []rawAttachment, stickerID []byte) []store.Attachment {
	if len(atts) == 0 {
		return nil
	}
	out := make([]store.Attachment, len(atts))
	for i := range atts {
		a := &atts[i]
		pl := &a.payload
		at := store.Attachment{
			Type:      string(a.typ),
			URL:       firstNonEmpty(pl.url, a.url),
			Title:     firstNonEmpty(pl.title, a.title),
			StickerID: firstNonEmpty(pl.stickerID, a.stickerID),
			Lat:       parseFlexFloat(pl.lat),
			Long:      parseFlexFloat(pl.long),
		}
		if at.Title == "" && pl.elements > 0 {
			at.Title = string(pl.element0Title) // templates
		}
		if at.StickerID == "" && (at.Type == "image" || at.Type == "sticker") {
			at.StickerID = string(stickerID)
		}
		out[i] = at
	}
	return out
}

func firstNonEmpty(a, b []byte) string {
	if len(a) > 0 {
		return string(a)
	}
	return string(b)
}

// The decoded forms below hold "flex" values: the text of a JSON string,
// or a JSON number's literal text (ids are 16+ digits: never through
// float64), or nil for anything else; see jsonReader.flex. They point
// into the body and become strings only when an event keeps them.

// rawElement is one item of messaging[] or standby[]: the envelope plus the
// one key that says what happened. Every field is optional.
type rawElement struct {
	// present has a bit per event key whose last exact occurrence is
	// there and not null.
	present   uint8
	sender    rawParty
	recipient rawParty
	timestamp []byte

	message  rawMessage
	edit     struct{ mid, text []byte } // num_edit: a string or a number; not needed
	reaction struct {
		mid, reaction, emoji, action []byte
	}
	postback struct {
		mid, title, payload, ref []byte
	}
	delivery struct {
		mids      [][]byte // the non-empty ones
		watermark []byte
	}
	readWatermark []byte
	referralRef   []byte
}

// The bits of rawElement.present.
const (
	hasMessage uint8 = 1 << iota
	hasMessageEdit
	hasReaction
	hasPostback
	hasDelivery
	hasRead
	hasReferral
)

// eventKeyBit is the rawElement.present bit of an exact key, or 0.
func eventKeyBit(key []byte) uint8 {
	switch string(key) {
	case "message":
		return hasMessage
	case "message_edit":
		return hasMessageEdit
	case "reaction":
		return hasReaction
	case "postback":
		return hasPostback
	case "delivery":
		return hasDelivery
	case "read":
		return hasRead
	case "referral":
		return hasReferral
	}
	return 0
}

type rawParty struct {
	id      []byte
	userRef []byte // chat plugin visitors
}

func (p *rawParty) empty() bool { return len(p.id) == 0 && len(p.userRef) == 0 }

// psid is the id a party is known by: its id, or "user_ref:"+user_ref.
func (p *rawParty) psid() string {
	if len(p.id) > 0 {
		return string(p.id)
	}
	if len(p.userRef) > 0 {
		return "user_ref:" + string(p.userRef)
	}
	return ""
}

type rawMessage struct {
	mid, text, appID, metadata, stickerID []byte
	isEcho                                bool
	quickReply                            []byte // quick_reply.payload
	replyTo                               []byte // reply_to.mid
	attachments                           []rawAttachment
}

type rawAttachment struct {
	typ, url, title, stickerID []byte
	payload                    struct {
		url, title, stickerID []byte
		lat, long             []byte // coordinates
		// elements is the length of payload.elements, and element0Title
		// the title of its first element, as encoding/json would leave
		// them.
		elements      int
		element0Title []byte
	}
}

// element decodes the object at the cursor into el.
func (r *jsonReader) element(el *rawElement) {
	r.i++ // {
	for key, ok := r.next(); ok; key, ok = r.next() {
		if bit := eventKeyBit(key); bit != 0 {
			if r.peek() == 'n' {
				el.present &^= bit
			} else {
				el.present |= bit
			}
		}
		switch string(r.fold(key)) {
		case "SENDER":
			r.party(&el.sender)
		case "RECIPIENT":
			r.party(&el.recipient)
		case "TIMESTAMP":
			el.timestamp = r.flex()
		case "MESSAGE":
			r.message(&el.message)
		case "MESSAGE_EDIT":
			r.twoFields("MID", &el.edit.mid, "TEXT", &el.edit.text)
		case "REACTION":
			r.reaction(el)
		case "POSTBACK":
			r.postback(el)
		case "DELIVERY":
			r.delivery(el)
		case "READ":
			r.twoFields("WATERMARK", &el.readWatermark, "", nil)
		case "REFERRAL":
			r.twoFields("REF", &el.referralRef, "", nil)
		default:
			r.skip()
		}
	}
}

func (r *jsonReader) party(p *rawParty) {
	r.twoFields("ID", &p.id, "USER_REF", &p.userRef)
}

// twoFields decodes an object of at most two flex fields, given by folded
// name; name2 "" for one field.
func (r *jsonReader) twoFields(name1 string, dst1 *[]byte, name2 string, dst2 *[]byte) {
	if !r.enter() {
		return
	}
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch f := r.fold(key); {
		case string(f) == name1:
			*dst1 = r.flex()
		case name2 != "" && string(f) == name2:
			*dst2 = r.flex()
		default:
			r.skip()
		}
	}
}

func (r *jsonReader) message(m *rawMessage) {
	if !r.enter() {
		return
	}
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(r.fold(key)) {
		case "MID":
			m.mid = r.flex()
		case "TEXT":
			m.text = r.flex()
		case "IS_ECHO":
			m.isEcho = r.flexBool()
		case "APP_ID":
			m.appID = r.flex()
		case "METADATA":
			m.metadata = r.flex()
		case "QUICK_REPLY":
			r.twoFields("PAYLOAD", &m.quickReply, "", nil)
		case "REPLY_TO":
			r.twoFields("MID", &m.replyTo, "", nil)
		case "STICKER_ID":
			m.stickerID = r.flex()
		case "ATTACHMENTS":
			r.attachments(m)
		default:
			r.skip()
		}
	}
}

// attachments decodes message.attachments: an array replaces the list,
// null empties it, anything else leaves it alone.
func (r *jsonReader) attachments(m *rawMessage) {
	switch r.peek() {
	case 'n':
		r.skip()
		m.attachments = nil
	case '[':
		r.i++
		atts := m.attachments[:0]
		for r.nextElem() {
			if r.peek() != '{' {
				r.skip() // not an object: dropped
				continue
			}
			atts = append(atts, rawAttachment{})
			r.attachment(&atts[len(atts)-1])
		}
		m.attachments = atts
	default:
		r.skip()
	}
}

func (r *jsonReader) attachment(a *rawAttachment) {
	r.i++ // {
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(r.fold(key)) {
		case "TYPE":
			a.typ = r.flex()
		case "URL":
			a.url = r.flex()
		case "TITLE":
			a.title = r.flex()
		case "STICKER_ID":
			a.stickerID = r.flex()
		case "PAYLOAD":
			r.attachmentPayload(a)
		default:
			r.skip()
		}
	}
}

func (r *jsonReader) attachmentPayload(a *rawAttachment) {
	if !r.enter() {
		return
	}
	pl := &a.payload
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(r.fold(key)) {
		case "URL":
			pl.url = r.flex()
		case "TITLE":
			pl.title = r.flex()
		case "STICKER_ID":
			pl.stickerID = r.flex()
		case "COORDINATES":
			r.twoFields("LAT", &pl.lat, "LONG", &pl.long)
		case "ELEMENTS":
			// A slice of structs, as encoding/json fills it: null
			// empties it; an array sets its length and decodes its first
			// item into the first slot, which keeps what an earlier
			// array put there unless the slice was empty.
			switch r.peek() {
			case 'n':
				r.skip()
				pl.elements = 0
			case '[':
				r.i++
				n := 0
				for ; r.nextElem(); n++ {
					if n > 0 {
						r.skip()
						continue
					}
					if pl.elements == 0 {
						pl.element0Title = nil
					}
					r.twoFields("TITLE", &pl.element0Title, "", nil)
				}
				pl.elements = n
			default:
				r.skip()
			}
		default:
			r.skip()
		}
	}
}

func (r *jsonReader) reaction(el *rawElement) {
	if !r.enter() {
		return
	}
	rc := &el.reaction
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(r.fold(key)) {
		case "MID":
			rc.mid = r.flex()
		case "REACTION":
			rc.reaction = r.flex()
		case "EMOJI":
			rc.emoji = r.flex()
		case "ACTION":
			rc.action = r.flex()
		default:
			r.skip()
		}
	}
}

func (r *jsonReader) postback(el *rawElement) {
	if !r.enter() {
		return
	}
	pb := &el.postback
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(r.fold(key)) {
		case "MID":
			pb.mid = r.flex()
		case "TITLE":
			pb.title = r.flex()
		case "PAYLOAD":
			pb.payload = r.flex()
		case "REFERRAL":
			r.twoFields("REF", &pb.ref, "", nil)
		default:
			r.skip()
		}
	}
}

func (r *jsonReader) delivery(el *rawElement) {
	if !r.enter() {
		return
	}
	d := &el.delivery
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(r.fold(key)) {
		case "MIDS":
			// An array replaces the list, null empties it, anything else
			// leaves it alone.
			switch r.peek() {
			case 'n':
				r.skip()
				d.mids = nil
			case '[':
				r.i++
				mids := d.mids[:0]
				for r.nextElem() {
					if mid := r.flex(); len(mid) > 0 {
						mids = append(mids, mid)
					}
				}
				d.mids = mids
			default:
				r.skip()
			}
		case "WATERMARK":
			d.watermark = r.flex()
		default:
			r.skip()
		}
	}
}

// parseFlexFloat reads a number or a numeric string; anything else is 0.
func parseFlexFloat(b []byte) float64 {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// secondsBelowThis: Meta's timestamps are milliseconds, but the dashboard Test
// shape sends seconds. 1e11 ms is 1973; 1e11 s is the year 5138.
const secondsBelowThis = 1e11

// parseTimestamp reads a timestamp given as a number or a string (flex
// text): below 1e11 it is seconds, otherwise milliseconds. Unreadable or
// not positive: zero.
func parseTimestamp(b []byte) time.Time {
	if len(b) == 0 {
		return time.Time{}
	}
	s := string(b)
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

// jsonReader walks JSON that jsonValidator accepted. It does not check
// the syntax again; at the end of the input peek gives 0, so it cannot
// run off the end whatever it is given.
type jsonReader struct {
	b    []byte
	i    int
	fbuf [48]byte // for fold
}

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek skips white space and gives the next byte, 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// skip moves past the value at the cursor.
func (r *jsonReader) skip() {
	switch r.peek() {
	case '"':
		r.i = min(jsonStringEnd(r.b, r.i+1)+1, len(r.b))
	case '{', '[':
		depth := 0
		for r.i < len(r.b) {
			switch r.b[r.i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					r.i++
					return
				}
			case '"':
				r.i = jsonStringEnd(r.b, r.i+1) // the closing quote
			}
			r.i++
		}
		r.i = len(r.b)
	default: // a number, true, false or null
		for r.i < len(r.b) {
			switch r.b[r.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			r.i++
		}
	}
}

// jsonStringEnd is the index of the quote that closes the string whose
// contents start at s, or len(b).
func jsonStringEnd(b []byte, s int) int {
	for i := s; i < len(b); {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			break
		}
		j += i
		k := j // an even run of backslashes before it: not escaped
		for k > s && b[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 {
			return j
		}
		i = j + 1
	}
	return len(b)
}

// str reads the string at the cursor, unquoted. Most strings need no
// unquoting and come back as a part of the body.
func (r *jsonReader) str() []byte {
	s := r.i + 1
	e := jsonStringEnd(r.b, s)
	r.i = min(e+1, len(r.b))
	return jsonUnquote(r.b[s:e])
}

// flex reads a value as encoding/json gave it to the old flexString: a
// string's text, or a number's literal text, or nil for anything else.
func (r *jsonReader) flex() []byte {
	switch c := r.peek(); {
	case c == '"':
		return r.str()
	case c == '-' || '0' <= c && c <= '9':
		s := r.i
		r.skip()
		return r.b[s:r.i]
	}
	r.skip()
	return nil
}

// flexBool is true for true or "true", as written.
func (r *jsonReader) flexBool() bool {
	r.peek()
	s := r.i
	r.skip()
	v := r.b[s:r.i]
	return string(v) == "true" || string(v) == `"true"`
}

// enter moves into the object at the cursor. Any other value is skipped,
// and enter is false: encoding/json leaves a struct alone for null or a
// value of the wrong type.
func (r *jsonReader) enter() bool {
	if r.peek() != '{' {
		r.skip()
		return false
	}
	r.i++
	return true
}

// next moves to the next member of the object being read and gives its
// key, unquoted, leaving the cursor on the value, which the caller must
// read or skip. It is false after the closing brace.
func (r *jsonReader) next() ([]byte, bool) {
	c := r.peek()
	if c == ',' {
		r.i++
		c = r.peek()
	}
	if c != '"' {
		if c == '}' {
			r.i++
		}
		return nil, false
	}
	key := r.str()
	if r.peek() == ':' {
		r.i++
	}
	r.ws()
	return key, true
}

// nextElem moves to the next item of the array being read, leaving the
// cursor on it. It is false after the closing bracket.
func (r *jsonReader) nextElem() bool {
	c := r.peek()
	if c == ',' {
		r.i++
		c = r.peek()
	}
	if c == ']' {
		r.i++
		return false
	}
	return c != 0 && c != '}'
}

// fold folds a key as encoding/json does to match it to a field name
// (foldName): ASCII letters upper case, other runes to the smallest of
// their simple fold orbit. The result is good until the next call.
func (r *jsonReader) fold(key []byte) []byte {
	out := r.fbuf[:0]
	for i := 0; i < len(key); {
		if c := key[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		rn, n := utf8.DecodeRune(key[i:])
		out = utf8.AppendRune(out, jsonFoldRune(rn))
		i += n
	}
	return out
}

// jsonFoldRune is the smallest rune of r's simple fold orbit.
func jsonFoldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// jsonUnquote gives the text of a JSON string's contents s as encoding/json
// does: escapes decoded, invalid UTF-8 and lone surrogates replaced by
// U+FFFD. Without escapes or invalid UTF-8 it is s itself.
func jsonUnquote(s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		return s
	}
	r := 0
	for r < len(s) {
		c := s[r]
		if c == '\\' {
			break
		}
		if c < utf8.RuneSelf {
			r++
			continue
		}
		rr, size := utf8.DecodeRune(s[r:])
		if rr == utf8.RuneError && size == 1 {
			break
		}
		r += size
	}
	if r == len(s) {
		return s
	}
	b := make([]byte, r, len(s)+2*utf8.UTFMax)
	copy(b, s[:r])
	for r < len(s) {
		switch c := s[r]; {
		case c == '\\':
			r++
			if r >= len(s) {
				return b
			}
			switch s[r] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := jsonGetu4(s[r-1:])
				if rr < 0 {
					return b
				}
				r += 5
				if utf16.IsSurrogate(rr) {
					rr1 := jsonGetu4(s[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						r += 6 // a valid pair
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // " \ / and, as encoding/json allows, '
				b = append(b, s[r])
			}
			r++
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b
}

// jsonGetu4 decodes \uXXXX from the beginning of s, or gives -1.
func jsonGetu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// jsonMaxDepth is encoding/json's limit on nested arrays and objects.
const jsonMaxDepth = 10000

// jsonValidator checks that a body is one JSON value, exactly as json.Valid
// does (nesting limit included) at a fraction of its cost, and notes on the
// way what Parse needs first.
type jsonValidator struct {
	b []byte
	// objectAt and entryAt are where the values of the last "object" and
	// "entry" keys of the top-level object start, or -1.
	objectAt, entryAt int
	// items counts the objects that are items of arrays nested four deep,
	// as entry[].messaging[] is: the most events the body can give.
	items int
}

func (v *jsonValidator) valid() bool {
	v.objectAt, v.entryAt = -1, -1
	i, ok := v.value(jsonSkipSpace(v.b, 0), 0)
	return ok && jsonSkipSpace(v.b, i) == len(v.b)
}

// topLevelKeys sets objectAt and entryAt the slow way, and items to 0.
func (v *jsonValidator) topLevelKeys() {
	v.objectAt, v.entryAt, v.items = -1, -1, 0
	r := jsonReader{b: v.b}
	if r.peek() != '{' {
		return
	}
	r.i++
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch string(key) {
		case "object":
			v.objectAt = r.i
		case "entry":
			v.entryAt = r.i
		}
		r.skip()
	}
}

func jsonSkipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value checks the value at b[i], inside depth arrays and objects, and
// gives the index after it.
func (v *jsonValidator) value(i, depth int) (int, bool) {
	b := v.b
	if i >= len(b) {
		return i, false
	}
	var ok bool
	switch b[i] {
	case '{':
		if depth++; depth > jsonMaxDepth {
			return i, false
		}
		if i = jsonSkipSpace(b, i+1); i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			key := i + 1
			if i, ok = jsonValidString(b, i); !ok {
				return i, false
			}
			keyEnd := i - 1
			if i = jsonSkipSpace(b, i); i >= len(b) || b[i] != ':' {
				return i, false
			}
			i = jsonSkipSpace(b, i+1)
			if depth == 1 {
				switch string(jsonUnquote(b[key:keyEnd])) {
				case "object":
					v.objectAt = i
				case "entry":
					v.entryAt = i
				}
			}
			if i, ok = v.value(i, depth); !ok {
				return i, false
			}
			if i = jsonSkipSpace(b, i); i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '}':
				return i + 1, true
			case ',':
				i = jsonSkipSpace(b, i+1)
			default:
				return i, false
			}
		}
	case '[':
		if depth++; depth > jsonMaxDepth {
			return i, false
		}
		if i = jsonSkipSpace(b, i+1); i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			if depth == 4 && i < len(b) && b[i] == '{' {
				v.items++
			}
			if i, ok = v.value(i, depth); !ok {
				return i, false
			}
			if i = jsonSkipSpace(b, i); i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ']':
				return i + 1, true
			case ',':
				i = jsonSkipSpace(b, i+1)
			default:
				return i, false
			}
		}
	case '"':
		return jsonValidString(b, i)
	case 't':
		return jsonValidLiteral(b, i, "true")
	case 'f':
		return jsonValidLiteral(b, i, "false")
	case 'n':
		return jsonValidLiteral(b, i, "null")
	}
	return jsonValidNumber(b, i)
}

func jsonValidLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// jsonValidString checks the string whose opening quote is at b[i]. Bytes
// from 0x80 up need not be UTF-8, as with encoding/json.
func jsonValidString(b []byte, i int) (int, bool) {
	for i++; i < len(b); {
		// Eight bytes at a time while none is a quote, a backslash or a
		// control character.
		for len(b)-i >= 8 && jsonPlain8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 || jsonGetu4(b[i:i+6]) < 0 {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20:
			return i, false
		default:
			i++
		}
	}
	return i, false
}

// jsonPlain8 reports whether none of the eight bytes of x is below 0x20, '"'
// or '\\' (the classic has-zero-byte tests, exact as a whole).
func jsonPlain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ ('"' * ones)
	bs := x ^ ('\\' * ones)
	return ((x-0x20*ones)&^x|(q-ones)&^q|(bs-ones)&^bs)&highs == 0
}

// jsonValidNumber checks the number at b[i]: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonValidNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = jsonDigits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := jsonDigits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := jsonDigits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func jsonDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
