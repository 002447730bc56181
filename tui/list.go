package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
)

// listPage is how many conversations one load brings. The list holds
// what was loaded and renders only the rows on screen, so 100k
// conversations cost what one screen costs.
const listPage = 200

// listPane is the conversation list.
type listPane struct {
	convs   []store.Conversation
	index   map[store.ConvKey]int // position of each loaded conversation
	next    store.Cursor          // where the next load starts; "" when all is loaded
	loading bool
	loaded  bool // the first page arrived
	seq     int  // the load in flight; older answers are dropped

	filter   store.Filter
	query    string
	search   textinput.Model
	typing   bool // the search box has the keyboard
	counts   store.Counts
	cursor   int
	offset   int
	selected store.ConvKey          // survives re-sorting
	marked   map[store.ConvKey]bool // chosen for a campaign; survives re-sorting too
	width    int
	height   int
}

func newListPane(st Styles) listPane {
	ti := textinput.New()
	ti.PromptStyle, ti.TextStyle, ti.PlaceholderStyle = st.App, st.App, st.Dim
	ti.Cursor.Style = st.App
	ti.Prompt = "/ "
	ti.Placeholder = "name or text"
	ti.CharLimit = 100
	return listPane{filter: store.FilterAll, search: ti, index: map[store.ConvKey]int{}, marked: map[store.ConvKey]bool{}}
}

// rowHeight: a name line and a preview line.
const rowHeight = 2

// chrome is the lines above the rows: tabs and the search line.
func (l *listPane) chrome() int { return 2 }

func (l *listPane) visibleRows() int { return max(1, (l.height-l.chrome())/rowHeight) }

func (l *listPane) setSize(w, h int) {
	l.width, l.height = w, h
	l.search.Width = max(1, w-4)
	l.clamp()
}

// reset replaces the list with a first page.
func (l *listPane) reset(page store.ConversationPage) {
	l.convs = page.Conversations
	l.next = page.Next
	l.loaded = true
	l.reindex()
	l.follow()
}

func (l *listPane) appendPage(page store.ConversationPage) {
	for _, c := range page.Conversations {
		if _, dup := l.index[c.ConvKey]; !dup {
			l.convs = append(l.convs, c)
		}
	}
	l.next = page.Next
	l.reindex()
}

func (l *listPane) reindex() {
	clear(l.index)
	for i, c := range l.convs {
		l.index[c.ConvKey] = i
	}
}

// follow puts the cursor back on the selected conversation after the
// rows moved.
func (l *listPane) follow() {
	if i, ok := l.index[l.selected]; ok {
		l.cursor = i
	}
	l.clamp()
	l.select_()
}

func (l *listPane) select_() {
	if c, ok := l.current(); ok {
		l.selected = c.ConvKey
	}
}

func (l *listPane) current() (store.Conversation, bool) {
	if l.cursor < 0 || l.cursor >= len(l.convs) {
		return store.Conversation{}, false
	}
	return l.convs[l.cursor], true
}

func (l *listPane) clamp() {
	l.cursor = min(max(l.cursor, 0), max(len(l.convs)-1, 0))
	rows := l.visibleRows()
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+rows {
		l.offset = l.cursor - rows + 1
	}
	l.offset = max(0, min(l.offset, max(0, len(l.convs)-rows)))
}

func (l *listPane) move(delta int) {
	l.cursor += delta
	l.clamp()
	l.select_()
}

// wantsMore reports whether the cursor is near the end of what is loaded.
func (l *listPane) wantsMore() bool {
	return l.next != "" && !l.loading && l.cursor >= len(l.convs)-l.visibleRows()*2
}

