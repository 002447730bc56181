package list

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
)

// View draws the tabs, the search line and the rows on screen.
func (m *Model) View() string {
	s := m.common.Styles
	var b strings.Builder
	b.WriteString(m.tabsView())
	b.WriteString("\n")
	if m.picker != nil {
		b.WriteString(m.picker.View())
		return b.String()
	}
	line := ""
	switch {
	case m.typing:
		line = m.search.View()
	case m.query != "":
		line = s.Dim.Render("/ " + m.query + "  (esc clears)")
	}
	if sc := m.scopeView(); sc != "" {
		line = strings.TrimSpace(sc + " " + line)
	}
	b.WriteString(common.Truncate(line, m.width))
	b.WriteString("\n")
	if len(m.convs) == 0 {
		b.WriteString(s.Dim.Render(m.common.Style().Width(m.width).Render(m.emptyNote())))
		return b.String()
	}
	end := min(len(m.convs), m.offset+m.VisibleRows())
	for i := m.offset; i < end; i++ {
		b.WriteString(m.row(m.convs[i], i == m.cursor))
		if i < end-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// emptyNote says why no row is shown.
func (m *Model) emptyNote() string {
	switch {
	case !m.loaded:
		return "Loading…"
	case m.query != "":
		return "Nothing matches “" + m.query + "”."
	case m.filter != store.FilterAll:
		return "Nothing here."
	}
	return "No conversations yet. New messages appear here as they arrive."
}

// tabsView draws the filters (store.Filters) with their counts; the active
// one is in brackets, so it shows without colour. Labels shorten to fit.
func (m *Model) tabsView() string {
	s := m.common.Styles
	render := func(short bool) string {
		var ts []string
		for _, f := range store.Filters {
			label := f.Label
			if short {
				label = f.Short
			}
			label = fmt.Sprintf("%s %d", label, m.counts.Of(f.ID))
			if f.ID == m.filter {
				ts = append(ts, s.TabActive.Render("["+label+"]"))
			} else {
				ts = append(ts, s.Tab.Render(" "+label+" "))
			}
		}
		return strings.Join(ts, "")
	}
	line := render(false)
	if lipgloss.Width(line) > m.width {
		line = render(true)
	}
	if lipgloss.Width(line) > m.width { // tightest: single spaces
		line = strings.Join(strings.Fields(line), " ")
	}
	return common.Truncate(line, m.width)
}

// row renders one conversation in two lines of the pane's width.
func (m *Model) row(c store.Conversation, selected bool) string {
	s, w := m.common.Styles, m.width
	marker := "  "
	switch {
	case selected && m.marked[c.ConvKey]:
		marker = s.Cursor.Render("▌●")
	case selected:
		marker = s.Cursor.Render("▌ ")
	case m.marked[c.ConvKey]:
		marker = s.Cursor.Render(" ●")
	}
	name := common.DisplayName(c)
	if c.Unread > 0 {
		name = s.Bold.Render(name)
	}
	right := s.Dim.Render(m.common.RelTime(c.LastMessageTime))
	if c.Unread > 0 {
		right += " " + s.Unread.Render(fmt.Sprintf(" %d ", c.Unread))
	}
	line1 := marker + m.nameLine(c, name, right, w-2)
	preview := common.OneLine(c.LastMessage)
	if c.LastDirection == store.Out {
		preview = "You: " + preview
	}
	if c.Status == store.ConvDone {
		preview = "✓ " + preview
	}
	if tag := m.pageTag(c); tag != "" {
		preview = tag + " · " + preview
	}
	line2 := "  " + common.Spread(s.Dim.Render(preview), m.common.WindowBadge(c.LastInboundTime), w-2)
	if selected && m.focused {
		line1, line2 = s.Selected.Render(common.PadRight(line1, w)), s.Selected.Render(common.PadRight(line2, w))
	}
	return line1 + "\n" + line2
}

// nameLine is the name, then the assignee and the labels when there are
// any, and right at the right, in width cells. Without assignee or labels
// it is the name and right alone, as before there were any. The chips
// give way first, but the name keeps half the room.
func (m *Model) nameLine(c store.Conversation, name, right string, width int) string {
	if c.Assignee == "" && c.Labels == "" {
		return common.Spread(name, right, width)
	}
	meta := m.common.AssigneeTag(c.Assignee)
	if c.Labels != "" {
		chips := m.common.Chips(c.Labels.Names(), func(n string) string { return m.labelColour(c.PageID, n) })
		meta = strings.TrimSpace(meta + " " + chips)
	}
	room := width - lipgloss.Width(right) - 1
	nw, mw := lipgloss.Width(name), lipgloss.Width(meta)
	if nw+1+mw > room {
		name = common.Truncate(name, max(min(nw, room/2), room-mw-1))
		meta = common.Truncate(meta, max(0, room-lipgloss.Width(name)-1))
	}
	return common.Spread(name+" "+meta, right, width)
}
