package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// daemonToken is the token commands show the daemon: PAGEINBOX_API_TOKEN,
// or the data dir's API token.
func daemonToken(cfg config) (string, error) {
	if token := cfg.APIToken.Reveal(); token != "" {
		return token, nil
	}
	return apiToken(cfg.DataDir, false)
}

// daemonHTTP sends one request to the HTTP side of the daemon's API (the
// address of its /ws) with the API token. A daemon that cannot be reached
// is errUnreachable; a refusal comes back as an error in the daemon's
// words, and a 2xx as the response, whose body the caller closes.
func daemonHTTP(ctx context.Context, cfg config, wsURL, method, path string, q url.Values) (*http.Response, error) {
	token, err := daemonToken(cfg)
	if err != nil {
		return nil, err
	}
	u := strings.Replace(strings.TrimSuffix(wsURL, "/ws"), "ws", "http", 1) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnreachable, err)
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
	refusal := &daemonError{msg: words}
	switch resp.StatusCode {
	case http.StatusBadRequest:
		refusal.is = store.ErrInvalid
	case http.StatusNotFound:
		refusal.is = store.ErrNotFound
	}
	return nil, refusal
}

// daemonError is the daemon's refusal, worded as the store words it (the
// same refusal reads the same with or without a daemon) and still
// matching the store's sentinel.
type daemonError struct {
	msg string
	is  error
}

func (e *daemonError) Error() string { return e.msg }
func (e *daemonError) Unwrap() error { return e.is }

// throughDaemon runs a command through the daemon when one serves the
// data dir (remote), or on the file when none does (local). A daemon.json
// left by a dead daemon does not stand in the way; --server does not fall
// back.
func throughDaemon(ctx context.Context, cfg config, owner string,
	remote func(wsURL string) error, local func(st *store.Store) error) error {
	if wsURL := daemonURL(cfg); wsURL != "" {
		err := remote(wsURL)
		if err == nil || cfg.Server != "" || !errors.Is(err, errUnreachable) {
			return err
		}
	}
	st, err := openStore(cfg, owner, time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	return local(st)
}
