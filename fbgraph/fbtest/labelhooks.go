package fbtest

import (
	"context"
	"fmt"
	"slices"
)

// Change is one element of a webhook's entry[].changes[] array:
// {"field": ..., "value": {...}}, as Meta sends Page fields such as
// inbox_labels (not under messaging[]).
type Change map[string]any

// Actions of the inbox_labels webhook. Meta does not document them
// (../shared/PLATFORM-2.md §1, UNCLEAR): a production handler accepts
// add/remove in one version and add_label/remove_label/create_label/
// delete_label in another. The emulator sends add and remove; Driver.InboxLabel
// sends any of them.
const (
	LabelAdd    = "add"
	LabelRemove = "remove"
)

// InboxLabelChange is the inbox_labels change of Meta's guide:
//
//	{"field":"inbox_labels","value":{"user":{"id":PSID},"action":ACTION,
//	  "label":{"id":LABEL-ID,"page_label_name":NAME}}}
//
// psid "" leaves out user (label-level events); name "" leaves out
// page_label_name (a third-party schema says Meta omits it on add and
// remove).
func InboxLabelChange(psid, labelID, name, action string) Change {
	label := map[string]any{"id": labelID}
	if name != "" {
		label["page_label_name"] = name
	}
	v := map[string]any{"action": action, "label": label}
	if psid != "" {
		v["user"] = map[string]any{"id": psid}
	}
	return Change{"field": "inbox_labels", "value": v}
}

// ChangesBody builds the bytes of one POST: one entry holding changes in
// changes[], entry.time in seconds (UNCLEAR for inbox_labels; the
// receiver reads seconds and milliseconds alike).
func (d *Driver) ChangesBody(changes ...Change) ([]byte, error) {
	elems := make([]any, len(changes))
	for i, c := range changes {
		elems[i] = map[string]any(c)
	}
	v := map[string]any{
		"object": "page",
		"entry":  []any{map[string]any{"id": d.pageID(), "time": d.now().Unix(), "changes": elems}},
	}
	if d.PlainJSON {
		return marshalPlain(v)
	}
	return MarshalMeta(v)
}

// PostChanges sends changes in one signed POST.
func (d *Driver) PostChanges(ctx context.Context, changes ...Change) error {
	body, err := d.ChangesBody(changes...)
	if err != nil {
		return err
	}
	return d.PostRaw(ctx, body)
}

// InboxLabel posts one inbox_labels change (see InboxLabelChange).
func (d *Driver) InboxLabel(ctx context.Context, psid, labelID, name, action string) error {
	return d.PostChanges(ctx, InboxLabelChange(psid, labelID, name, action))
}

// PageInboxLabel is a person in Meta's Page Inbox adding (or removing)
// the label name on psid: the label is created if the Page has none of
// that name, the PSID (added if unknown) gets it or loses it, and, if the
// Page subscribes to inbox_labels, d posts the signed change. It returns
// the label's id; the state changes even when the post fails.
func (s *Server) PageInboxLabel(ctx context.Context, d *Driver, psid, name string, add bool) (string, error) {
	if name == "" {
		return "", fmt.Errorf("fbtest: PageInboxLabel: empty label name")
	}
	s.mu.Lock()
	u := s.userLocked(psid)
	id := s.labelNamedLocked(u.page, name)
	s.setLabelLocked(psid, id, add)
	post := slices.Contains(s.subscribed, "inbox_labels")
	s.mu.Unlock()
	if !post {
		return id, nil
	}
	action := LabelAdd
	if !add {
		action = LabelRemove
	}
	return id, d.InboxLabel(ctx, psid, id, name, action)
}

// labelNamedLocked is the id of the Page's label name, created if new.
func (s *Server) labelNamedLocked(page, name string) string {
	s.labels.init()
	for _, l := range s.labels.byID {
		if l.name == name && l.page == page {
			return l.id
		}
	}
	s.labels.seq++
	l := &pageLabel{id: fmt.Sprint(7000000000000000 + s.labels.seq), name: name, page: page, seq: s.labels.seq}
	s.labels.byID[l.id] = l
	return l.id
}
