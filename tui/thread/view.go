package thread

import (
	"strings"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// View draws the thread's header and the lines on screen.
func (m *Model) View() string {
	s := m.common.Styles
	if !m.open {
		return s.Dim.Render(m.common.Style().Width(m.width).Render("Select a conversation and press enter."))
	}
	header := m.header()
	if !m.loaded {
		return header + "\n" + s.Dim.Render("Loading…")
	}
	body := m.height - 1
	footer := ""
	if m.noting {
		body--
		footer = "\n" + common.Truncate(m.input.View(), m.width)
	} else if m.react.open {
		body--
		footer = "\n" + m.reactLine()
	}
	end := len(m.lines) - m.scroll
	window := m.lines[max(0, end-body):end]
	pad := max(0, body-len(window))
	// One copy of the lines into the frame: with pictures they are most
	// of its bytes.
	size := len(header) + 1 + pad + len(footer)
	for _, line := range window {
		size += len(line) + 1
	}
	var sb strings.Builder
	sb.Grow(size)
	sb.WriteString(header)
	sb.WriteByte('\n')
	sb.WriteString(strings.Repeat("\n", pad))
	for i, line := range window {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(line)
	}
	sb.WriteString(footer)
	return sb.String()
}

// header is the customer's name, the assignee and the labels, who else
// is here, and the window.
func (m *Model) header() string {
	s := m.common.Styles
	others, typing := m.others()
	title := s.Title.Render(common.DisplayName(m.conv))
	if p := &m.common.Pages; p.Several() { // which Page answers here
		title += " " + s.Dim.Render("· "+common.Truncate(inert.Line(p.Name(m.conv.PageID)), 24))
	}
	if tag := m.common.AssigneeTag(m.conv.Assignee); tag != "" {
		title += " " + tag
	}
	if names := m.conv.Labels.Names(); len(names) > 0 {
		title += " " + m.common.Chips(names, m.chipColour)
	}
	switch {
	case len(typing) > 0:
		title += " " + s.WindowLow.Render("· "+strings.Join(typing, ", ")+" is replying…")
	case len(others) > 0:
		title += " " + s.Dim.Render("· also here: "+strings.Join(others, ", "))
	}
	return common.Spread(title, m.windowLine(), m.width)
}

// chipColour is a label's colour on the open conversation's Page.
func (m *Model) chipColour(name string) string {
	if m.labelColour == nil {
		return ""
	}
	return m.labelColour(m.conv.PageID, name)
}

// others are the other agents in the conversation, and those typing.
func (m *Model) others() (names []string, typing []string) {
	for _, a := range m.presence[m.key] {
		if a.ID == m.common.Agent.ID {
			continue
		}
		name := inert.Line(a.Name) // another client's word for itself
		names = append(names, name)
		if a.Typing {
			typing = append(typing, name)
		}
	}
	return names, typing
}

// windowLine is the header's account of the window.
func (m *Model) windowLine() string {
	s, last := m.common.Styles, m.conv.LastInboundTime
	w := store.WindowAt(last, m.common.Now())
	switch w.State {
	case store.WindowOpen:
		return m.common.WindowBadge(last) + s.Dim.Render(" left in the 24 h window")
	case store.WindowHumanAgent:
		return s.WindowHuman.Render("24 h window closed · HUMAN_AGENT " + store.FormatLeft(w.Left) + " left")
	}
	return s.Closed.Render("window closed")
}
