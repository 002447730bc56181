package webhook

import (
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/pageinbox/pageinbox/store"
)

// The message_template_status_update change: Meta's review changed a
// Utility template's status. Its Page-side payload is undocumented
// (../shared/PLATFORM-2.md §2, §8 UNCLEAR 2); this reads the WhatsApp
// analog's value leniently, under entry[].changes[] of object "page":
//
//	{"field":"message_template_status_update","value":{"event":"APPROVED",
//	  "message_template_id":ID,"message_template_name":NAME,
//	  "message_template_language":LANG,"reason":...}}
//
// "status" and "name"/"id"/"language" are read too, ids as strings or
// numbers. A change with no template or no status is kept with the
// unknown events (the store's next sync re-reads the templates).

type templateStatusChange struct {
	Event    flexString `json:"event"`
	Status   flexString `json:"status"`
	ID       flexString `json:"message_template_id"`
	AltID    flexString `json:"id"`
	Name     flexString `json:"message_template_name"`
	AltName  flexString `json:"name"`
	Language flexString `json:"message_template_language"`
	AltLang  flexString `json:"language"`
}

// addTemplateStatus turns the change's value into an EventTemplateStatus
// (without PageID and time), or an unknown event when it names no
// template or no status. It never fails.
func (d *bodyDecoder) addTemplateStatus(value jsontext.Value) {
	var c templateStatusChange
	_ = json.Unmarshal(value, &c, eventFields) // wrong types leave their fields empty
	ev := store.Event{
		Kind:           store.EventTemplateStatus,
		TemplateID:     string(cmpOr(c.ID, c.AltID)),
		TemplateName:   string(cmpOr(c.Name, c.AltName)),
		TemplateLang:   string(cmpOr(c.Language, c.AltLang)),
		TemplateStatus: string(cmpOr(c.Event, c.Status)),
	}
	if (ev.TemplateID == "" && ev.TemplateName == "") || ev.TemplateStatus == "" {
		ev = store.Event{Kind: store.EventUnknown, Raw: changeJSON("message_template_status_update", value)}
		d.p.Unknown = append(d.p.Unknown, "message_template_status_update")
	}
	d.p.Events = append(d.p.Events, ev)
}
