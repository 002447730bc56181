package keymap

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Contexts are where keys are read together: two actions of one context
// must not share a key, while actions of different contexts may (enter
// opens in the list and sends in the reply box).
const (
	CtxList     = "list"            // the inbox list, its triage keys
	CtxSearch   = "search"          // the list's search box
	CtxThread   = "thread"          // the open conversation
	CtxNote     = "note"            // writing a private note
	CtxCompose  = "reply box"       // typing a reply
	CtxAttach   = "attach"          // typing a file's path in the reply box
	CtxPick     = "picker"          // saved replies, agents, labels, reactions, templates
	CtxCampaign = "campaign form"   // writing a campaign
	CtxProgress = "campaign screen" // a campaign's progress and history
)

// Action is a binding by the stable name a config file rebinds it by.
type Action struct {
	Name     string
	Binding  *key.Binding
	Contexts []string
}

// Actions lists every binding of k, in the order help shows them. A
// binding that is not here cannot be rebound, which a test guards.
func (k *KeyMap) Actions() []Action {
	list, thread := []string{CtxList}, []string{CtxThread}
	both := []string{CtxList, CtxThread, CtxProgress}
	everywhere := []string{CtxList, CtxSearch, CtxThread, CtxNote, CtxCompose, CtxAttach, CtxPick, CtxCampaign, CtxProgress}
	a := []Action{
		{"up", &k.Up, both}, {"down", &k.Down, both},
		{"page_up", &k.PageUp, both}, {"page_down", &k.PageDown, both},
		{"top", &k.Top, both}, {"bottom", &k.Bottom, both},
		{"open", &k.Open, both},
		{"back", &k.Back, []string{CtxList, CtxThread, CtxNote, CtxCompose, CtxAttach, CtxCampaign, CtxProgress}},
		{"next_pane", &k.NextPane, []string{CtxList, CtxThread, CtxCompose, CtxCampaign}},
		{"search", &k.Filter, list},
		{"help", &k.Help, []string{CtxList, CtxThread}},
		{"quit", &k.Quit, both},
		{"force_quit", &k.ForceQuit, everywhere},
		{"next_filter", &k.NextTab, list},
		{"done", &k.Done, list},
		{"select", &k.Select, list}, {"select_all", &k.SelectAll, list},
		{"bulk", &k.Bulk, list}, {"campaigns", &k.Campaigns, []string{CtxList, CtxProgress}},
		{"pause", &k.Pause, []string{CtxProgress}}, {"cancel", &k.Cancel, []string{CtxProgress}},
		{"retry", &k.Retry, []string{CtxProgress}}, {"resume", &k.Resume, []string{CtxProgress}},
		{"confirm", &k.Confirm, []string{CtxProgress, CtxCampaign}},
		{"submit", &k.Submit, []string{CtxCampaign}},
		{"form_newline", &k.FormNewline, []string{CtxCampaign}},
		{"send", &k.Send, []string{CtxCompose, CtxAttach}},
		{"newline", &k.Newline, []string{CtxCompose}},
		{"editor", &k.Editor, []string{CtxCompose}},
		{"human_agent", &k.HumanAgent, []string{CtxCompose}},
		{"attach", &k.Attach, []string{CtxCompose}},
		{"attach_complete", &k.AttachComplete, []string{CtxAttach}},
		{"attach_remove", &k.AttachRemove, []string{CtxCompose}},
		{"saved_reply", &k.SavedReply, []string{CtxCompose}},
		{"reply_shortcut", &k.ReplyShortcut, []string{CtxCompose}},
		{"template", &k.Template, []string{CtxThread, CtxCompose, CtxCampaign}},
		{"resend", &k.Resend, thread},
		{"reply_to", &k.QuoteReply, thread},
		{"react", &k.React, thread},
		{"note", &k.Note, []string{CtxList, CtxThread}},
		{"note_save", &k.NoteSave, []string{CtxNote}},
		{"contact", &k.Contact, []string{CtxList, CtxThread}},
		{"prev_message", &k.PrevMessage, thread}, {"next_message", &k.NextMessage, thread},
		{"open_link", &k.OpenLink, thread}, {"copy", &k.Copy, thread},
		{"search_keep", &k.SearchKeep, []string{CtxSearch}},
		{"search_clear", &k.SearchClear, []string{CtxSearch}},
		{"search_leave", &k.SearchLeave, []string{CtxSearch}},
		{"pick_up", &k.PickUp, []string{CtxPick}}, {"pick_down", &k.PickDown, []string{CtxPick}},
		{"pick_choose", &k.PickChoose, []string{CtxPick}}, {"pick_cancel", &k.PickCancel, []string{CtxPick}},
		{"assign", &k.Assign, list}, {"assign_to", &k.AssignTo, list},
		{"snooze", &k.Snooze, list}, {"label", &k.Label, list}, {"repeat", &k.Repeat, list},
		{"mine", &k.Mine, list}, {"unassigned", &k.Unassigned, list},
		{"label_filter", &k.LabelFilter, list}, {"page_switch", &k.PageSwitch, list},
	}
	for i := range k.Tabs {
		a = append(a, Action{"filter_" + strconv.Itoa(i+1), &k.Tabs[i], list})
	}
	return a
}

