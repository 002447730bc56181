package thread

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/common/commontest"
)

var now = time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)

var carla = store.ConvKey{PageID: "P", PSID: "u1"}

// pages serves a thread of n messages, one a minute up to now.
type pages struct {
	msgs  []store.Message
	notes []store.Note
}

func newPages(n int) *pages {
	p := &pages{}
	for i := range n {
		p.msgs = append(p.msgs, store.Message{ID: fmt.Sprint(i), ConvKey: carla, Direction: store.In,
			Text: fmt.Sprintf("message %03d", i), Time: now.Add(time.Duration(i-n) * time.Minute), Status: store.StatusReceived})
	}
	return p
}

func (p *pages) Thread(_ context.Context, _ store.ConvKey, before store.Cursor, limit int) (store.ThreadPage, error) {
	end := len(p.msgs)
	if before != "" {
		fmt.Sscan(string(before), &end)
	}
	start := max(0, end-limit)
	page := store.ThreadPage{Messages: append([]store.Message(nil), p.msgs[start:end]...)}
	if start > 0 {
		page.Before = store.Cursor(fmt.Sprint(start))
	}
	return page, nil
}

func (p *pages) Resend(context.Context, uint64) (store.OutboxItem, error) {
	return store.OutboxItem{}, nil
}

func (p *pages) Notes(_ context.Context, key store.ConvKey) ([]store.Note, error) {
	return append([]store.Note(nil), p.notes...), nil
}

func (p *pages) AddNote(_ context.Context, key store.ConvKey, text string) (store.Note, error) {
	n := store.Note{ConvKey: key, Author: "ana", Time: now, Text: text}
	p.notes = append(p.notes, n)
	return n, nil
}

func newCommon(tz *time.Location) *common.Common {
	c := commontest.New(now, tz)
	c.Width, c.Height = 80, 24
	return c
}

// open shows the conversation in a w×h pane and runs its load.
func open(t *testing.T, c *common.Common, be Backend, w, h int) *Model {
	t.Helper()
	m := New(c, be)
	m.SetSize(w, h)
	run(m, m.Show(store.Conversation{ConvKey: carla, Name: "Carla", LastInboundTime: now}))
	if !m.Loaded() {
		t.Fatal("the thread did not load")
	}
	return m
}

// run runs cmd and what its answers ask for, batches included.
func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			run(m, c)
		}
		return
	}
	run(m, m.Update(msg))
}

// View draws what Update stored and changes nothing: two draws are the
// same, and a key's effect does not depend on whether a frame was drawn.
func TestViewIsPure(t *testing.T) {
	a, b := open(t, newCommon(time.UTC), newPages(30), 60, 12), open(t, newCommon(time.UTC), newPages(30), 60, 12)
	up := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("k", 15))}
	for range 8 {
		first := a.View()
		if again := a.View(); again != first {
			t.Fatal("two Views of the same state differ")
		}
		a.Update(up)
		b.Update(up) // b is never drawn between keys
		if a.scroll != b.scroll || a.View() != b.View() {
			t.Fatalf("scroll %d with a View after each key, %d without", a.scroll, b.scroll)
		}
	}
	if !strings.Contains(a.View(), "message 000") {
		t.Fatalf("scrolled up 120 lines, the oldest message is not on screen:\n%s", a.View())
	}
}

// A key that scrolls draws no message anew, and a new message draws only
// itself: the others come from the per-message cache.
func TestScrollDrawsNothingAndNewMessageDrawsOnlyItself(t *testing.T) {
	m := open(t, newCommon(time.UTC), newPages(30), 60, 12)
	// Plant a mark in every cached drawing: only a redraw from the cache
	// shows it, only a fresh drawing loses it.
	for id, r := range m.cache {
		m.cache[id] = rendered{sig: r.sig, lines: []string{"cached " + id, ""}}
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("k")})
	if strings.Contains(m.View(), "cached ") {
		t.Fatalf("a scroll redrew the thread:\n%s", m.View())
	}
	last := m.msgs[len(m.msgs)-1]
	last.Text = "message 029, edited"
	last.Edits = 1
	m.Apply(store.MessageChanged, last)
	v := m.View()
	if !strings.Contains(v, "cached 28") || !strings.Contains(v, "message 029, edited") || strings.Contains(v, "cached 29") {
		t.Fatalf("after one message changed, want it drawn anew and the others from the cache:\n%s", v)
	}
}

// Times are shown in the agent's zone: the same messages fall on another
// day and hour in Tokyo than in UTC.
func TestTimesInTheAgentsZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	m := open(t, newCommon(tokyo), newPages(3), 60, 20)
	v := m.View()
	// 15:27 UTC on 4 March is 00:27 on 5 March in Tokyo, the frame's day there.
	for _, want := range []string{"── Today ──", "00:27", "00:29"} {
		if !strings.Contains(v, want) {
			t.Fatalf("Tokyo: %q is not on screen:\n%s", want, v)
		}
	}
	if strings.Contains(v, "15:27") {
		t.Fatalf("Tokyo: a time in UTC on screen:\n%s", v)
	}
	if v := open(t, newCommon(time.UTC), newPages(3), 60, 20).View(); !strings.Contains(v, "15:27") {
		t.Fatalf("UTC: 15:27 is not on screen:\n%s", v)
	}
}

// The day's labels move at midnight, on the tick that crosses it.
func TestTickAcrossMidnightRelabelsDays(t *testing.T) {
	c := newCommon(time.UTC)
	m := open(t, c, newPages(3), 60, 20)
	if !strings.Contains(m.View(), "── Today ──") {
		t.Fatalf("no Today:\n%s", m.View())
	}
	next := time.Date(2026, 3, 5, 0, 0, 1, 0, time.UTC)
	c.SetNow(next)
	m.Update(common.TickMsg(next))
	if v := m.View(); !strings.Contains(v, "── Yesterday ──") || strings.Contains(v, "Today") {
		t.Fatalf("after midnight, want Yesterday:\n%s", v)
	}
}
