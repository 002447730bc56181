package main

// The packages depend on each other the one way DESIGN.md draws (cmd ->
// {tui, daemon, webhook, inbox, fbgraph, store}; tui -> inbox and store's
// types; daemon -> inbox; inbox -> {store, fbgraph}; webhook -> store;
// store imports none of ours; nothing imports cmd or tui).

import (
	"go/parser"
	"go/token"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/pageinbox/pageinbox/"

// deps is every package of the module with the packages it depends on
// (go list -deps: direct and indirect, tests left out).
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	all := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		all[strings.TrimPrefix(f[0], mod)] = f[1:]
	}
	return all
}

// ours is the module's packages among ds, without the module prefix.
func ours(ds []string) []string {
	var out []string
	for _, d := range ds {
		if p, ok := strings.CutPrefix(d, mod); ok {
			out = append(out, p)
		}
	}
	return out
}

func within(p string, roots ...string) bool {
	for _, r := range roots {
		if p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

func TestDependenciesPointOneWay(t *testing.T) {
	all := deps(t)
	// allowed: what each package (and its subpackages) may depend on
	// among ours.
	// The most specific root a package is within decides.
	allowed := map[string][]string{
		"store":   {},
		"fbgraph": {"store"}, // the emulator, fbgraph/fbtest, too: it signs with its own code
		"webhook": {"store"},
		"inbox":   {"store", "fbgraph"},
		"daemon":  {"inbox", "store", "fbgraph"},
		"tui":     {"inbox", "store", "fbgraph"}, // fbgraph only through inbox
	}
	for pkg, ds := range all {
		root := ""
		for r := range allowed {
			if within(pkg, r) && len(r) > len(root) {
				root = r
			}
		}
		if root == "" {
			continue
		}
		ok := allowed[root]
		for _, d := range ours(ds) {
			if !within(d, ok...) && !within(d, root) {
				t.Errorf("%s depends on %s; %s may depend only on %v", pkg, d, root, ok)
			}
		}
		for _, d := range ours(ds) {
			if within(d, "cmd") || (within(d, "tui") && !within(pkg, "cmd", "tui")) {
				t.Errorf("%s depends on %s: nothing may import cmd or tui", pkg, d)
			}
		}
	}
	for _, d := range all["webhook"] {
		if strings.HasPrefix(d, "github.com/gorilla/websocket") {
			t.Error("webhook depends on gorilla/websocket: the /ws protocol is the daemon's")
		}
	}
}

// tui reaches data only through inbox: among ours it imports inbox,
// store's plain types and its own subpackages, nothing else.
func TestTUIReachesDataThroughInbox(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"tui/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, d := range ours(f[1:]) {
			if !within(d, "inbox", "store", "tui") || within(d, "inbox/inboxtest") {
				t.Errorf("%s imports %s: the TUI reaches data only through inbox", f[0], d)
			}
		}
	}
}

// Only tui/programs.go starts programs: Programs.command gives each the
// scrubbed environment, and only a TUI on the agent's own machine holds a
// Programs (never an SSH session; the daemon serving /ws starts nothing).
// A new os/exec import elsewhere would be a way around both.
func TestOnlyProgramsStartsPrograms(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}} {{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	fset := token.NewFileSet()
	var found []string
	for _, path := range strings.Fields(string(out)) {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if imp.Path.Value == `"os/exec"` {
				found = append(found, strings.TrimPrefix(path, strings.TrimSpace(string(root))+"/"))
			}
		}
	}
	if len(found) != 1 || found[0] != "tui/programs.go" {
		t.Errorf("os/exec is imported by %v; want tui/programs.go alone", found)
	}
}
