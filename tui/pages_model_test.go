package tui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

const (
	testPage2 = "PAGE2"
	surfName  = "Lakeside Surf Company"
)

// twoPageBackend is the busy inbox split between two Pages: every
// conversation whose PSID ends in 0, 3, 6 or 9 is the surf shop's.
func twoPageBackend() *fakeBackend {
	be := busyBackend()
	be.mu.Lock()
	defer be.mu.Unlock()
	be.pageNames = map[string]string{testPage: "Harbour Outfitters", testPage2: surfName}
	for k, c := range be.convs {
		if (k.PSID[len(k.PSID)-1]-'0')%3 != 0 {
			continue
		}
		nk := store.ConvKey{PageID: testPage2, PSID: k.PSID}
		c.ConvKey = nk
		msgs := be.msgs[k]
		for i := range msgs {
			msgs[i].ConvKey = nk
		}
		delete(be.convs, k)
		delete(be.msgs, k)
		be.convs[nk], be.msgs[nk] = c, msgs
	}
	return be
}

// pageOf counts the loaded rows by Page.
func pageOf(convs []store.Conversation) map[string]int {
	n := map[string]int{}
	for _, c := range convs {
		n[c.PageID]++
	}
	return n
}

// P opens the switcher: every Page, then each by name, with unread
// counts; picking one narrows the list, its counts and the status bar,
// and P again widens it back.
func TestPageSwitcherNarrows(t *testing.T) {
	be := twoPageBackend()
	d := newDriver(t, be, 120, 36)
	all := pageOf(d.m.list.Conversations())
	if all[testPage] == 0 || all[testPage2] == 0 {
		t.Fatalf("the fixture does not mix Pages: %v", all)
	}
	d.runes("P")
	if got, want := shownTitles(d.picker()), []string{"All Pages", "Harbour Outfitters", surfName}; !slices.Equal(got, want) {
		t.Fatalf("switcher %v, want %v", got, want)
	}
	if !strings.Contains(d.m.View(), "unread") {
		t.Errorf("the switcher shows no unread counts:\n%s", d.m.View())
	}
	d.typeText("lake")
	be.mu.Lock()
	be.pageCounts, be.calls = nil, nil // what picking the Page asks
	be.mu.Unlock()
	d.key(tea.KeyEnter)
	got := pageOf(d.m.list.Conversations())
	if got[testPage] != 0 || got[testPage2] != all[testPage2] {
		t.Fatalf("after picking %s the rows are %v, want only its %d", surfName, got, all[testPage2])
	}
	if q := be.lists[len(be.lists)-1]; q.PageID != testPage2 {
		t.Errorf("the list asked %+v, want PageID %s", q, testPage2)
	}
	if n := d.m.list.Counts().All; n != all[testPage2] {
		t.Errorf("the All tab counts %d, want the Page's %d", n, all[testPage2])
	}
	be.mu.Lock()
	if !slices.Contains(be.pageCounts, testPage2) || slices.Contains(be.calls, "Counts") {
		t.Errorf("picking the Page asked the counts of %v and called %v: want its counts alone", be.pageCounts, be.calls)
	}
	be.mu.Unlock()
	if bar := d.statusBar(); !strings.Contains(bar, surfName) {
		t.Errorf("the status bar does not name the Page: %q", bar)
	}
	d.runes("P")
	d.key(tea.KeyEnter) // the first row: All Pages
	if got := pageOf(d.m.list.Conversations()); got[testPage] != all[testPage] {
		t.Errorf("back to All Pages the rows are %v, want %v", got, all)
	}
	if bar := d.statusBar(); !strings.Contains(bar, "All Pages") {
		t.Errorf("the status bar does not say All Pages: %q", bar)
	}
}

