package thread

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

type reactCall struct{ mid, emoji string }

var reacts []reactCall // what pages.React was asked, in order (tests do not run in parallel here)

func (p *pages) React(_ context.Context, key store.ConvKey, mid, emoji string) (store.Message, error) {
	reacts = append(reacts, reactCall{mid, emoji})
	for i := range p.msgs {
		if p.msgs[i].MID == mid {
			p.msgs[i].Reactions = nil
			if emoji != "" {
				p.msgs[i].Reactions = []store.Reaction{{From: key.PageID, Emoji: emoji, Time: now}}
			}
			return p.msgs[i], nil
		}
	}
	return store.Message{}, fmt.Errorf("no message %s", mid)
}

func keyRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// threadWithMIDs: message 3 is the newest customer's message Meta knows;
// 4 is ours.
func threadWithMIDs() *pages {
	p := newPages(5)
	for i := range p.msgs {
		p.msgs[i].MID = fmt.Sprintf("m_%d", i)
	}
	p.msgs[4].Direction = store.Out
	return p
}

// R quotes the newest customer's message (there is no message cursor).
func TestQuoteTargetsNewestCustomerMessage(t *testing.T) {
	m := open(t, newCommon(time.UTC), threadWithMIDs(), 60, 20)
	cmd := m.Update(keyRunes("R"))
	if cmd == nil {
		t.Fatal("R did nothing")
	}
	q, ok := cmd().(QuoteMsg)
	if !ok || q.Message.MID != "m_3" {
		t.Fatalf("R asked %+v, want a quote of m_3", q)
	}
}

// + opens the picker; a number sends that reaction to the target; + on a
// message the Page reacted to offers taking it off first; esc closes.
func TestReactPicker(t *testing.T) {
	reacts = nil
	p := threadWithMIDs()
	m := open(t, newCommon(time.UTC), p, 80, 20)
	if cmd := m.Update(keyRunes("+")); cmd != nil || !m.Reacting() {
		t.Fatal("+ did not open the picker")
	}
	if v := m.View(); !strings.Contains(v, "react:") || !strings.Contains(v, "4 😢") {
		t.Fatalf("picker not shown:\n%s", v)
	}
	run(m, m.Update(keyRunes("4")))
	if m.Reacting() || len(reacts) != 1 || reacts[0] != (reactCall{"m_3", "😢"}) {
		t.Fatalf("picked 4: reacting %v, calls %+v", m.Reacting(), reacts)
	}
	if got, _ := m.Target(); store.PageReaction(got) != "😢" {
		t.Fatalf("the thread does not show the recorded reaction: %+v", got.Reactions)
	}
	m.Update(keyRunes("+"))
	if v := m.View(); !strings.Contains(v, "1 remove 😢") {
		t.Fatalf("a reacted message is not offered unreact:\n%s", v)
	}
	run(m, m.Update(tea.KeyMsg{Type: tea.KeyEnter})) // the first choice: remove
	if len(reacts) != 2 || reacts[1] != (reactCall{"m_3", ""}) {
		t.Fatalf("unreact: calls %+v", reacts)
	}
	m.Update(keyRunes("+"))
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if m.Reacting() || len(reacts) != 2 {
		t.Fatalf("esc: reacting %v, calls %+v", m.Reacting(), reacts)
	}
}
