package tui

import (
	"context"
	"os"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// editorOff is what ctrl+e says where the TUI may not start programs.
const editorOff = "the editor is off in SSH sessions: it would run on the server; write the reply here"

// openEditor writes the draft to a file and hands the terminal to $EDITOR,
// where the TUI may start programs; elsewhere it says why not.
func (m *Model) openEditor() tea.Cmd {
	if !m.common.CanExec {
		m.setNote(editorOff)
		return nil
	}
	key, text := m.compose.Key(), m.compose.Value()
	return func() tea.Msg {
		f, err := os.CreateTemp("", "pageinbox-reply-*.txt")
		if err != nil {
			return editedMsg{key: key, err: err}
		}
		_, err = f.WriteString(text)
		f.Close()
		if err != nil {
			return editedMsg{key: key, err: err}
		}
		return editorReadyMsg{key: key, path: f.Name()}
	}
}

type (
	// editorReadyMsg: the draft is in a file for the editor.
	editorReadyMsg struct {
		key  store.ConvKey
		path string
	}
	// editedMsg is the reply as the editor left it.
	editedMsg struct {
		key  store.ConvKey
		text string
		err  error
	}
)

// runEditor starts the editor on the draft's file, with the environment
// Programs gives and nothing else.
func (m *Model) runEditor(ready editorReadyMsg) tea.Cmd {
	p := m.opts.Programs
	if p == nil { // openEditor runs only where CanExec (Programs != nil); never start one without it
		return func() tea.Msg { os.Remove(ready.path); return nil }
	}
	args := strings.Fields(firstNonEmpty(lookupEnv(p.Env, "VISUAL"), lookupEnv(p.Env, "EDITOR"), "vi"))
	return tea.ExecProcess(p.command(context.Background(), args[0], append(args[1:], ready.path)...), func(err error) tea.Msg {
		defer os.Remove(ready.path)
		if err != nil {
			return editedMsg{key: ready.key, err: err}
		}
		b, err := os.ReadFile(ready.path)
		return editedMsg{key: ready.key, text: strings.TrimRight(string(b), "\n"), err: err}
	})
}

// lookupEnv is name's value in env ("NAME=value" entries; the last wins,
// as in exec).
func lookupEnv(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return strings.TrimSpace(v)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