// Search and select-all (and so a campaign) stay within the chosen Page,
// and a message to another Page does not enter its list.
func TestPageNarrowsSearchSelectionAndFeed(t *testing.T) {
	be := twoPageBackend()
	d := newDriver(t, be, 120, 36)
	d.runes("P")
	d.typeText("lake")
	be.mu.Lock()
	be.pageCounts, be.calls = nil, nil // what picking the Page asks
	be.mu.Unlock()
	d.key(tea.KeyEnter)
	d.runes("V")
	for k := range d.marked() {
		if k.PageID != testPage2 {
			t.Fatalf("select all marked %v of another Page", k)
		}
	}
	if len(d.marked()) != pageOf(d.m.list.Conversations())[testPage2] {
		t.Errorf("select all marked %d, want the Page's %d", len(d.marked()), len(d.m.list.Conversations()))
	}
	d.key(tea.KeyEsc)
	d.runes("/")
	d.typeText("a")
	if q := be.lists[len(be.lists)-1]; q.Search != "a" || q.PageID != testPage2 {
		t.Errorf("the search asked %+v, want within %s", q, testPage2)
	}
	for _, c := range d.m.list.Conversations() {
		if c.PageID != testPage2 {
			t.Errorf("the search shows %v of another Page", c.ConvKey)
		}
	}
	d.key(tea.KeyEsc)
	other := convKey("1000000000000001")
	be.receive(other, "anyone there?", testNow)
	d.settle()
	if _, shown := d.m.list.Index(other); shown {
		t.Errorf("a message to %s entered the list of %s", testPage, testPage2)
	}
}

// With several Pages the all-Pages rows and the thread header name the
// conversation's Page; with one they do not.
func TestRowsNameThePageWhenSeveral(t *testing.T) {
	d := newDriver(t, twoPageBackend(), 120, 36)
	view := d.m.View()
	if !strings.Contains(view, "Lakeside Surf…") || !strings.Contains(view, "Harbour Outfi…") {
		t.Errorf("the rows do not name their Page (short):\n%s", view)
	}
	d.runes("P")
	d.typeText("lake")
	d.key(tea.KeyEnter)
	if strings.Contains(d.m.list.View(), "Lakeside Surf…") {
		t.Errorf("rows of one chosen Page still name it:\n%s", d.m.list.View())
	}
	if !strings.Contains(d.m.thread.View(), "· "+surfName) {
		t.Errorf("the thread header does not name the Page:\n%s", d.m.thread.View())
	}
	one := busyDriver(t, 120, 36)
	if v := one.m.View(); strings.Contains(v, "Harbour Outfi…") || strings.Contains(one.m.thread.View(), "· Harbour") {
		t.Errorf("with one Page the rows or header name it:\n%s", v)
	}
}

// A Page's name comes from outside (Meta, whoever connected it): rows,
// the switcher and the header draw it inert (an SGR sequence would pass
// the root's backstop, inert.Styled; a tab would break the row).
func TestPageNameIsInert(t *testing.T) {
	be := twoPageBackend()
	be.pageNames[testPage2] = "Surf\x1b[5mShop\tTwo"
	d := newDriver(t, be, 120, 36)
	check := func(where string) {
		t.Helper()
		v := d.m.View()
		if strings.Contains(v, "\x1b[5m") || strings.Contains(v, "\t") || !strings.Contains(v, "Shop Two") {
			t.Fatalf("%s: a Page's name is not drawn inert:\n%q", where, v)
		}
	}
	check("rows")
	d.runes("P")
	check("switcher")
	d.key(tea.KeyEsc)
	i := slices.IndexFunc(d.m.list.Conversations(), func(c store.Conversation) bool { return c.PageID == testPage2 })
	d.runes(strings.Repeat("j", i))
	if c, _ := d.m.list.Current(); c.PageID != testPage2 || !strings.Contains(d.m.thread.View(), "Shop Two") {
		t.Fatalf("the thread of %v is not open beside:\n%s", c.ConvKey, d.m.View())
	}
	check("thread header")
}

// The reply box of a conversation offers its own Page's saved replies,
// and {page} is that Page's name, not the status bar's.
func TestSavedRepliesAreTheConversationsPage(t *testing.T) {
	be := twoPageBackend()
	be.team().replies[testPage] = []store.SavedReply{{PageID: testPage, Shortcut: "harbour", Text: "Harbour only"}}
	be.team().replies[testPage2] = []store.SavedReply{{PageID: testPage2, Shortcut: "thx", Text: "Thanks from {page}"}}
	d := newDriver(t, be, 120, 36)
	i := slices.IndexFunc(d.m.list.Conversations(), func(c store.Conversation) bool { return c.PageID == testPage2 })
	d.runes(strings.Repeat("j", i))
	d.key(tea.KeyEnter)
	d.runes(";")
	v := d.m.View()
	if !strings.Contains(v, ";thx  Thanks from "+surfName) || strings.Contains(v, ";harbour") {
		t.Fatalf("the picker does not offer the surf shop's reply, filled:\n%s", v)
	}
}

