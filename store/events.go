package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// EventKind says which Messenger webhook event an Event carries.
type EventKind string

const (
	EventMessage  EventKind = "message"  // customer -> Page
	EventEcho     EventKind = "echo"     // Page -> customer, from any sender
	EventDelivery EventKind = "delivery" // watermark (and optional mids)
	EventRead     EventKind = "read"     // watermark
	EventReaction EventKind = "reaction" // react / unreact on a mid
	EventPostback EventKind = "postback" // a button tap; a message with a payload
	EventEdit     EventKind = "edit"     // new text for an existing mid
	EventReferral EventKind = "referral" // m.me link / ad on an existing thread
	EventUnknown  EventKind = "unknown"  // kept raw so nothing Meta sent is lost
	// EventLabel: a Page custom label put on or taken off a PSID (or
	// created or deleted) in Meta's Page Inbox, from the inbox_labels
	// webhook (see ingestLabel). PSID is empty for a label created or
	// deleted at the Page.
	EventLabel EventKind = "label"
	// EventTemplateStatus: Meta changed a Utility template's status
	// (message_template_status_update); no PSID. See ingestTemplateStatus.
	EventTemplateStatus EventKind = "template_status"
)

// Label actions of an EventLabel (Event.LabelAction). Meta does not
// document its words; anything else arrives as Meta wrote it.
const (
	LabelAdd    = "add"    // the label was put on PSID
	LabelRemove = "remove" // the label was taken off PSID
	LabelCreate = "create" // the Page got a new label (no PSID)
	LabelDelete = "delete" // the Page deleted a label (no PSID)
)

// Event is one webhook event, already parsed. The webhook package builds
// them; the store never sees Meta's JSON except as Raw.
type Event struct {
	Kind   EventKind
	PageID string
	// PSID is always the customer, whatever the direction (for an echo it is
	// Meta's recipient).
	PSID string
	Time time.Time

	MID         string
	Text        string
	Attachments []Attachment
	QuickReply  string
	ReplyTo     string
	AppID       string // echoes
	Metadata    string // echoes: what we passed as message.metadata

	Title   string // postback
	Payload string // postback
	Ref     string // referral ref (postback or referral)

	Watermark time.Time // delivery, read
	MIDs      []string  // delivery

	Reaction string // reaction label: like, love, ... or other
	Emoji    string
	Unreact  bool

	// Label changes (inbox_labels): which Page label, its name when Meta
	// gives it, and what happened (LabelAdd, ...).
	LabelID     string `json:",omitempty"`
	LabelName   string `json:",omitempty"`
	LabelAction string `json:",omitempty"`
	// An EventTemplateStatus's template (by Meta's id, or name and
	// language) and its new status.
	TemplateID     string `json:",omitempty"`
	TemplateName   string `json:",omitempty"`
	TemplateLang   string `json:",omitempty"`
	TemplateStatus string `json:",omitempty"`

	Raw json.RawMessage // the event's JSON; kept for EventUnknown

	// inbound is the stored form of an inbound message, encoded by the
	// caller so that the single writer does not have to.
	inbound *encodedMessage
}

type encodedMessage struct {
	msg Message
	rec []byte // appendMessage: without the id, which depends on the key
}

// Plausible event times: Messenger did not exist before 2011, and Meta's
// clock is not a day ahead of ours.
var minEventTime = time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)

const maxClockSkew = 24 * time.Hour

// Validate checks what can be checked without the database, and fills in
// defaults (a delivery's time is its watermark). Ingest refuses events
// that fail it; the webhook uses it to set them aside instead.
func (e *Event) Validate(now time.Time) error {
	if e.PageID == "" {
		return invalidf("%s event: empty page id", e.Kind)
	}
	if e.PSID == "" && e.Kind != EventUnknown && e.Kind != EventTemplateStatus && !pageLabelEvent(e) {
		return invalidf("%s event: empty PSID", e.Kind)
	}
	// Postbacks had no mid before Graph v11.0: name them by who and when.
	if e.Kind == EventPostback && e.MID == "" {
		e.MID = fmt.Sprintf("postback:%s:%d", e.PSID, e.Time.UnixMilli())
	}
	switch e.Kind {
	case EventMessage, EventEcho, EventPostback, EventEdit, EventReaction:
		if e.MID == "" {
			return invalidf("%s event from %s: missing mid", e.Kind, e.PSID)
		}
	case EventDelivery, EventRead:
		if e.Watermark.IsZero() {
			return invalidf("%s event from %s: missing watermark", e.Kind, e.PSID)
		}
		if err := checkTime("watermark", e.Watermark, now); err != nil {
			return fmt.Errorf("%s event from %s: %w", e.Kind, e.PSID, err)
		}
	case EventLabel:
		if e.LabelID == "" && e.LabelName == "" {
			return invalidf("label event from %s: no label", e.PSID)
		}
	case EventTemplateStatus:
		if (e.TemplateID == "" && e.TemplateName == "") || e.TemplateStatus == "" {
			return invalidf("template status event without a template or a status")
		}
	case EventReferral, EventUnknown:
	default:
		return invalidf("event of unknown kind %q", e.Kind)
	}
	// Deliveries carry no timestamp of their own; the watermark stands in.
	if e.Time.IsZero() && (e.Kind == EventDelivery || e.Kind == EventRead) {
		e.Time = e.Watermark
	}
	if e.Time.IsZero() && (e.Kind == EventUnknown || e.Kind == EventLabel || e.Kind == EventTemplateStatus) {
		e.Time = now
	}
	if err := checkTime("timestamp", e.Time, now); err != nil {
		return fmt.Errorf("%s event from %s: %w", e.Kind, e.PSID, err)
	}
	return nil
}

func checkTime(what string, t, now time.Time) error {
	if t.Before(minEventTime) || t.After(now.Add(maxClockSkew)) {
		return fmt.Errorf("%w: %s %s is not a plausible time", ErrInvalid, what, t.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// pageLabelEvent: a label created or deleted at the Page, of no one PSID.
func pageLabelEvent(e *Event) bool {
	return e.Kind == EventLabel && (e.LabelAction == LabelCreate || e.LabelAction == LabelDelete)
}
