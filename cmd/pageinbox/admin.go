package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/webhook"
)

// adminAPI is what only the API token's holder may do through the daemon,
// beside /ws and /export: named agents, backups, forgetting a customer.
// Named agents' tokens open /ws only.
type adminAPI struct {
	st    *store.Store
	api   *webhook.APIServer
	names *inbox.Namer // nil without a Page token: looks nothing up
	token string
	log   *slog.Logger
}

func (a *adminAPI) routes(mux *http.ServeMux) {
	mux.Handle("/agents", ownerOnly(a.token, a.agents))
	mux.Handle("/backup", ownerOnly(a.token, a.backup))
	mux.Handle("/forget", ownerOnly(a.token, a.forget))
}

// ownerOnly lets through requests bearing the API token.
func ownerOnly(token string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	})
}

// agentAdded is the answer to adding an agent: the only time the token
// is shown.
type agentAdded struct {
	store.AgentInfo
	Token string `json:"token"`
}

type agentRevoked struct {
	Name     string `json:"name"`
	Sessions int    `json:"sessions"` // open sessions cut
}

func (a *adminAPI) agents(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	switch r.Method {
	case http.MethodGet:
		list, err := a.st.Agents(r.Context())
		answer(w, list, err)
	case http.MethodPost:
		token, info, err := a.st.AddAgent(r.Context(), name)
		if err == nil {
			a.log.Info("named agent added", "agent", name)
		}
		answer(w, agentAdded{AgentInfo: info, Token: token}, err)
	case http.MethodDelete:
		err := a.st.RevokeAgent(r.Context(), name)
		n := 0
		if err == nil {
			n = a.api.CutAgent(name)
			a.log.Info("named agent revoked", "agent", name, "sessions_cut", n)
		}
		answer(w, agentRevoked{Name: name, Sessions: n}, err)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// backup streams a consistent copy of the data file.
func (a *adminAPI) backup(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	var n int64
	var err error
	if r.URL.Query().Get("compact") == "1" {
		n, err = a.compacted(r.Context(), newStreamWriter(w))
	} else {
		n, err = a.st.Backup(r.Context(), newStreamWriter(w))
	}
	if err != nil {
		a.log.Error("backup through the API failed", "err", err, "bytes", n)
		// Cut the stream: the client sees it short and keeps nothing.
		panic(http.ErrAbortHandler)
	}
	a.log.Info("backup streamed", "bytes", n)
}

// compacted writes a compacted copy into a file in the data dir, streams
// it and removes it.
func (a *adminAPI) compacted(ctx context.Context, w io.Writer) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(a.st.Path()), ".backup-compact-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := a.st.CompactTo(ctx, f.Name()); err != nil {
		return 0, err
	}
	return io.Copy(w, f)
}

// forget removes one customer (POST ?psid=&page=).
func (a *adminAPI) forget(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	page, psid := q.Get("page"), q.Get("psid")
	rep, err := a.st.Forget(r.Context(), page, psid, webhook.NewScrub(page, psid))
	if err == nil {
		if a.names != nil {
			for _, p := range rep.Pages {
				a.names.Forget(store.ConvKey{PageID: p, PSID: psid})
			}
		}
		// Not the PSID: the log must not remember whom it forgot.
		a.log.Info("forgot a customer", "conversations", rep.Conversations, "messages", rep.Messages,
			"journal_removed", rep.JournalRemoved, "journal_rewritten", rep.JournalRewritten)
	}
	answer(w, rep, err)
}

// answer writes v as JSON, or err with the status its kind calls for.
func answer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, store.ErrInvalid):
			status = http.StatusBadRequest
		case errors.Is(err, store.ErrNotFound):
			status = http.StatusNotFound
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
