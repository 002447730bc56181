package store

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
)

// Labels shared with Meta's Page Inbox (docs/meta-platform.md §12). A
// Page's label is shared once it has a MetaID. What Meta says of a label
// it has wins; a label only this inbox knows stays as the agents set it.
// Nothing here talks to Meta: what the store applies from Meta (the
// inbox_labels webhook, MergeMetaLabels) never reaches the inbox's hook
// that pushes agents' changes, so a change from Meta is not sent back.

// LabelPending reports a label change from Meta whose label this store
// cannot name (Meta gave only its id, and no stored label has that
// MetaID): whoever holds a Page token re-reads the PSID's labels
// (Change.PageID, Change.PSID) and merges them (MergeMetaLabels).
const LabelPending ChangeKind = "label_pending"

// ingestLabel applies an inbox_labels change. A label put on or taken
// off a PSID changes that conversation's labels (created, unlisted, if
// the PSID never wrote); a created label is stored with its MetaID; a
// deleted one keeps its name here and loses its MetaID. A change it
// cannot name is kept raw with the unknown events and announced as
// LabelPending.
func (w *wtx) ingestLabel(e *Event) error {
	name := e.LabelName
	if name == "" {
		name = w.labelNameByMetaID(e.PageID, e.LabelID)
	}
	if checkName("label", name) != nil {
		name = ""
	}
	switch {
	case e.LabelAction == LabelDelete:
		if name == "" {
			return nil // a label we never knew
		}
		return w.putMetaID(e.PageID, name, "")
	case name != "" && e.LabelAction == LabelCreate:
		return w.putMetaID(e.PageID, name, e.LabelID)
	case name != "" && e.PSID != "" && (e.LabelAction == LabelAdd || e.LabelAction == LabelRemove):
		if err := w.putMetaID(e.PageID, name, e.LabelID); err != nil {
			return err
		}
		return w.setConvLabel(ConvKey{PageID: e.PageID, PSID: e.PSID}, name, e.LabelAction == LabelAdd)
	}
	// Unnamed, or an action nobody documented: keep it, and let the
	// PSID's labels be read again from Meta.
	if e.PSID != "" {
		w.emit(Change{Kind: LabelPending, PageID: e.PageID, PSID: e.PSID})
	}
	if len(e.Raw) == 0 {
		raw, err := json.Marshal(map[string]any{"field": "inbox_labels", "psid": e.PSID,
			"label": e.LabelID, "action": e.LabelAction})
		if err != nil {
			return err
		}
		e.Raw = raw
	}
	return w.ingestUnknown(e)
}

// labelNameByMetaID is the name of the Page's label with that MetaID, ""
// if none.
func (w *wtx) labelNameByMetaID(pageID, metaID string) string {
	if metaID == "" {
		return ""
	}
	var name string
	eachNamed(w.bucket(bLabels), pageID, func(v []byte) error {
		var l Label
		if json.Unmarshal(v, &l) == nil && l.MetaID == metaID {
			name = l.Name
		}
		return nil
	})
	return name
}

// putMetaID stores the Page's label name with Meta's id for it, creating
// the label if new; an empty metaID unshares it.
func (w *wtx) putMetaID(pageID, name, metaID string) error {
	b := w.bucket(bLabels)
	l := Label{PageID: pageID, Name: name}
	found, err := getJSON(b, nameKey(pageID, name), &l)
	if err != nil || (found && l.MetaID == metaID) {
		return err
	}
	l.MetaID, l.Color = metaID, cmp.Or(l.Color, labelColor(name))
	w.emit(Change{Kind: LabelsChanged, PageID: pageID})
	return putJSON(b, nameKey(pageID, name), &l)
}

// setConvLabel puts the label on the conversation or takes it off.
func (w *wtx) setConvLabel(key ConvKey, name string, on bool) error {
	rec, old, err := w.conv(key, true)
	if err != nil {
		return err
	}
	names := slices.DeleteFunc(rec.Labels.Names(), func(n string) bool { return n == name })
	if on {
		names = append(names, name)
	}
	rec.Labels = Labels(names...)
	return w.saveConvIfChanged(rec, old)
}

// MetaLabel is one of Meta's labels on a PSID.
type MetaLabel struct{ ID, Name string }

// MergeMetaLabels makes the conversation's labels agree with Meta's for
// the PSID (as `sync` or a LabelPending re-read them): each of Meta's
// labels is stored with its MetaID and put on the conversation; a shared
// label Meta does not list is taken off; a label only this inbox knows
// stays. It creates no conversation.
func (s *Store) MergeMetaLabels(ctx context.Context, key ConvKey, meta []MetaLabel) (Conversation, error) {
	for _, l := range meta {
		if err := checkName("label", l.Name); err != nil {
			return Conversation{}, err
		}
	}
	return s.updateConvTx(ctx, key, func(w *wtx, r *convRecord) error {
		var names []string
		for _, n := range r.Labels.Names() {
			var l Label
			if _, err := getJSON(w.bucket(bLabels), nameKey(key.PageID, n), &l); err != nil {
				return err
			}
			if l.MetaID == "" {
				names = append(names, n) // local only
			}
		}
		for _, l := range meta {
			if err := w.putMetaID(key.PageID, l.Name, l.ID); err != nil {
				return err
			}
			names = append(names, l.Name)
		}
		r.Labels = Labels(names...)
		return nil
	})
}
