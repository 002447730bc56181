package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/list"
	"github.com/pageinbox/pageinbox/tui/picker"
)

// teamScoped narrows the fake's listing as the store does for a
// ListQuery's Assignee, Unassigned and Label.
func teamScoped(convs []store.Conversation, q store.ListQuery) []store.Conversation {
	if q.Assignee == "" && !q.Unassigned && q.Label == "" && q.PageID == "" {
		return convs
	}
	return slices.DeleteFunc(convs, func(c store.Conversation) bool {
		switch {
		case q.PageID != "" && c.PageID != q.PageID:
			return true
		case q.Label != "":
			return !c.Labels.Has(q.Label)
		case q.Unassigned:
			return c.Assignee != ""
		case q.Assignee == "":
			return false
		}
		return c.Assignee != q.Assignee
	})
}

var (
	bjornKey = convKey("1000000000000002")
	chenKey  = convKey("1000000000000004")
)

// agentDriver is the busy inbox as agent "ana" sees it.
func agentDriver(t *testing.T, be *fakeBackend) *driver {
	t.Helper()
	d := newDriver(t, be, 120, 36)
	d.m.common.Agent = store.Agent{ID: "a", Name: "ana"}
	return d
}

func (d *driver) picker() *picker.Model {
	d.t.Helper()
	p := d.m.list.Picker()
	if p == nil {
		d.t.Fatalf("no picker open:\n%s", d.m.View())
	}
	return p
}

func shownTitles(p *picker.Model) []string {
	var out []string
	for _, it := range p.Shown() {
		out = append(out, it.Title)
	}
	return out
}

func TestAssignToMeToggles(t *testing.T) {
	be := busyBackend()
	d := agentDriver(t, be)
	d.runes("a")
	if got := be.conv(richKey).Assignee; got != "ana" {
		t.Fatalf("after a: assignee %q, want ana", got)
	}
	if !strings.Contains(d.m.View(), "Amara Okafor @ana") {
		t.Errorf("the row does not show the assignee:\n%s", d.m.View())
	}
	d.runes("a")
	if got := be.conv(richKey).Assignee; got != "" {
		t.Fatalf("a on my own conversation: assignee %q, want none", got)
	}
	if strings.Contains(d.m.View(), "@ana") {
		t.Errorf("the row still shows the assignee:\n%s", d.m.View())
	}
}

func TestAssignPicker(t *testing.T) {
	be := busyBackend()
	if _, err := be.Assign(t.Context(), chenKey, "ben"); err != nil {
		t.Fatal(err)
	}
	be.team().agents = []string{"dora"} // a named agent nobody has seen yet
	d := agentDriver(t, be)
	d.send(changesMsg{{Kind: store.PresenceChanged, Presence: &store.Presence{Key: richKey,
		Agents: []store.AgentPresence{{Agent: store.Agent{ID: "c", Name: "cleo"}}}}}})
	d.runes("A")
	// Me, then the inbox's agents and those seen (an assignee, one
	// present), then nobody.
	if got, want := shownTitles(d.picker()), []string{"ana", "ben", "cleo", "dora", "nobody"}; !slices.Equal(got, want) {
		t.Fatalf("agents %v, want %v", got, want)
	}
	d.key(tea.KeyDown)
	d.key(tea.KeyEnter)
	if got := be.conv(richKey).Assignee; got != "ben" {
		t.Fatalf("picked ben: assignee %q", got)
	}
	// A name typed that nobody has seen yet.
	d.runes("A")
	d.typeText("dora")
	if got := shownTitles(d.picker()); len(got) != 1 || got[0] != "dora" {
		t.Fatalf("typed dora: shown %v", got)
	}
	d.key(tea.KeyEnter)
	if got := be.conv(richKey).Assignee; got != "dora" {
		t.Fatalf("typed dora: assignee %q", got)
	}
	// Nobody unassigns; esc closes without a change.
	d.runes("A")
	d.typeText("nob")
	d.key(tea.KeyEnter)
	if got := be.conv(richKey).Assignee; got != "" {
		t.Fatalf("nobody: assignee %q", got)
	}
	d.runes("A")
	d.key(tea.KeyEsc)
	if d.m.list.Picker() != nil || be.conv(richKey).Assignee != "" {
		t.Fatalf("esc: picker %v, assignee %q", d.m.list.Picker(), be.conv(richKey).Assignee)
	}
}

