package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/pageinbox/pageinbox/store"
)

// Payload is one decoded webhook POST.
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

func (p *Payload) problem(err error) { p.Problems = append(p.Problems, err) }

// Parse reads the body of a webhook POST, strictly: it is Decode, failing
// on the first of the payload's Problems.
func Parse(body []byte) (Payload, error) {
	p, err := Decode(body)
	if err == nil && len(p.Problems) > 0 {
		return Payload{}, p.Problems[0]
	}
	return p, err
}

// syntax is the JSON Decode accepts: what encoding/json accepts, names
// given twice and invalid UTF-8 (read as U+FFFD) included.
var syntax = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// Decode reads the body of a webhook POST, keeping what it can.
//
// Only the shape is checked: the body must be one JSON object and "entry"
// an array (else Decode fails); each entry an object and its "messaging",
// "standby" and "changes" arrays of objects (else that part is skipped and
// named in Problems, and the rest of the body still gives its events).
// The body is read once, as a stream of JSON tokens, down to the elements
// of those arrays; each element is then decoded into its typed form
// (events.go). An event without a timestamp of its own takes its entry's
// "time". Anything wrong inside an event (a missing mid, a string where a
// number belongs) still gives an event, with the fields it could read; the
// store validates events and refuses the broken ones. Unknown keys are
// ignored everywhere.
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
func Decode(body []byte) (Payload, error) {
	d := bodyDecoder{dec: jsontext.NewDecoder(bytes.NewBuffer(body), syntax), size: len(body)}
	p, err := d.payload()
	switch {
	case err == nil:
		return p, nil
	case err == io.EOF: // an empty body, or only white space
		err = io.ErrUnexpectedEOF
	case errors.Is(err, ErrMalformed):
		return Payload{}, err
	}
	return Payload{}, fmt.Errorf("%w: %w", ErrMalformed, err)
}

// bodyDecoder reads one body. Its methods return only the errors that
// make the whole body unreadable (it is not JSON, or not the right shape
// at the top); the problems of its parts go into p.Problems.
type bodyDecoder struct {
	dec  *jsontext.Decoder
	keys *jsontext.Decoder // reads elements' keys; see readKindKeys
	size int               // of the body
	p    Payload
}

// minEventSize is about the size of the smallest event Meta sends: a
// body of n bytes has room for at most about n/minEventSize events.
const minEventSize = 200

// payload reads the body: one object, its "object" a string and, for a
// page, its "entry" an array.
func (d *bodyDecoder) payload() (Payload, error) {
	if d.dec.PeekKind() != '{' {
		if err := d.dec.SkipValue(); err != nil {
			return Payload{}, err
		}
		if err := d.atEnd(); err != nil {
			return Payload{}, err
		}
		return Payload{}, malformedf("body is not a JSON object")
	}
	var object string
	objectOK, entryOK := true, true
	err := members(d.dec, func(name jsontext.Token) error {
		switch name.String() {
		case "object":
			object, objectOK = "", true
			switch d.dec.PeekKind() {
			case 'n':
			case '"':
				tok, err := d.dec.ReadToken()
				object = tok.String()
				return err
			default:
				objectOK = false
			}
		case "entry":
			// The last "entry" counts. Its events are read before the
			// "object" that may follow it says whether they are wanted.
			d.p, entryOK = Payload{}, true
			switch d.dec.PeekKind() {
			case 'n':
			case '[':
				// Room for the events up front, within reason.
				d.p.Events = make([]store.Event, 0, min(d.size/minEventSize, 1024))
				return items(d.dec, d.entry)
			default:
				entryOK = false
			}
		}
		return d.dec.SkipValue()
	})
	if err == nil {
		err = d.atEnd()
	}
	switch {
	case err != nil:
		return Payload{}, err
	case !objectOK:
		return Payload{}, malformedf("object is not a string")
	case object != "page":
		return Payload{Object: object}, nil
	case !entryOK:
		return Payload{}, malformedf("entry is not an array")
	}
	d.p.Object = object
	if len(d.p.Events) == 0 {
		d.p.Events = nil // as without the room made above
	}
	return d.p, nil
}

// atEnd checks that nothing but white space follows the body's value.
func (d *bodyDecoder) atEnd() error {
	switch _, err := d.dec.ReadToken(); err {
	case io.EOF:
		return nil
	case nil:
		return errors.New("more than one JSON value")
	default:
		return err
	}
}

