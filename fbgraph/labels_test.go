package fbgraph_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

func labelNames(ls []fbgraph.Label) []string {
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	slices.Sort(names)
	return names
}

// labelRequests counts the emulator's requests on the labels API.
func labelRequests(srv *fbtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "label") {
			n++
		}
	}
	return n
}

// Create, assign, read back, remove, delete: each call changes what the
// emulator (Meta) holds, and reading back shows it.
func TestLabelsRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	page := f.srv.PageID()
	vip, err := f.c.CreateLabel(ctx, page, "wholesale")
	if err != nil {
		t.Fatal(err)
	}
	late, err := f.c.CreateLabel(ctx, page, "late parcel")
	if err != nil || late == vip || late == "" {
		t.Fatalf("second label: %q, %v (first %q)", late, err, vip)
	}
	if got := f.srv.PageLabels(); got[vip] != "wholesale" || got[late] != "late parcel" {
		t.Fatalf("emulator holds %v", got)
	}
	all, err := f.c.PageLabels(ctx, page)
	if err != nil || !slices.Equal(labelNames(all), []string{"late parcel", "wholesale"}) {
		t.Fatalf("PageLabels = %+v, %v", all, err)
	}
	for _, id := range []string{vip, late} {
		if err := f.c.AddLabel(ctx, id, "u1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.srv.LabelNames("u1"); !slices.Equal(got, []string{"late parcel", "wholesale"}) {
		t.Fatalf("emulator: u1 has %v", got)
	}
	if err := f.c.RemoveLabel(ctx, late, "u1"); err != nil {
		t.Fatal(err)
	}
	mine, err := f.c.LabelsOf(ctx, "u1")
	if err != nil || len(mine) != 1 || mine[0].ID != vip || mine[0].Name != "wholesale" {
		t.Fatalf("LabelsOf(u1) = %+v, %v", mine, err)
	}
	if l, err := f.c.LabelByID(ctx, late); err != nil || l.Name != "late parcel" {
		t.Fatalf("LabelByID = %+v, %v", l, err)
	}
	if err := f.c.DeleteLabel(ctx, vip); err != nil {
		t.Fatal(err)
	}
	if mine, err := f.c.LabelsOf(ctx, "u1"); err != nil || len(mine) != 0 {
		t.Fatalf("after deleting the label, u1 has %+v, %v", mine, err)
	}
	if id, err := f.c.EnsureLabel(ctx, page, "late parcel"); err != nil || id != late {
		t.Fatalf("EnsureLabel of an existing name = %q, %v; want %q", id, err, late)
	}
}