func TestSnoozeMenu(t *testing.T) {
	// testNow is Wednesday 4 March 2026, 15:30 UTC; the agent is in Berlin.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	b := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, berlin) }
	for i, want := range []time.Time{testNow.Add(time.Hour), testNow.Add(3 * time.Hour), b(5, 9), b(9, 9)} {
		be := busyBackend()
		d := agentDriver(t, be)
		d.m.common.TZ = berlin
		d.runes("z")
		for range i {
			d.key(tea.KeyDown)
		}
		d.key(tea.KeyEnter)
		c := be.conv(richKey)
		if c.Status != store.ConvSnoozed || !c.SnoozedUntil.Equal(want) {
			t.Errorf("choice %d: %s until %v, want snoozed until %v", i, c.Status, c.SnoozedUntil, want)
		}
	}
	be := busyBackend()
	d := agentDriver(t, be)
	d.m.common.TZ = berlin
	d.runes("z")
	d.typeText("soon")
	d.key(tea.KeyEnter) // not a time: nothing happens, the menu stays
	if c := be.conv(richKey); c.Status == store.ConvSnoozed || d.m.list.Picker() == nil {
		t.Fatalf("typed soon: %s, picker %v", c.Status, d.m.list.Picker())
	}
	for range 4 {
		d.key(tea.KeyBackspace)
	}
	d.typeText("fri 14:00")
	d.key(tea.KeyEnter)
	if c := be.conv(richKey); !c.SnoozedUntil.Equal(time.Date(2026, 3, 6, 14, 0, 0, 0, berlin)) {
		t.Fatalf("typed fri 14:00: until %v", c.SnoozedUntil)
	}
}

