package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

func labelEv(psid, id, name, action string, t time.Time) store.Event {
	return store.Event{Kind: store.EventLabel, PageID: page, PSID: psid, LabelID: id, LabelName: name, LabelAction: action, Time: t}
}

func metaIDs(t *testing.T, s *store.Store) map[string]string {
	t.Helper()
	ls, err := s.Labels(ctx(), page)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range ls {
		out[l.Name] = l.MetaID
	}
	return out
}

// Meta's Page Inbox puts a label on and takes it off: the conversation
// follows, the label keeps Meta's id, and a change that names the label
// only by id is resolved through that id.
func TestIngestLabelEvents(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	mustIngest(t, s, labelEv("u1", "77", "wholesale", store.LabelAdd, at(time.Minute)))
	if c := conv(t, s, "u1"); c.Labels.Names()[0] != "wholesale" || len(c.Labels.Names()) != 1 {
		t.Fatalf("labels %v", c.Labels.Names())
	}
	if got := metaIDs(t, s)["wholesale"]; got != "77" {
		t.Fatalf("MetaID %q, want 77", got)
	}
	mustIngest(t, s, labelEv("u1", "77", "", store.LabelRemove, at(2*time.Minute)))
	if c := conv(t, s, "u1"); c.Labels != "" {
		t.Fatalf("remove by id alone left %v", c.Labels.Names())
	}
	// A label put on someone who never wrote: kept for when they do.
	mustIngest(t, s, labelEv("u9", "77", "", store.LabelAdd, at(3*time.Minute)))
	mustIngest(t, s, msg("u9", "m9", "hello", at(4*time.Minute)))
	if got := listKeys(t, s, store.ListQuery{Label: "wholesale"}); !slices.Equal(got, []string{"u9"}) {
		t.Fatalf("label filter %v", got)
	}
	mustIngest(t, s, labelEv("", "77", "", store.LabelDelete, at(5*time.Minute)))
	if got, ok := metaIDs(t, s)["wholesale"]; !ok || got != "" {
		t.Fatalf("after Meta deleted it: %q %v (kept here, unshared)", got, ok)
	}
}

// A label this store cannot name is kept raw and announced, so the PSID's
// labels are read again; the conversation is unchanged.
func TestIngestUnnamedLabelIsPending(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	sub := s.Subscribe(16)
	defer sub.Close()
	mustIngest(t, s, labelEv("u1", "88", "", store.LabelAdd, at(time.Minute)))
	ch := <-sub.C
	if ch.Kind != store.LabelPending || ch.PSID != "u1" || ch.PageID != page {
		t.Fatalf("change %+v, want label_pending for u1", ch)
	}
	if c := conv(t, s, "u1"); c.Labels != "" {
		t.Fatalf("labels %v", c.Labels.Names())
	}
	if ls, _ := s.Labels(ctx(), page); len(ls) != 0 {
		t.Fatalf("an unnamed label made labels %+v", ls)
	}
}

// Merging Meta's labels: Meta's win for shared labels, local ones stay.
func TestMergeMetaLabels(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	mustIngest(t, s, msg("u1", "m1", "hi", at(0)))
	if _, err := s.SetLabels(ctx(), key("u1"), []string{"local", "gone"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutLabel(ctx(), store.Label{PageID: page, Name: "gone", MetaID: "5"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.MergeMetaLabels(ctx(), key("u1"), []store.MetaLabel{{ID: "6", Name: "vip"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Labels.Names(); !slices.Equal(got, []string{"local", "vip"}) {
		t.Fatalf("merged %v, want [local vip]", got)
	}
	if got := metaIDs(t, s)["vip"]; got != "6" {
		t.Fatalf("vip MetaID %q", got)
	}
	if _, err := s.MergeMetaLabels(ctx(), key("nobody"), nil); err == nil {
		t.Fatal("merging into a conversation that does not exist succeeded")
	}
}
