package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// FuzzParse: Parse never panics, fails only with ErrMalformed, and every
// event it returns is routed to one of the body's entry ids. Decode agrees
// with Parse where Parse succeeds, and names a problem where Parse fails
// on a body Decode accepts.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"*.json", filepath.Join("malformed", "*")} {
		files, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Parse(body)
		d, derr := Decode(body)
		switch {
		case derr != nil && !errors.Is(derr, ErrMalformed):
			t.Fatalf("Decode error does not wrap ErrMalformed: %v", derr)
		case err == nil && (derr != nil || !reflect.DeepEqual(d, p)):
			t.Fatalf("Parse gave %+v; Decode %+v, %v", p, d, derr)
		case err != nil && derr == nil && len(d.Problems) == 0:
			t.Fatalf("Parse failed (%v) but Decode found no problem: %+v", err, d)
		}
		for _, pr := range d.Problems {
			if !errors.Is(pr, ErrMalformed) {
				t.Fatalf("problem does not wrap ErrMalformed: %v", pr)
			}
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			if !reflect.DeepEqual(p, Payload{}) {
				t.Fatalf("payload with an error: %+v", p)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("invalid JSON accepted: %q", body)
		}
		if p.Object != "page" {
			if p.Events != nil || p.Unknown != nil {
				t.Fatalf("object %q gave events: %+v", p.Object, p)
			}
			return
		}
		ids := fuzzEntryIDs(t, body)
		unknowns := 0
		for i, e := range p.Events {
			if !ids[e.PageID] {
				t.Fatalf("event %d has page id %q, not an entry id (%v)", i, e.PageID, ids)
			}
			switch e.Kind {
			case store.EventMessage, store.EventEcho, store.EventDelivery, store.EventRead,
				store.EventReaction, store.EventPostback, store.EventEdit, store.EventReferral:
				if e.Raw != nil {
					t.Fatalf("event %d (%s) keeps Raw", i, e.Kind)
				}
			case store.EventUnknown:
				unknowns++
				if !json.Valid(e.Raw) || !bytes.HasPrefix(e.Raw, []byte("{")) {
					t.Fatalf("event %d: Raw is not a JSON object: %q", i, e.Raw)
				}
			default:
				t.Fatalf("event %d: kind %q", i, e.Kind)
			}
			for _, tm := range []time.Time{e.Time, e.Watermark} {
				if tm.Location() != time.UTC {
					t.Fatalf("event %d: time %v not in UTC", i, tm)
				}
			}
		}
		if len(p.Unknown) < unknowns {
			t.Fatalf("%d unknown events but Unknown = %q", unknowns, p.Unknown)
		}
		again, err := Parse(body)
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("second Parse differs: %+v, %v", again, err)
		}
	})
}

// fuzzSeeds are small bodies: they mutate into interesting shapes faster
// than the fixtures.
var fuzzSeeds = []string{
	`{"object":"page","entry":[{"id":1,"messaging":[{"sender":{"id":2},"message":{"is_echo":true,"attachments":[{"type":"image","payload":{"sticker_id":3}}]}}]}]}`,
	`{"object":"page","entry":[{"id":"1","standby":[{"recipient":{"user_ref":"u"},"timestamp":"1527459824","delivery":{"mids":["m"],"watermark":1}}]}]}`,
	`{"object":"page","entry":[{"changes":[{"field":"messages","value":{"sender":{"id":"2"},"reaction":{"action":"unreact"}}}],"id":"1"}]}`,
}

// fuzzEntryIDs reads entry[].id without the parser under test: a string,
// or a number's literal text, or "" for anything else.
func fuzzEntryIDs(t *testing.T, body []byte) map[string]bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		t.Fatalf("accepted body does not decode: %v", err)
	}
	ids := map[string]bool{}
	entries, _ := top["entry"].([]any)
	for _, e := range entries {
		entry, _ := e.(map[string]any)
		switch id := entry["id"].(type) {
		case string:
			ids[id] = true
		case json.Number:
			ids[string(id)] = true
		default:
			ids[""] = true
		}
	}
	return ids
}
