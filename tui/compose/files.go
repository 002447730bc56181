package compose

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/inbox"
)

// Files are the files of the machine the TUI runs on, that ctrl+a
// attaches from. Only a TUI on the agent's own machine (local or
// attached) has them; an SSH session's TUI runs on the server, whose
// files are not the agent's to send, so it has none.
type Files interface {
	ReadDir(dir string) ([]fs.DirEntry, error)
	Stat(path string) (fs.FileInfo, error)
	Open(path string) (io.ReadCloser, error)
	Home() (string, error)
}

// LocalFiles are this machine's files.
type LocalFiles struct{}

func (LocalFiles) ReadDir(dir string) ([]fs.DirEntry, error) { return os.ReadDir(dir) }
func (LocalFiles) Stat(path string) (fs.FileInfo, error)     { return os.Stat(path) }
func (LocalFiles) Open(path string) (io.ReadCloser, error)   { return os.Open(path) }
func (LocalFiles) Home() (string, error)                     { return os.UserHomeDir() }

// attachment is a file chosen to go with the reply.
type attachment struct {
	path string // as opened (~ expanded)
	name string
	size int64
	kind string // image, video, audio, file: the Send API's type
}

// Messages of the attach commands.
type (
	completedMsg struct {
		input   string   // what was completed; stale if the input changed since
		dir     string   // the input's directory part, as typed
		matches []string // names in dir starting with the typed prefix; dirs end in /
	}
	attachedMsg struct {
		input string
		file  attachment
		err   error
	}
)

// expandHome reads a leading ~ as the home directory.
func expandHome(files Files, p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := files.Home()
	if err != nil {
		return p
	}
	return filepath.Join(home, p[1:])
}

// completeCmd lists the input's directory for the names that start with
// what was typed after its last /. Hidden files only when that starts
// with a dot.
func completeCmd(files Files, input string) tea.Cmd {
	return func() tea.Msg {
		typed := input
		if typed == "~" {
			typed = "~/"
		}
		cut := strings.LastIndex(typed, "/") + 1
		dirTyped, prefix := typed[:cut], typed[cut:]
		dir := expandHome(files, dirTyped)
		if dir == "" {
			dir = "."
		}
		entries, err := files.ReadDir(dir)
		msg := completedMsg{input: input, dir: dirTyped}
		if err != nil {
			return msg
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, prefix) || strings.HasPrefix(name, ".") && !strings.HasPrefix(prefix, ".") {
				continue
			}
			if e.IsDir() {
				name += "/"
			}
			msg.matches = append(msg.matches, name)
		}
		slices.Sort(msg.matches)
		return msg
	}
}

// commonPrefix is the longest prefix all names share.
func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	p := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// attachCmd checks the file at input before anything is uploaded: a
// regular file, within Meta's size limit, its type from its name or its
// first bytes.
func attachCmd(files Files, input string) tea.Cmd {
	return func() tea.Msg {
		path := expandHome(files, strings.TrimSpace(input))
		a, err := inspect(files, path)
		return attachedMsg{input: input, file: a, err: err}
	}
}

func inspect(files Files, path string) (attachment, error) {
	name := filepath.Base(path)
	st, err := files.Stat(path)
	if err != nil {
		return attachment{}, fmt.Errorf("%s: %w", name, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return attachment{}, fmt.Errorf("%s: not a regular file", name)
	}
	if err := inbox.CheckUploadSize(name, st.Size()); err != nil {
		return attachment{}, err
	}
	f, err := files.Open(path)
	if err != nil {
		return attachment{}, fmt.Errorf("%s: %w", name, unwrapPath(err))
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	kind := inbox.FileKind(name, head[:n])
	return attachment{path: path, name: name, size: st.Size(), kind: kind}, nil
}

// unwrapPath drops the path a PathError repeats: the name is said once.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// humanSize is a size as the chips and the footer show it.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
