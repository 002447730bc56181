package webhook

import (
	"encoding/json"

	"github.com/pageinbox/pageinbox/store"
)

// ProtocolVersion is the /ws protocol spoken here. A client with another
// version is told to upgrade; docs/protocol.md describes every message.
// Version 2: message ids and cursors are opaque tokens.
const ProtocolVersion = 2

// Frame is one /ws message, either way. Type says which fields are set.
type Frame struct {
	Type string `json:"type"` // hello, welcome, request, reply, changes, error

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

	// changes (server push), in commit order
	Changes []store.Change `json:"changes,omitempty"`
}

// FrameError is a refused request or connection.
type FrameError struct {
	Code    string `json:"code"` // upgrade_required, bad_request, not_found, invalid, outside_window, failed
	Message string `json:"message"`
}

func (e *FrameError) Error() string { return e.Message }

// Request parameters of the methods that take more than one value.
type (
	threadParams struct {
		Key    store.ConvKey `json:"key"`
		Before store.Cursor  `json:"before,omitempty"`
		Limit  int           `json:"limit,omitempty"`
	}
	campaignParams struct {
		ID       uint64               `json:"id,omitempty"`
		Status   store.CampaignStatus `json:"status,omitempty"`
		Campaign store.Campaign       `json:"campaign,omitzero"`
		Ledger   store.Ledger         `json:"ledger,omitzero"`
		Why      string               `json:"why,omitempty"` // abandon
	}
	keyParams struct {
		Key    store.ConvKey    `json:"key"`
		Status store.ConvStatus `json:"status,omitempty"`
		Draft  string           `json:"draft,omitempty"`
		Typing bool             `json:"typing,omitempty"`
	}
)
