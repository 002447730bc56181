package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The files in contrib/ that install pageinbox, checked for what they must
// hold: the systemd unit (systemd-analyze verify runs on it in .ci/run
// where systemd is) and the Dockerfile (docker builds it, not this test).

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// joinContinued joins lines ending in a backslash to the next, as systemd
// and docker read them.
func joinContinued(text string) []string {
	var out []string
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur += s + " "
			continue
		}
		out = append(out, cur+line)
		cur = ""
	}
	return out
}

// The unit file is the unit docs/deploy.md shows, byte for byte below its
// header comment, so the two cannot drift; and it holds what deploy.md
// promises: serve as the pageinbox user, with flags serve takes, hardened.
func TestSystemdUnitIsTheDocumentedOne(t *testing.T) {
	unit := readRepoFile(t, "contrib/pageinbox.service")
	doc := readRepoFile(t, "docs/deploy.md")
	_, block, ok := strings.Cut(doc, "# /etc/systemd/system/pageinbox.service\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("docs/deploy.md has no pageinbox.service block")
	}
	_, body, ok := strings.Cut(unit, "\n[Unit]\n")
	if !ok || "[Unit]\n"+body != block {
		t.Errorf("contrib/pageinbox.service differs from the unit in docs/deploy.md:\n%s\n---\n%s", unit, block)
	}
	keys := map[string][]string{}
	for _, line := range joinContinued(unit) {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			keys[k] = append(keys[k], strings.Join(strings.Fields(v), " "))
		}
	}
	for k, want := range map[string]string{
		"User": "pageinbox", "Group": "pageinbox", "EnvironmentFile": "/etc/pageinbox/env",
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"CapabilityBoundingSet": "", "StateDirectory": "pageinbox", "UMask": "0077", "Restart": "on-failure",
		"WantedBy": "multi-user.target",
	} {
		if !slices.Contains(keys[k], want) {
			t.Errorf("%s=%q missing (have %q)", k, want, keys[k])
		}
	}
	exec := keys["ExecStart"]
	if len(exec) != 1 {
		t.Fatalf("ExecStart %q: want one", exec)
	}
	args := strings.Fields(exec[0])
	if args[0] != "/usr/local/bin/pageinbox" || args[1] != "serve" {
		t.Fatalf("ExecStart %q: want /usr/local/bin/pageinbox serve", exec[0])
	}
	env := map[string]string{"APP_SECRET": "x", "HOME": t.TempDir()}
	if _, err := parseArgs(args[1:], mapEnv(env)); err != nil {
		t.Errorf("ExecStart's flags are not serve's: %v", err)
	}
}

// dockerStages splits a Dockerfile into its stages' instructions
// (continuations joined, comments dropped), keyed by instruction.
func dockerStages(text string) [][][2]string {
	var stages [][][2]string
	for _, line := range joinContinued(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		inst, rest, _ := strings.Cut(line, " ")
		inst = strings.ToUpper(inst)
		if inst == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			continue // ARG before FROM
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], [2]string{inst, strings.Join(strings.Fields(rest), " ")})
	}
	return stages
}

func instructions(stage [][2]string, inst string) []string {
	var out []string
	for _, i := range stage {
		if i[0] == inst {
			out = append(out, i[1])
		}
	}
	return out
}

// The image runs a static binary built as .ci/release builds it, as a user
// that is not root, keeps its data in a volume, and checks its health with
// the binary's own healthcheck (no shell or wget in the image).
func TestDockerfileEssentials(t *testing.T) {
	stages := dockerStages(readRepoFile(t, "contrib/Dockerfile"))
	if len(stages) < 2 {
		t.Fatalf("%d stages: want a build stage and a runtime stage", len(stages))
	}
	build, final := strings.Join(instructions(stages[0], "RUN"), "\n"), stages[len(stages)-1]
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-buildvcs=false", "-X main.version=", "./cmd/pageinbox"} {
		if !strings.Contains(build, want) {
			t.Errorf("the build stage lacks %s", want)
		}
	}
	release := readRepoFile(t, ".ci/release")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-buildvcs=false", "-s -w -buildid= -X main.version="} {
		if !strings.Contains(release, want) {
			t.Errorf(".ci/release lacks %s", want)
		}
	}
	users := instructions(final, "USER")
	if len(users) != 1 || slices.Contains([]string{"root", "0", "0:0", "root:root"}, users[0]) {
		t.Errorf("USER %q: want one user that is not root", users)
	}
	if v := instructions(final, "VOLUME"); len(v) != 1 || !strings.Contains(v[0], "/data") {
		t.Errorf("VOLUME %q: want /data", v)
	}
	if env := strings.Join(instructions(final, "ENV"), " "); !strings.Contains(env, "PAGEINBOX_DATA=/data") {
		t.Errorf("ENV %q: serve must keep its data in the volume", env)
	}
	hc := instructions(final, "HEALTHCHECK")
	if len(hc) != 1 {
		t.Fatalf("HEALTHCHECK %q: want one", hc)
	}
	_, cmdJSON, _ := strings.Cut(hc[0], "CMD ")
	var probe []string
	if err := json.Unmarshal([]byte(cmdJSON), &probe); err != nil || len(probe) < 2 || probe[0] != "/usr/local/bin/pageinbox" {
		t.Fatalf("HEALTHCHECK CMD %q: want the binary, in exec form", cmdJSON)
	}
	if _, err := parseArgs(probe[1:], mapEnv(map[string]string{"HOME": t.TempDir()})); err != nil || probe[1] != "healthcheck" {
		t.Errorf("HEALTHCHECK runs %q: not the healthcheck command (%v)", probe[1:], err)
	}
	copies := strings.Join(instructions(final, "COPY"), "\n")
	if !strings.Contains(copies, "/usr/local/bin/pageinbox") {
		t.Errorf("the runtime stage does not copy the binary to /usr/local/bin/pageinbox: %q", copies)
	}
}