func TestLabelPicker(t *testing.T) {
	be := busyBackend()
	if _, err := be.SetLabels(t.Context(), richKey, []string{"vip"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := be.SetLabels(t.Context(), chenKey, []string{"returns"}, nil); err != nil {
		t.Fatal(err)
	}
	d := agentDriver(t, be)
	if !strings.Contains(d.m.View(), "Amara Okafor #vip") {
		t.Fatalf("no chip in the row:\n%s", d.m.View())
	}
	d.runes("l")
	p := d.picker()
	if got := shownTitles(p); !slices.Equal(got, []string{"returns", "vip"}) {
		t.Fatalf("labels %v", got)
	}
	if p.Shown()[0].Mark || !p.Shown()[1].Mark {
		t.Errorf("ticks: only vip is on the conversation: %+v", p.Shown())
	}
	d.typeText("vi")
	if got := shownTitles(d.picker()); !slices.Equal(got, []string{"vip", "vi"}) {
		t.Fatalf("typed vi: %v, want the match, then the new name", got)
	}
	d.key(tea.KeyEnter) // vip is on: it comes off
	if got := be.conv(richKey).Labels; got != "" {
		t.Fatalf("vip toggled: labels %q", got)
	}
	d.runes("l")
	d.typeText("wholesale")
	d.key(tea.KeyEnter) // a new name makes the label
	if got := be.conv(richKey).Labels; got != store.Labels("wholesale") {
		t.Fatalf("new label: labels %q", got)
	}
	if ls, _ := be.Labels(t.Context(), richKey.PageID); !slices.ContainsFunc(ls, func(l store.Label) bool { return l.Name == "wholesale" }) {
		t.Errorf("the Page has no label wholesale: %v", ls)
	}
	if !strings.Contains(d.m.View(), "#wholesale") {
		t.Errorf("the row lacks the new chip:\n%s", d.m.View())
	}
}

func TestBulkTriage(t *testing.T) {
	be := busyBackend()
	d := agentDriver(t, be)
	d.runes(" ")
	d.runes(" ")
	d.runes(" ") // Amara, Bjørn and the nameless one selected
	keys := d.m.list.Marked()
	if len(keys) != 3 {
		t.Fatalf("%d selected", len(keys))
	}
	d.runes("a")
	d.runes("l")
	d.typeText("wholesale")
	d.key(tea.KeyEnter)
	d.runes("z")
	d.key(tea.KeyEnter) // 1 hour
	for _, k := range keys {
		c := be.conv(k)
		if c.Assignee != "ana" || !c.Labels.Has("wholesale") || c.Status != store.ConvSnoozed {
			t.Errorf("%s: assignee %q labels %q status %s", k.PSID, c.Assignee, c.Labels, c.Status)
		}
	}
	if c := be.conv(chenKey); c.Assignee != "" || c.Labels != "" || c.Status != store.ConvOpen {
		t.Errorf("unselected Chen changed: %+v", c)
	}
	d.runes("d")
	for _, k := range keys {
		if st := be.conv(k).Status; st != store.ConvDone {
			t.Errorf("%s: %s after d, want done", k.PSID, st)
		}
	}
	d.runes("a") // all mine already: unassigned
	for _, k := range keys {
		if a := be.conv(k).Assignee; a != "" {
			t.Errorf("%s: still %q after a", k.PSID, a)
		}
	}
}

func TestRepeatMovesOn(t *testing.T) {
	be := busyBackend()
	d := agentDriver(t, be)
	d.runes(".") // nothing to repeat yet
	if be.conv(richKey).Labels != "" || d.m.list.Cursor() != 0 {
		t.Fatal(". with nothing to repeat did something")
	}
	d.runes("l")
	d.typeText("wholesale")
	d.key(tea.KeyEnter) // row 0
	d.runes("j")
	d.runes(".") // row 1, on to 2
	d.runes(".") // row 2, on to 3
	rows := d.m.list.Conversations()
	for i := range 3 {
		if !rows[i].Labels.Has("wholesale") {
			t.Errorf("row %d (%s) not labelled", i, rows[i].PSID)
		}
	}
	if rows[3].Labels != "" || d.m.list.Cursor() != 3 {
		t.Errorf("row 3 labels %q, cursor %d; want none and 3", rows[3].Labels, d.m.list.Cursor())
	}
	d.runes("a") // row 3
	d.runes(".") // row 3 again (still mine), on to 4
	d.runes(".") // row 4, on to 5
	if be.conv(rows[3].ConvKey).Assignee != "ana" || be.conv(rows[4].ConvKey).Assignee != "ana" || d.m.list.Cursor() != 5 {
		t.Errorf("a then .: %q %q, cursor %d", be.conv(rows[3].ConvKey).Assignee, be.conv(rows[4].ConvKey).Assignee, d.m.list.Cursor())
	}
}

func TestTeamScopes(t *testing.T) {
	be := busyBackend()
	for _, k := range []store.ConvKey{chenKey, bjornKey} {
		if _, err := be.Assign(t.Context(), k, "ana"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := be.Assign(t.Context(), richKey, "ben"); err != nil {
		t.Fatal(err)
	}
	d := agentDriver(t, be)
	d.runes("M")
	if got := psids(d.m.list.Conversations()); !slices.Equal(got, []string{bjornKey.PSID, chenKey.PSID}) {
		t.Fatalf("Mine: %v", got)
	}
	if s := d.m.list.Scope(); s.Kind != list.Mine {
		t.Fatalf("scope %+v", s)
	}
	// Ben takes one of mine: it leaves Mine live.
	if _, err := be.Assign(t.Context(), chenKey, "ben"); err != nil {
		t.Fatal(err)
	}
	d.settle()
	if got := psids(d.m.list.Conversations()); !slices.Equal(got, []string{bjornKey.PSID}) {
		t.Fatalf("Mine after Ben took Chen: %v", got)
	}
	d.runes("U")
	for _, c := range d.m.list.Conversations() {
		if c.Assignee != "" {
			t.Fatalf("Unassigned shows %s, assigned to %q", c.PSID, c.Assignee)
		}
	}
	if n := len(d.m.list.Conversations()); n != 27 {
		t.Errorf("Unassigned: %d rows, want 27", n)
	}
	d.key(tea.KeyEsc) // back to everyone's
	if n := len(d.m.list.Conversations()); n != 30 || d.m.list.Scope() != (list.Scope{}) {
		t.Errorf("after esc: %d rows, scope %+v", n, d.m.list.Scope())
	}
}

func TestLabelFilter(t *testing.T) {
	be := busyBackend()
	for _, k := range []store.ConvKey{chenKey, bjornKey} {
		if _, err := be.SetLabels(t.Context(), k, []string{"wholesale"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := be.SetLabels(t.Context(), richKey, []string{"vip"}, nil); err != nil {
		t.Fatal(err)
	}
	d := agentDriver(t, be)
	d.runes("L")
	d.typeText("whole")
	d.key(tea.KeyEnter)
	if got := psids(d.m.list.Conversations()); !slices.Equal(got, []string{bjornKey.PSID, chenKey.PSID}) {
		t.Fatalf("labelled wholesale: %v", got)
	}
	d.runes("L") // again: everyone's
	if n := len(d.m.list.Conversations()); n != 30 {
		t.Errorf("L again: %d rows", n)
	}
}

func psids(cs []store.Conversation) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.PSID)
	}
	return out
}
