package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A daemon leaves two small files in the data dir: the API token (kept
// across restarts) and daemon.json, which names its /ws address while it
// runs, so that `pageinbox` and the commands find it.
const (
	TokenFile = "api-token"
	InfoFile  = "daemon.json"
)

type info struct {
	URL string `json:"url"`
	PID int    `json:"pid"`
}

// APIToken reads the data dir's API token; create makes one on a
// daemon's first start.
func APIToken(dataDir string, create bool) (string, error) {
	path := filepath.Join(dataDir, TokenFile)
	if b, err := os.ReadFile(path); err == nil {
		if tok := strings.TrimSpace(string(b)); tok != "" {
			return tok, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("API token: %w", err)
	}
	if !create {
		return "", errors.New("no API token in " + dataDir + " (is a daemon running there?); set PAGEINBOX_API_TOKEN")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	return tok, os.WriteFile(path, []byte(tok+"\n"), 0o600)
}

// Announce writes daemon.json: this process serves /ws at url.
func Announce(dataDir, url string) error {
	b, _ := json.Marshal(info{URL: url, PID: os.Getpid()})
	return os.WriteFile(filepath.Join(dataDir, InfoFile), b, 0o600)
}

// Withdraw removes daemon.json when the daemon stops.
func Withdraw(dataDir string) { os.Remove(filepath.Join(dataDir, InfoFile)) }

// Find is the /ws URL of the daemon serving dataDir; "" when none is
// announced there. The daemon may have died since: Dial says.
func Find(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, InfoFile))
	if err != nil {
		return ""
	}
	var i info
	if json.Unmarshal(b, &i) != nil {
		return ""
	}
	return i.URL
}
