package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pageinbox/pageinbox/store"
)

// ErrUnreachable: no daemon answered at the address (a daemon.json left by
// one that died, or one not started yet).
var ErrUnreachable = errors.New("daemon unreachable")

// AdminClient calls the owner's HTTP endpoints of a daemon (Admin) with
// the API token: what the commands export, backup, agents and forget do
// while a daemon holds the data file.
type AdminClient struct {
	URL   string // the daemon's /ws URL; the endpoints are beside it
	Token string
}

// Export streams the export into w.
func (a AdminClient) Export(ctx context.Context, w io.Writer, conversations bool) error {
	q := url.Values{}
	if conversations {
		q.Set("conversations", "1")
	}
	return a.export(ctx, w, q)
}

// ExportWithNotes streams the message export followed by the private
// notes (export --notes).
func (a AdminClient) ExportWithNotes(ctx context.Context, w io.Writer) error {
	return a.export(ctx, w, url.Values{"notes": {"1"}})
}

func (a AdminClient) export(ctx context.Context, w io.Writer, q url.Values) error {
	resp, err := a.do(ctx, http.MethodGet, "/export", q)
	if err != nil {
		if !errors.Is(err, ErrUnreachable) {
			err = fmt.Errorf("export through the daemon: %w", err)
		}
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("export through the daemon was cut short: %w", err)
	}
	return nil
}

// Backup streams a consistent copy of the data file into w.
func (a AdminClient) Backup(ctx context.Context, w io.Writer, compact bool) error {
	var q url.Values
	if compact {
		q = url.Values{"compact": {"1"}}
	}
	resp, err := a.do(ctx, http.MethodGet, "/backup", q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// A copy may already have begun to arrive: a failure now is not one
	// to retry on the file, which the daemon still holds.
	if n, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("backup through the daemon was cut short after %d bytes: %v", n, err)
	}
	return nil
}

// Forget removes one customer (every Page when page is "").
func (a AdminClient) Forget(ctx context.Context, page, psid string) (store.ForgetReport, error) {
	var rep store.ForgetReport
	resp, err := a.do(ctx, http.MethodPost, "/forget", url.Values{"page": {page}, "psid": {psid}})
	if err != nil {
		return rep, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return rep, fmt.Errorf("forget through the daemon: the answer was cut (%v); run it again: forgetting twice is harmless", err)
	}
	return rep, nil
}

// Agents lists the named agents.
func (a AdminClient) Agents(ctx context.Context) ([]store.AgentInfo, error) {
	var list []store.AgentInfo
	return list, a.decode(ctx, http.MethodGet, "", "agents", &list)
}

// AddAgent adds a named agent; the answer holds their token, shown once.
func (a AdminClient) AddAgent(ctx context.Context, name string) (AgentAdded, error) {
	var added AgentAdded
	return added, a.decode(ctx, http.MethodPost, name, "agents add", &added)
}

// RevokeAgent revokes a named agent and cuts their open sessions.
func (a AdminClient) RevokeAgent(ctx context.Context, name string) (AgentRevoked, error) {
	var r AgentRevoked
	return r, a.decode(ctx, http.MethodDelete, name, "agents revoke", &r)
}

// decode calls /agents and decodes its JSON answer into v.
func (a AdminClient) decode(ctx context.Context, method, name, what string, v any) error {
	q := url.Values{}
	if name != "" {
		q.Set("name", name)
	}
	resp, err := a.do(ctx, method, "/agents", q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s through the daemon: %w", what, err)
	}
	return nil
}

// do sends one request to the HTTP side of the daemon's API (the address
// of its /ws) with the API token. A daemon that cannot be reached is
// ErrUnreachable; a refusal comes back as an error in the daemon's words,
// and a 2xx as the response, whose body the caller closes.
func (a AdminClient) do(ctx context.Context, method, path string, q url.Values) (*http.Response, error) {
	u := strings.Replace(strings.TrimSuffix(a.URL, "/ws"), "ws", "http", 1) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	words := strings.TrimSpace(string(msg))
	if words == "" {
		words = resp.Status
	}
	refusal := &refusal{msg: words}
	switch resp.StatusCode {
	case http.StatusBadRequest:
		refusal.is = store.ErrInvalid
	case http.StatusNotFound:
		refusal.is = store.ErrNotFound
	}
	return nil, refusal
}

// refusal is the daemon's refusal, worded as the store words it (the same
// refusal reads the same with or without a daemon) and still matching the
// store's sentinel.
type refusal struct {
	msg string
	is  error
}

func (e *refusal) Error() string { return e.msg }
func (e *refusal) Unwrap() error { return e.is }