// upsertAll applies a burst of changed conversations: each moves to its
// place by activity, enters the list if it now matches the filter, or
// leaves it. One sort and one reindex, whatever their number: a campaign
// moves thousands at a time.
func (l *listPane) upsertAll(convs []store.Conversation, matches []bool) {
	drop, added, seen := map[store.ConvKey]bool{}, map[store.ConvKey]bool{}, map[store.ConvKey]bool{}
	// Newest snapshot first: an older one of the same burst is skipped.
	for i := len(convs) - 1; i >= 0; i-- {
		c := convs[i]
		if seen[c.ConvKey] {
			continue
		}
		seen[c.ConvKey] = true
		if j, had := l.index[c.ConvKey]; had {
			if matches[i] {
				l.convs[j] = c
			} else {
				drop[c.ConvKey] = true
			}
			continue
		}
		if matches[i] {
			l.convs = append(l.convs, c)
			added[c.ConvKey] = true
		}
	}
	if len(drop) > 0 {
		kept := l.convs[:0]
		for _, c := range l.convs {
			if !drop[c.ConvKey] {
				kept = append(kept, c)
			}
		}
		l.convs = kept
	}
	sort.SliceStable(l.convs, func(a, b int) bool { return l.convs[a].LastActivity.After(l.convs[b].LastActivity) })
	// New rows older than everything loaded arrive with their page.
	for l.next != "" && len(l.convs) > 0 && added[l.convs[len(l.convs)-1].ConvKey] {
		l.convs = l.convs[:len(l.convs)-1]
	}
	l.reindex()
	l.follow()
}

func (l *listPane) view(s Styles, focused bool, now nowFunc) string {
	var b strings.Builder
	b.WriteString(l.tabsView(s))
	b.WriteString("\n")
	switch {
	case l.typing:
		b.WriteString(truncate(l.search.View(), l.width))
	case l.query != "":
		b.WriteString(truncate(s.Dim.Render("/ "+l.query+"  (esc clears)"), l.width))
	}
	b.WriteString("\n")
	rows := l.visibleRows()
	if len(l.convs) == 0 {
		msg := "No conversations yet. New messages appear here as they arrive."
		switch {
		case !l.loaded:
			msg = "Loading…"
		case l.query != "":
			msg = "Nothing matches “" + l.query + "”."
		case l.filter != store.FilterAll:
			msg = "Nothing here."
		}
		b.WriteString(s.Dim.Render(lipgloss.NewStyle().Width(l.width).Render(msg)))
		return b.String()
	}
	end := min(len(l.convs), l.offset+rows)
	for i := l.offset; i < end; i++ {
		b.WriteString(l.row(s, l.convs[i], i == l.cursor, focused, now()))
		if i < end-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// tabsView draws the filters (store.Filters) with their counts; the active
// one is in brackets, so it shows without colour. Labels shorten to fit.
func (l *listPane) tabsView(s Styles) string {
	render := func(short bool) string {
		var ts []string
		for _, f := range store.Filters {
			label := f.Label
			if short {
				label = f.Short
			}
			label = fmt.Sprintf("%s %d", label, l.counts.Of(f.ID))
			if f.ID == l.filter {
				ts = append(ts, s.TabActive.Render("["+label+"]"))
			} else {
				ts = append(ts, s.Tab.Render(" "+label+" "))
			}
		}
		return strings.Join(ts, "")
	}
	line := render(false)
	if lipgloss.Width(line) > l.width {
		line = render(true)
	}
	if lipgloss.Width(line) > l.width { // tightest: single spaces
		line = strings.Join(strings.Fields(line), " ")
	}
	return truncate(line, l.width)
}

// row renders one conversation in two lines of l.width cells.
func (l *listPane) row(s Styles, c store.Conversation, selected, focused bool, now nowTime) string {
	w := l.width
	marker := "  "
	switch {
	case selected && l.marked[c.ConvKey]:
		marker = s.Cursor.Render("▌●")
	case selected:
		marker = s.Cursor.Render("▌ ")
	case l.marked[c.ConvKey]:
		marker = s.Cursor.Render(" ●")
	}
	name := displayName(c)
	if c.Unread > 0 {
		name = s.Bold.Render(name)
	}
	right := s.Dim.Render(relTime(c.LastMessageTime, now))
	if c.Unread > 0 {
		right += " " + s.Unread.Render(fmt.Sprintf(" %d ", c.Unread))
	}
	line1 := marker + spread(name, right, w-2)
	preview := oneLine(c.LastMessage)
	if c.LastDirection == store.Out {
		preview = "You: " + preview
	}
	if c.Status == store.ConvDone {
		preview = "✓ " + preview
	}
	line2 := "  " + spread(s.Dim.Render(preview), windowBadge(s, c.LastInboundTime, now), w-2)
	if selected && focused {
		line1, line2 = s.Selected.Render(padRight(line1, w)), s.Selected.Render(padRight(line2, w))
	}
	return line1 + "\n" + line2
}