// More labels than one page of Meta's answer: the client follows paging.
func TestPageLabelsFollowsPaging(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var want []string
	for i := range 130 {
		name := "label " + string(rune('A'+i/26)) + string(rune('a'+i%26))
		want = append(want, name)
		if _, err := f.c.CreateLabel(ctx, f.srv.PageID(), name); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(want)
	all, err := f.c.PageLabels(ctx, f.srv.PageID())
	if err != nil || !slices.Equal(labelNames(all), want) {
		t.Fatalf("PageLabels gave %d labels (%v); want 130", len(all), err)
	}
}

// 2/2018344 comes with Meta's is_transient true and HTTP 500, yet it is
// its own class, explained with the link, and asked exactly once.
func TestContactTermsNotRetried(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.c.CreateLabel(ctx, f.srv.PageID(), "made before")
	if err != nil {
		t.Fatal(err)
	}
	f.srv.SetContactTermsPending(true)
	before := labelRequests(f.srv)
	_, err = f.c.CreateLabel(ctx, f.srv.PageID(), "wholesale")
	if n := labelRequests(f.srv) - before; n != 1 {
		t.Fatalf("%d requests for one create; 2018344 must not be retried", n)
	}
	var ge *fbgraph.Error
	if !errors.As(err, &ge) || ge.Class != fbgraph.ClassContactTerms || !errors.Is(err, fbgraph.ErrContactTerms) {
		t.Fatalf("err = %v; want class contact_terms", err)
	}
	link := fbgraph.ContactTermsURL(f.srv.PageID())
	if ge.Link != link || !strings.Contains(ge.Reason(), link) || !fbgraph.LabelsUnavailable(err) {
		t.Fatalf("link %q, reason %q; want %s in both", ge.Link, ge.Reason(), link)
	}
	before = labelRequests(f.srv)
	err = f.c.AddLabel(ctx, id, "u1")
	if n := labelRequests(f.srv) - before; n != 1 || fbgraph.ClassOf(err) != fbgraph.ClassContactTerms {
		t.Fatalf("AddLabel: %d requests, %v", n, err)
	}
	if ge := new(fbgraph.Error); errors.As(err, &ge) && ge.Link != link {
		t.Fatalf("AddLabel knows no Page id; the link %q must come from Meta's message", ge.Link)
	}
	before = labelRequests(f.srv)
	_, err = f.c.LabelsOf(ctx, "u1")
	if n := labelRequests(f.srv) - before; n != 1 || fbgraph.ClassOf(err) != fbgraph.ClassContactTerms {
		t.Fatalf("LabelsOf: %d requests, %v", n, err)
	}
	f.srv.SetContactTermsPending(false)
	if _, err := f.c.CreateLabel(ctx, f.srv.PageID(), "wholesale"); err != nil {
		t.Fatalf("after the terms were accepted: %v", err)
	}
}

// Without pages_manage_metadata (code 10 or 200) labels are a permission
// error: not retried, and LabelsUnavailable says to keep them local.
func TestLabelsPermissionError(t *testing.T) {
	for _, code := range []int{10, 200} {
		f := newFixture(t)
		f.srv.SetLabelsDenied(code)
		before := labelRequests(f.srv)
		_, err := f.c.PageLabels(context.Background(), f.srv.PageID())
		if fbgraph.ClassOf(err) != fbgraph.ClassPermission || !fbgraph.LabelsUnavailable(err) {
			t.Fatalf("code %d: err = %v; want class permission", code, err)
		}
		if n := labelRequests(f.srv) - before; n != 1 {
			t.Fatalf("code %d: %d requests; a permission error is not retried", code, n)
		}
	}
}

func TestLabelsRefuseBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before := len(f.srv.Requests())
	if _, err := f.c.CreateLabel(ctx, f.srv.PageID(), "  "); err == nil {
		t.Error("empty name accepted")
	}
	if err := f.c.AddLabel(ctx, "1/../me", "u1"); err == nil {
		t.Error("label id with a slash accepted")
	}
	if _, err := f.c.LabelsOf(ctx, "u1?x=1"); err == nil {
		t.Error("PSID with a query accepted")
	}
	if n := len(f.srv.Requests()) - before; n != 0 {
		t.Errorf("%d requests reached Meta for refused input", n)
	}
}

// Meta's samples disagree: the id a bare number or a string, the name
// page_label_name or name. Both shapes decode, and a long id keeps its
// digits.
func TestLabelDecodesBothShapes(t *testing.T) {
	for _, tc := range []struct{ in, id, name string }{
		{`{"id":1712444532121303,"page_label_name":"wholesale"}`, "1712444532121303", "wholesale"},
		{`{"id":"1712444532121303","name":"wholesale"}`, "1712444532121303", "wholesale"},
		{`{"id":"17","page_label_name":"new","name":"old"}`, "17", "new"},
	} {
		var l fbgraph.Label
		if err := json.Unmarshal([]byte(tc.in), &l); err != nil || l.ID != tc.id || l.Name != tc.name {
			t.Errorf("%s -> %+v, %v; want id %s name %s", tc.in, l, err, tc.id, tc.name)
		}
	}
	var l fbgraph.Label
	if err := json.Unmarshal([]byte(`{"id":{"x":1}}`), &l); err == nil {
		t.Error("an object as id was accepted")
	}
}