// entry reads entry[n], adding its events in body order.
func (d *bodyDecoder) entry(n int) error {
	if d.dec.PeekKind() != '{' {
		d.p.problem(malformedf("entry[%d] is not an object", n))
		return d.dec.SkipValue()
	}
	first := len(d.p.Events)
	// The page id and time may come after the events they route; the last
	// one wins. They are filled in at the end.
	var pageID, entryTime string
	err := members(d.dec, func(name jsontext.Token) error {
		switch name.String() {
		case "id":
			return d.scalar(&pageID)
		case "time":
			return d.scalar(&entryTime)
		case "messaging":
			return d.elements(n, "messaging")
		case "standby":
			return d.elements(n, "standby")
		case "changes":
			return d.changes(n)
		}
		return d.dec.SkipValue()
	})
	at := parseTimestamp(entryTime)
	for i := first; i < len(d.p.Events); i++ {
		e := &d.p.Events[i]
		e.PageID = pageID
		// Deliveries and reads are timed by their watermark instead.
		if e.Time.IsZero() && e.Kind != store.EventDelivery && e.Kind != store.EventRead {
			e.Time = at
		}
	}
	return err
}

// scalar reads a value as readText.
func (d *bodyDecoder) scalar(s *string) (err error) {
	*s, err = readText(d.dec)
	return err
}

// elements reads entry[n].name, an array of objects (null is an empty
// one), adding their events. What is not an object is skipped and named
// in Problems.
func (d *bodyDecoder) elements(n int, name string) error {
	if k := d.dec.PeekKind(); k != '[' && k != 'n' {
		d.p.problem(malformedf("entry[%d].%s is not an array", n, name))
		return d.dec.SkipValue()
	}
	return items(d.dec, func(j int) error {
		if d.dec.PeekKind() != '{' {
			d.p.problem(malformedf("entry[%d].%s[%d] is not an object", n, name, j))
			return d.dec.SkipValue()
		}
		raw, err := d.dec.ReadValue()
		if err == nil {
			d.addElement(raw)
		}
		return err
	})
}

// changes reads entry[n].changes, an array of objects whose "value" (exact
// key, the last one) must be an object, adding their events: a Page field's
// change (inbox_labels) by its "field", else the value as a messaging[]
// element (the dashboard Test shape). What is not is skipped and named in
// Problems.
func (d *bodyDecoder) changes(n int) error {
	if k := d.dec.PeekKind(); k != '[' && k != 'n' {
		d.p.problem(malformedf("entry[%d].changes is not an array", n))
		return d.dec.SkipValue()
	}
	return items(d.dec, func(j int) error {
		if d.dec.PeekKind() != '{' {
			d.p.problem(malformedf("entry[%d].changes[%d] is not an object", n, j))
			return d.dec.SkipValue()
		}
		var value jsontext.Value
		var field string
		err := members(d.dec, func(name jsontext.Token) error {
			switch name.String() {
			case "field":
				return d.scalar(&field)
			case "value":
				raw, err := d.dec.ReadValue()
				value = bytes.Clone(raw) // good only until the next read
				return err
			}
			return d.dec.SkipValue()
		})
		switch {
		case err != nil:
			return err
		case value.Kind() != '{':
			d.p.problem(malformedf("entry[%d].changes[%d]: value is not an object", n, j))
		case field == "inbox_labels":
			d.addLabelChange(value)
		case field == "message_template_status_update":
			d.addTemplateStatus(value)
		default:
			d.addElement(value)
		}
		return nil
	})
}

// members reads the object at the cursor, calling f with each name in
// body order (a name given twice, twice) and the cursor on its value,
// which f must read. The name is good until then.
func members(dec *jsontext.Decoder, f func(name jsontext.Token) error) error {
	if _, err := dec.ReadToken(); err != nil { // {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := f(name); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken() // }
	return err
}

// items reads the array (or null) at the cursor, calling f with the
// cursor on each item, which f must read.
func items(dec *jsontext.Decoder, f func(i int) error) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	if _, err := dec.ReadToken(); err != nil { // [
		return err
	}
	for i := 0; dec.PeekKind() != ']'; i++ {
		if err := f(i); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken() // ]
	return err
}