// With a Page chosen, V and B draw up a campaign of that Page only, and
// the campaign history (C) lists that Page's campaigns.
func TestCampaignsOfTheChosenPage(t *testing.T) {
	be := twoPageBackend()
	be.addCampaign(store.Campaign{PageID: testPage, Title: "Harbour spring sale", Status: store.CampaignDone})
	d := newDriver(t, be, 120, 36)
	d.runes("P")
	d.typeText("lake")
	be.mu.Lock()
	be.pageCounts, be.calls = nil, nil // what picking the Page asks
	be.mu.Unlock()
	d.key(tea.KeyEnter)
	d.runes("V")
	d.runes("B")
	l := d.m.form.Ledger()
	if d.m.mode != modeBulk || l == nil || l.PageID != testPage2 {
		t.Fatalf("B with %s chosen: mode %v, ledger %+v", surfName, d.m.mode, l)
	}
	d.key(tea.KeyEsc)
	d.runes("C")
	if d.m.mode != modeCampaigns {
		t.Fatalf("C: mode %v", d.m.mode)
	}
	if n := len(d.m.history.Campaigns()); n != 0 || strings.Contains(d.m.View(), "Harbour spring sale") {
		t.Errorf("the history of %s shows another Page's campaign (%d):\n%s", surfName, n, d.m.View())
	}
	d.key(tea.KeyEsc)
	d.runes("P")
	d.key(tea.KeyEnter) // All Pages
	d.runes("C")
	if !strings.Contains(d.m.View(), "Harbour spring sale") {
		t.Errorf("the history of every Page lacks the campaign:\n%s", d.m.View())
	}
}

// In the all-Pages view a selection across Pages cannot become a
// campaign: B says so and names the way out, and asks the inbox nothing.
func TestBulkRefusesSelectionAcrossPages(t *testing.T) {
	be := twoPageBackend()
	d := newDriver(t, be, 120, 36)
	d.runes("V")
	if len(pagesOf(d.m.list.Marked())) != 2 {
		t.Fatalf("V in the all-Pages view marked %v", d.marked())
	}
	d.runes("B")
	if d.m.mode == modeBulk || len(be.camps.eligibility) != 0 {
		t.Fatalf("B on two Pages: mode %v, eligibility asked %d times", d.m.mode, len(be.camps.eligibility))
	}
	if bar := d.statusBar(); !strings.Contains(bar, "spans 2 Pages") {
		t.Errorf("the status bar does not say why: %q", bar)
	}
}

// With a Page chosen, L offers that Page's labels, even when no row is
// shown to take them from; in the all-Pages view, l offers the labels of
// the Page of the row under the cursor.
func TestLabelPickersUseThePage(t *testing.T) {
	be := twoPageBackend()
	be.team().labels[testPage] = []store.Label{{Name: "harbour-only"}}
	be.team().labels[testPage2] = []store.Label{{Name: "surf-only"}}
	d := newDriver(t, be, 120, 36)
	d.runes("l") // the newest row is the harbour's
	if got := shownTitles(d.picker()); !slices.Equal(got, []string{"harbour-only"}) {
		t.Fatalf("l on a harbour row offers %v", got)
	}
	d.key(tea.KeyEsc)
	d.runes("P")
	d.typeText("lake")
	be.mu.Lock()
	be.pageCounts, be.calls = nil, nil // what picking the Page asks
	be.mu.Unlock()
	d.key(tea.KeyEnter)
	d.runes("/")
	d.typeText("nobody by this name")
	d.key(tea.KeyEnter)
	if n := len(d.m.list.Conversations()); n != 0 {
		t.Fatalf("the search shows %d rows, want none", n)
	}
	d.runes("L")
	if got := shownTitles(d.picker()); !slices.Equal(got, []string{"surf-only"}) {
		t.Fatalf("L with %s chosen offers %v", surfName, got)
	}
}

// A Page connected while the TUI runs: its first conversation brings the
// Pages again, and from then on rows name their Page.
func TestNewPageInTheFeedIsNamed(t *testing.T) {
	be := busyBackend()
	d := newDriver(t, be, 120, 36)
	if d.m.common.Pages.Several() {
		t.Fatal("the busy inbox has several Pages")
	}
	be.mu.Lock()
	be.pageNames = map[string]string{testPage: "Harbour Outfitters", testPage2: surfName}
	be.mu.Unlock()
	be.receive(store.ConvKey{PageID: testPage2, PSID: "9000000000000001"}, "hello from the lake", testNow)
	d.settle()
	if !d.m.common.Pages.Several() || !strings.Contains(d.m.list.View(), "Lakeside Surf…") {
		t.Fatalf("the new Page is not known or not named:\n%s", d.m.list.View())
	}
}
