package webhook_test

import (
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/webhook"
)

// eventsByPSID parses a body and lists its events' PSIDs and mids.
func eventsByPSID(t *testing.T, body []byte) []string {
	t.Helper()
	p, err := webhook.Parse(body)
	if err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	var out []string
	for _, e := range p.Events {
		out = append(out, e.PageID+"/"+e.PSID+"/"+e.MID)
	}
	return out
}

func TestScrubBody(t *testing.T) {
	const forgotten = "1111111111111111"
	msg := func(from, mid, text string) string {
		return `{"sender":{"id":"` + from + `"},"recipient":{"id":"P1"},"timestamp":1764331200000,"message":{"mid":"` + mid + `","text":"` + text + `"}}`
	}
	tests := []struct {
		name string
		body string
		page string
		keep bool
		want []string // events left, as page/psid/mid
	}{
		{
			name: "their events go, the neighbours' stay, in order",
			body: `{"object":"page","entry":[{"id":"P1","time":1764331200000,"messaging":[` +
				msg("2222", "m1", "a <b> & c") + `,` + msg(forgotten, "m2", "delete me") + `,` + msg("3333", "m3", "c") + `]}]}`,
			keep: true, want: []string{"P1/2222/m1", "P1/3333/m3"},
		},
		{
			name: "an echo names them as recipient; a numeric id is theirs too",
			body: `{"object":"page","entry":[{"id":"P1","time":1,"messaging":[` +
				`{"sender":{"id":"P1"},"recipient":{"id":"` + forgotten + `"},"timestamp":1764331200000,"message":{"is_echo":true,"mid":"e1","text":"hi"}},` +
				`{"sender":{"id":` + forgotten + `},"recipient":{"id":"P1"},"timestamp":1764331200000,"read":{"watermark":1764331200000}},` +
				msg("2222", "m1", "x") + `]}]}`,
			keep: true, want: []string{"P1/2222/m1"},
		},
		{
			name: "standby, changes and a repeated messaging key are all read",
			body: `{"object":"page","entry":[{"id":"P1","time":1,` +
				`"messaging":[` + msg(forgotten, "m1", "x") + `,` + msg("2222", "m2", "x") + `],` +
				`"standby":[` + msg(forgotten, "m3", "x") + `],` +
				`"messaging":[` + msg("3333", "m4", "x") + `,` + msg(forgotten, "m5", "x") + `],` +
				`"changes":[{"field":"messages","value":` + msg(forgotten, "m6", "x") + `}]}]}`,
			keep: true, want: []string{"P1/2222/m2", "P1/3333/m4"},
		},
		{
			name: "entries left empty go; a body left empty goes",
			body: `{"object":"page","entry":[{"id":"P1","time":1,"messaging":[` + msg(forgotten, "m1", "x") + `]}]}`,
			keep: false,
		},
		{
			name: "with a Page, another Page's entries are left alone",
			body: `{"object":"page","entry":[{"id":"P1","time":1,"messaging":[` + msg(forgotten, "m1", "x") + `,` + msg("2222", "m2", "x") + `]},` +
				`{"id":"P2","time":1,"messaging":[` + msg(forgotten, "m3", "x") + `]}]}`,
			page: "P1", keep: false, // P2's entry still names them: the body cannot be kept
		},
		{
			name: "a body that names them but is not Meta's JSON goes whole",
			body: `{"object":"page","entry":{"sender":"` + forgotten + `"}}`,
			keep: false,
		},
		{
			name: "a longer number that merely contains the PSID is someone else",
			body: `{"object":"page","entry":[{"id":"P1","time":1,"messaging":[` + msg("9"+forgotten, "m1", "x") + `]}]}`,
			keep: true, want: []string{"P1/9" + forgotten + "/m1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := webhook.NewScrub(tt.page, forgotten)
			if mentions := !strings.Contains(tt.name, "someone else"); s.Mentions([]byte(tt.body)) != mentions {
				t.Errorf("Mentions = %v, want %v", !mentions, mentions)
			}
			out, keep := s.ScrubBody([]byte(tt.body))
			if keep != tt.keep {
				t.Fatalf("keep = %v, want %v (out %s)", keep, tt.keep, out)
			}
			if !keep {
				return
			}
			if got := strings.Join(eventsByPSID(t, out), " "); got != strings.Join(tt.want, " ") {
				t.Errorf("events left: %s\nwant %s\nbody %s", got, strings.Join(tt.want, " "), out)
			}
			if s.Mentions(out) {
				t.Errorf("rewritten body still names them: %s", out)
			}
		})
	}
	// A body that does not name them comes back as it was, byte for byte.
	body := []byte(`{"object":"page", "entry":[{"id":"P1","messaging":[` + msg("2222", "m1", "<x>") + `]}]}`)
	if out, keep := webhook.NewScrub("", forgotten).ScrubBody(body); !keep || string(out) != string(body) {
		t.Errorf("untouched body changed: %s", out)
	}
	// Text is kept as Meta wrote it: no HTML escaping on the way through.
	out, _ := webhook.NewScrub("", forgotten).ScrubBody([]byte(tests[0].body))
	if !strings.Contains(string(out), `"a <b> & c"`) {
		t.Errorf("neighbour's text changed: %s", out)
	}
}
