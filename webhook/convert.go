package webhook

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/pageinbox/pageinbox/store"
)

// addElement turns one element of messaging[] or standby[] (or a change's
// value), a JSON object, into an event without its PageID. It never
// fails: what cannot be read is left empty.
func (d *bodyDecoder) addElement(raw jsontext.Value) {
	var el element
	_ = json.Unmarshal(raw, &el, eventFields) // wrong types leave their fields empty
	if el.Sender.empty() && el.Recipient.empty() {
		d.p.Unknown = append(d.p.Unknown, "no_sender")
		return
	}
	ev, known := el.event(d.readKindKeys(raw))
	if !known {
		compact := jsontext.Value(bytes.Clone(raw))
		_ = compact.Compact() // valid JSON: cannot fail
		ev.Raw = []byte(compact)
		d.p.Unknown = append(d.p.Unknown, unknownEventName(d.readKeys(raw)))
	}
	d.p.Events = append(d.p.Events, ev)
}

// kindKeys has a bit for each key that makes an element an event of a
// kind we store, set when the key's last value is there and not null. The
// kind comes from the exact keys: "Message" fills the message's fields,
// as encoding/json matches them, but only "message" makes it a message.
type kindKeys uint8

const (
	hasMessage kindKeys = 1 << iota
	hasMessageEdit
	hasReaction
	hasPostback
	hasDelivery
	hasRead
	hasReferral
)

// readKindKeys reads the kind keys of an element, raw (valid JSON).
func (d *bodyDecoder) readKindKeys(raw jsontext.Value) kindKeys {
	var kinds kindKeys
	dec := d.keyDecoder(raw)
	dec.ReadToken() // {
	for dec.PeekKind() == '"' {
		name, _ := dec.ReadToken()
		var bit kindKeys
		switch name.String() { // inlined: the name is not copied
		case "message":
			bit = hasMessage
		case "message_edit":
			bit = hasMessageEdit
		case "reaction":
			bit = hasReaction
		case "postback":
			bit = hasPostback
		case "delivery":
			bit = hasDelivery
		case "read":
			bit = hasRead
		case "referral":
			bit = hasReferral
		}
		if dec.PeekKind() == 'n' {
			kinds &^= bit
		} else {
			kinds |= bit
		}
		dec.SkipValue()
	}
	return kinds
}

// readKeys reads the exact keys of an element, raw (valid JSON), each true
// when its last value is not null.
func (d *bodyDecoder) readKeys(raw jsontext.Value) map[string]bool {
	dec := d.keyDecoder(raw)
	keys := map[string]bool{}
	_ = members(dec, func(name jsontext.Token) error {
		key := name.String() // before the token is let go
		keys[key] = dec.PeekKind() != 'n'
		return dec.SkipValue()
	})
	return keys
}

// keyDecoder is a decoder of raw, reused from one element to the next.
func (d *bodyDecoder) keyDecoder(raw jsontext.Value) *jsontext.Decoder {
	if d.keys == nil {
		d.keys = jsontext.NewDecoder(bytes.NewBuffer(raw), syntax)
	} else {
		d.keys.Reset(bytes.NewBuffer(raw), syntax)
	}
	return d.keys
}

// event converts el, whose kind is chosen by the first of its keys
// present in the order below. known is false for an element of no kind
// we store: it becomes an EventUnknown.
func (el *element) event(keys kindKeys) (ev store.Event, known bool) {
	ev = store.Event{Time: el.Timestamp.t, PSID: el.Sender.psid()}
	switch {
	case keys&hasMessage != 0 && bool(el.Message.IsEcho):
		m := &el.Message
		ev.Kind = store.EventEcho
		ev.PSID = el.Recipient.psid() // echoes flip sender and recipient
		ev.AppID = string(m.AppID)
		ev.Metadata = string(m.Metadata)
		ev.MID = string(m.MID)
		ev.Text = string(m.Text)
		ev.ReplyTo = string(m.ReplyTo.MID)
		ev.Attachments = convertAttachments(m.Attachments, string(m.StickerID))
	case keys&hasMessage != 0:
		m := &el.Message
		ev.Kind = store.EventMessage
		ev.MID = string(m.MID)
		ev.Text = string(m.Text)
		ev.QuickReply = string(m.QuickReply.Payload)
		ev.ReplyTo = string(m.ReplyTo.MID)
		ev.Attachments = convertAttachments(m.Attachments, string(m.StickerID))
	case keys&hasMessageEdit != 0:
		ev.Kind = store.EventEdit
		ev.MID = string(el.MessageEdit.MID)
		ev.Text = string(el.MessageEdit.Text)
	case keys&hasReaction != 0:
		r := &el.Reaction
		ev.Kind = store.EventReaction
		ev.MID = string(r.MID)
		ev.Reaction = string(r.Reaction)
		ev.Emoji = string(r.Emoji)
		ev.Unreact = r.Action == "unreact"
	case keys&hasPostback != 0:
		pb := &el.Postback
		ev.Kind = store.EventPostback
		ev.MID = string(pb.MID)
		ev.Title = string(pb.Title)
		ev.Payload = string(pb.Payload)
		ev.Ref = string(pb.Referral.Ref)
	default:
		return el.receipt(ev, keys)
	}
	return ev, true
}

// receipt is event for the kinds after the first five.
func (el *element) receipt(ev store.Event, keys kindKeys) (store.Event, bool) {
	switch {
	case keys&hasDelivery != 0:
		ev.Kind = store.EventDelivery
		ev.Watermark = el.Delivery.Watermark.t
		for _, mid := range el.Delivery.MIDs {
			if mid != "" {
				ev.MIDs = append(ev.MIDs, string(mid))
			}
		}
	case keys&hasRead != 0:
		ev.Kind = store.EventRead
		ev.Watermark = el.Read.Watermark.t
	case keys&hasReferral != 0:
		ev.Kind = store.EventReferral
		ev.Ref = string(el.Referral.Ref)
	default:
		ev.Kind = store.EventUnknown
		return ev, false
	}
	return ev, true
}

// convertAttachments converts message.attachments. stickerID is
// message.sticker_id, the legacy place of a sticker's id.
func convertAttachments(atts []attachment, stickerID string) []store.Attachment {
	var out []store.Attachment
	for i := range atts {
		a := &atts[i]
		if a.skip {
			continue
		}
		pl := &a.Payload
		at := store.Attachment{
			Type:      string(a.Type),
			URL:       string(cmpOr(pl.URL, a.URL)),
			Title:     string(cmpOr(pl.Title, a.Title)),
			StickerID: string(cmpOr(pl.StickerID, a.StickerID)),
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

func cmpOr(a, b flexString) flexString {
	if a != "" {
		return a
	}
	return b
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
func unknownEventName(keys map[string]bool) string {
	for _, k := range knownOtherKeys {
		if keys[k] {
			return k
		}
	}
	var names []string
	for k, present := range keys {
		if present && k != "" && !isEnvelopeKey(k) {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return "empty"
	}
	return slices.Min(names)
}

// secondsBelowThis: Meta's timestamps are milliseconds, but the dashboard Test
// shape sends seconds. 1e11 ms is 1973; 1e11 s is the year 5138.
const secondsBelowThis = 1e11

// parseTimestamp reads a timestamp's text (see flexString): below 1e11 it
// is seconds, otherwise milliseconds. Unreadable or not positive: zero.
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
