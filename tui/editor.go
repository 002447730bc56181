package tui

import (
	"os"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

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

// openEditor writes the draft to a file and hands the terminal to $EDITOR.
func (m *Model) openEditor() tea.Cmd {
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

func runEditor(ready editorReadyMsg) tea.Cmd {
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	args := strings.Fields(editor)
	c := exec.Command(args[0], append(args[1:], ready.path)...)
	return tea.ExecProcess(c, func(err error) tea.Msg {
		defer os.Remove(ready.path)
		if err != nil {
			return editedMsg{key: ready.key, err: err}
		}
		b, err := os.ReadFile(ready.path)
		return editedMsg{key: ready.key, text: strings.TrimRight(string(b), "\n"), err: err}
	})
}
