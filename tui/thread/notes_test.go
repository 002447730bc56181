package thread

import (
	"strings"
	"testing"
	"time"

	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
)

// With colours on, this agent's @name in a note is drawn in the Mention
// style, and a longer name that starts the same is not.
func TestMentionHighlighted(t *testing.T) {
	c := newCommon(time.UTC)
	c.Renderer.SetColorProfile(termenv.ANSI256)
	c.Agent.Name = "ben"
	p := newPages(3)
	p.notes = []store.Note{{ConvKey: carla, Author: "ana", Time: now.Add(-time.Minute), Text: "@ben please call; @benedikt knows"}}
	m := open(t, c, p, 70, 20)
	v := m.View()
	mark := c.Styles.Mention.Render("@ben")
	if mark == "@ben" {
		t.Fatal("the Mention style draws nothing in ANSI256: the test proves nothing")
	}
	if strings.Count(v, mark) != 1 {
		t.Fatalf("want @ben marked once (not @benedikt):\n%q", v)
	}
	if !strings.Contains(v, "mentions you") {
		t.Fatalf("the header does not say the note mentions this agent:\n%s", v)
	}
}

// A note older than the loaded history waits for that history.
func TestNoteOlderThanLoadedWaits(t *testing.T) {
	p := newPages(80) // two pages: the first load has the newest 50
	p.notes = []store.Note{{ConvKey: carla, Author: "ana", Time: now.Add(-79 * time.Minute), Text: "old note"}}
	m := open(t, newCommon(time.UTC), p, 60, 2000)
	if strings.Contains(m.View(), "old note") {
		t.Fatal("a note older than every loaded message is drawn above them")
	}
	run(m, m.scrollBy(1<<20, true))
	if !strings.Contains(m.View(), "old note") {
		t.Fatalf("loaded the older history, the note is still not shown:\n%s", m.View())
	}
}