// Rebind gives the action named name the keys keys; its help shows them.
func (k *KeyMap) Rebind(name string, keys []string) error {
	i := slices.IndexFunc(k.Actions(), func(a Action) bool { return a.Name == name })
	if i < 0 {
		return fmt.Errorf("unknown action %q", name)
	}
	if len(keys) == 0 {
		return fmt.Errorf("%s: give at least one key", name)
	}
	for _, s := range keys {
		if !ValidKey(s) {
			return fmt.Errorf("%s: %q is no key; name keys as Bubble Tea does: \"q\", \"Q\", \"ctrl+x\", \"alt+enter\", \"esc\", \"tab\", \"up\", \"pgdown\", \" \" (space)", name, s)
		}
	}
	b := k.Actions()[i].Binding
	b.SetKeys(keys...)
	if h := b.Help(); h.Desc != "" {
		b.SetHelp(strings.Join(keys, "/"), h.Desc)
	}
	return nil
}

// Conflict is two actions of one context on one key.
type Conflict struct {
	Key, Context string
	A, B         string // the actions' names
}

func (c Conflict) Error() string {
	return fmt.Sprintf("%s and %s are both bound to %q in the %s", c.A, c.B, c.Key, c.Context)
}

// Conflicts lists every key two actions of one context share.
func (k *KeyMap) Conflicts() []Conflict {
	type slot struct{ ctx, key string }
	owner := map[slot]string{}
	var out []Conflict
	for _, a := range k.Actions() {
		for _, ctx := range a.Contexts {
			for _, kk := range a.Binding.Keys() {
				s := slot{ctx, kk}
				if prev, ok := owner[s]; ok && prev != a.Name {
					out = append(out, Conflict{Key: kk, Context: ctx, A: prev, B: a.Name})
					continue
				}
				owner[s] = a.Name
			}
		}
	}
	return out
}

// keyNames are the names Bubble Tea gives keys that are not characters:
// "enter", "ctrl+x", "pgdown", " " and the like.
var keyNames = func() map[string]bool {
	names := map[string]bool{}
	for t := tea.KeyType(-1000); t < 1000; t++ {
		if n := t.String(); n != "" && t != tea.KeyRunes {
			names[n] = true
		}
	}
	return names
}()

// ValidKey reports whether s names a key as Bubble Tea does: one printable
// character or a key's name, either after "alt+". Any other string would
// never match, so a typo in a config file would silently unbind a key.
func ValidKey(s string) bool {
	if rest, ok := strings.CutPrefix(s, "alt+"); ok && rest != "" {
		s = rest
	}
	if r, size := utf8.DecodeRuneInString(s); size == len(s) && size > 0 && r != utf8.RuneError {
		return unicode.IsPrint(r)
	}
	return keyNames[s]
}
