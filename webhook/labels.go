package webhook

import (
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/pageinbox/pageinbox/store"
)

// The inbox_labels change: a Page custom label put on or taken off a
// person in Meta's Page Inbox (../shared/PLATFORM-2.md §1). It comes under
// entry[].changes[], not messaging[]:
//
//	{"field":"inbox_labels","value":{"user":{"id":PSID},"action":ACTION,
//	  "label":{"id":LABEL-ID,"page_label_name":NAME}}}
//
// Meta does not document the actions (UNCLEAR): add/remove and
// add_label/remove_label/create_label/delete_label are both seen in the
// wild, so both are read; a name is given on some actions only, and user
// is absent on label-level ones. The change has no time of its own: it
// takes its entry's.

type labelChange struct {
	User struct {
		ID flexString `json:"id"`
	} `json:"user"`
	Action flexString `json:"action"`
	Label  struct {
		ID            flexString `json:"id"`
		PageLabelName flexString `json:"page_label_name"`
		Name          flexString `json:"name"`
	} `json:"label"`
}

// addLabelChange turns an inbox_labels change's value (a JSON object)
// into an event without its PageID and time. It never fails. The change's
// JSON is kept in Raw as well: the store keeps one it cannot apply (a
// label it cannot name, an action nobody documented) with the unknown
// events.
func (d *bodyDecoder) addLabelChange(value jsontext.Value) {
	var c labelChange
	_ = json.Unmarshal(value, &c, eventFields) // wrong types leave their fields empty
	ev := store.Event{
		Kind:        store.EventLabel,
		PSID:        string(c.User.ID),
		LabelID:     string(c.Label.ID),
		LabelName:   string(cmpOr(c.Label.PageLabelName, c.Label.Name)),
		LabelAction: labelAction(string(c.Action)),
		Raw:         changeJSON("inbox_labels", value),
	}
	d.p.Events = append(d.p.Events, ev)
}

// changeJSON is the change of field with value as one compact JSON
// object, as entry[].changes[] held it: what Raw keeps of a change.
func changeJSON(field string, value jsontext.Value) []byte {
	raw := make(jsontext.Value, 0, len(`{"field":"","value":}`)+len(field)+len(value))
	raw = append(raw, `{"field":"`+field+`","value":`...)
	raw = append(append(raw, value...), '}')
	_ = raw.Compact() // value is valid JSON: cannot fail
	return raw
}

// labelAction is Meta's action in store's words; one it does not know
// is kept as Meta wrote it (the store should then re-read the PSID's
// labels).
func labelAction(a string) string {
	switch strings.ToLower(strings.TrimSpace(a)) {
	case "add", "add_label":
		return store.LabelAdd
	case "remove", "remove_label":
		return store.LabelRemove
	case "create", "create_label":
		return store.LabelCreate
	case "delete", "delete_label":
		return store.LabelDelete
	}
	return a
}
