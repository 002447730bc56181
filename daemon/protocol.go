// Package daemon is what `pageinbox serve` offers besides Meta's webhook:
// the /ws protocol (one typed method table shared by the server and the
// client), the server attached TUIs and commands talk to, its client (an
// inbox.Backend over the wire), the owner's HTTP endpoints (export,
// backup, agents, forget), /metrics, and daemon.json discovery.
package daemon

import (
	"encoding/json"
	"errors"

	"github.com/pageinbox/pageinbox/store"
)

// ProtocolVersion is the /ws protocol spoken here. A client with another
// version is told to upgrade; docs/protocol.md describes every message.
// Version 2: message ids and cursors are opaque tokens. Version 3: a
// conversation pushed again comes as a delta (frames.go).
const ProtocolVersion = 3

// Frame is one /ws message, either way. Type says which fields are set.
type Frame struct {
	Type string `json:"type"` // hello, welcome, request, reply, error (changes are binary: frames.go)

	// hello (client) and welcome (server)
	Version int          `json:"version,omitempty"`
	Agent   *store.Agent `json:"agent,omitempty"` // who the client is, shown to other agents
	Server  string       `json:"server,omitempty"`

	// request and reply
	ID     uint64          `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *FrameError     `json:"error,omitempty"`

	// Changes (server push, in commit order) come in binary frames of
	// their own (frames.go).
}

// FrameError is a refused request or connection.
type FrameError struct {
	Code    string `json:"code"` // upgrade_required, bad_request, not_found, invalid, outside_window, failed
	Message string `json:"message"`
}

func (e *FrameError) Error() string { return e.Message }

// toFrameError is an error as it crosses the wire: the store's sentinels
// by their codes, the words as they were.
func toFrameError(err error) *FrameError {
	code := "failed"
	switch {
	case errors.Is(err, store.ErrNotFound):
		code = "not_found"
	case errors.Is(err, store.ErrOutsideWindow):
		code = "outside_window"
	case errors.Is(err, store.ErrInvalid):
		code = "invalid"
	case errors.Is(err, errBadRequest):
		code = "bad_request"
	}
	return &FrameError{Code: code, Message: err.Error()}
}

// remoteError keeps the store's sentinels across the wire, so callers can
// still test errors.Is(err, store.ErrOutsideWindow), and the daemon's
// words as they were: the same refusal reads the same attached or not.
func remoteError(e *FrameError) error {
	switch e.Code {
	case "not_found":
		return &wireError{msg: e.Message, is: store.ErrNotFound}
	case "outside_window":
		return &wireError{msg: e.Message, is: store.ErrOutsideWindow}
	case "invalid":
		return &wireError{msg: e.Message, is: store.ErrInvalid}
	}
	return e
}

// wireError is a store error that crossed the wire: its message already
// names the sentinel it wraps.
type wireError struct {
	msg string
	is  error
}

func (e *wireError) Error() string { return e.msg }
func (e *wireError) Unwrap() error { return e.is }
