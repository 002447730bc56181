package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"unicode"

	gossh "golang.org/x/crypto/ssh"
)

// sshKey is an authorised key's entry: who it lets in.
type sshKey struct {
	// Agent is the name this key works under (drafts, "also here"): the
	// entry's comment up to its '@' ("ana@laptop" is ana), or the
	// fingerprint when there is no comment. Never the user name the client
	// sends, which anyone can choose.
	Agent       string
	Fingerprint string // SHA256:…, what logs name the key by
}

// authorizedKeys is an OpenSSH authorized_keys file, read again at each
// key a client offers (a small file; the logins waiting are capped), so
// adding or removing an agent takes effect at once, without a restart. A
// file that cannot be read lets nobody in.
type authorizedKeys struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	lastBad string // the bad lines last warned about, to warn once
}

func newAuthorizedKeys(path string, log *slog.Logger) (*authorizedKeys, error) {
	a := &authorizedKeys{path: path, log: log}
	if _, err := a.load(); err != nil {
		return nil, fmt.Errorf("--ssh-authorized-keys %s: %w (list the public keys allowed in, one per line)", path, err)
	}
	return a, nil
}

// lookup says whether k may come in, and as whom.
func (a *authorizedKeys) lookup(k gossh.PublicKey) (sshKey, bool) {
	keys, err := a.load()
	if err != nil {
		a.log.Error("ssh: cannot read the authorised keys: nobody gets in", "file", a.path, "err", err)
		return sshKey{}, false
	}
	e, ok := keys[string(k.Marshal())]
	return e, ok
}

// agents are the names the keys in the file give their agents, for
// assigning conversations to; none when it cannot be read.
func (a *authorizedKeys) agents() []string {
	keys, err := a.load()
	if err != nil {
		return nil
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.Agent)
	}
	return names
}

// load reads the keys as the file holds them now (by the key's wire form).
func (a *authorizedKeys) load() (map[string]sshKey, error) {
	b, err := os.ReadFile(a.path)
	if err != nil {
		return nil, err
	}
	keys, bad := parseAuthorizedKeys(b)
	a.mu.Lock()
	defer a.mu.Unlock()
	if s := fmt.Sprint(bad); len(bad) > 0 && s != a.lastBad {
		a.log.Warn("ssh: lines of the authorised keys that are not keys are skipped", "file", a.path, "lines", bad)
		a.lastBad = s
	}
	return keys, nil
}

// parseAuthorizedKeys reads authorized_keys lines; bad are the numbers of
// lines that are neither keys, blank nor comments.
func parseAuthorizedKeys(b []byte) (keys map[string]sshKey, bad []int) {
	keys = map[string]sshKey{}
	for i, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		pk, comment, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			bad = append(bad, i+1)
			continue
		}
		fp := gossh.FingerprintSHA256(pk)
		keys[string(pk.Marshal())] = sshKey{Agent: agentFromComment(comment, fp), Fingerprint: fp}
	}
	return keys, bad
}

// agentFromComment is the agent a key's comment names: "ana@laptop" is
// ana, "Ana Souza" is Ana Souza; control characters are dropped and the
// name kept short. No comment: the fingerprint.
func agentFromComment(comment, fingerprint string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(comment), "@")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return -1
		}
		return r
	}, name)
	if r := []rune(strings.TrimSpace(name)); len(r) > 64 {
		name = string(r[:64])
	}
	if name = strings.TrimSpace(name); name == "" {
		return fingerprint
	}
	return name
}
