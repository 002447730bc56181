package daemon

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

	"github.com/pageinbox/pageinbox/store"
)

// Admin is what only the API token's holder may do through the daemon,
// beside /ws: export, named agents, backups, forgetting a customer. Named
// agents' tokens open /ws only.
type Admin struct {
	Store  *store.Store
	Server *Server // its sessions of a revoked agent are cut
	// Names forgets what it remembers of a forgotten customer; may be nil.
	Names interface{ Forget(key store.ConvKey) }
	// Scrub takes a forgotten customer out of raw webhook bodies
	// (webhook.NewScrub).
	Scrub func(pageID, psid string) store.JournalScrubber
	Token string
	Log   *slog.Logger
}

// Routes serves /export, /agents, /backup and /forget on mux.
func (a *Admin) Routes(mux *http.ServeMux) {
	mux.Handle("/export", ownerOnly(a.Token, a.export))
	mux.Handle("/agents", ownerOnly(a.Token, a.agents))
	mux.Handle("/backup", ownerOnly(a.Token, a.backup))
	mux.Handle("/forget", ownerOnly(a.Token, a.forget))
}

// export streams `pageinbox export`, however long it takes (see
// streamWriter).
func (a *Admin) export(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	q, sw := r.URL.Query(), newStreamWriter(w)
	err := a.Store.Export(r.Context(), sw, q.Get("conversations") == "1")
	if err == nil && q.Get("notes") == "1" {
		err = a.Store.ExportNotes(r.Context(), sw)
	}
	if err != nil {
		// Headers are gone; the client sees a cut stream and says so.
		panic(http.ErrAbortHandler)
	}
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

// AgentAdded is the answer to adding an agent: the only time the token
// is shown.
type AgentAdded struct {
	store.AgentInfo
	Token string `json:"token"`
}

// AgentRevoked is the answer to revoking an agent.
type AgentRevoked struct {
	Name     string `json:"name"`
	Sessions int    `json:"sessions"` // open sessions cut
}

func (a *Admin) agents(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	switch r.Method {
	case http.MethodGet:
		list, err := a.Store.Agents(r.Context())
		answer(w, list, err)
	case http.MethodPost:
		token, info, err := a.Store.AddAgent(r.Context(), name)
		if err == nil {
			a.Log.Info("named agent added", "agent", name)
		}
		answer(w, AgentAdded{AgentInfo: info, Token: token}, err)
	case http.MethodDelete:
		err := a.Store.RevokeAgent(r.Context(), name)
		n := 0
		if err == nil {
			n = a.Server.CutAgent(name)
			a.Log.Info("named agent revoked", "agent", name, "sessions_cut", n)
		}
		answer(w, AgentRevoked{Name: name, Sessions: n}, err)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// backup streams a consistent copy of the data file.
func (a *Admin) backup(w http.ResponseWriter, r *http.Request) {
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
		n, err = a.Store.Backup(r.Context(), newStreamWriter(w))
	}
	if err != nil {
		a.Log.Error("backup through the API failed", "err", err, "bytes", n)
		// Cut the stream: the client sees it short and keeps nothing.
		panic(http.ErrAbortHandler)
	}
	a.Log.Info("backup streamed", "bytes", n)
}

// compacted writes a compacted copy into a file in the data dir, streams
// it and removes it.
func (a *Admin) compacted(ctx context.Context, w io.Writer) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(a.Store.Path()), ".backup-compact-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := a.Store.CompactTo(ctx, f.Name()); err != nil {
		return 0, err
	}
	return io.Copy(w, f)
}

// forget removes one customer (POST ?psid=&page=).
func (a *Admin) forget(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	page, psid := q.Get("page"), q.Get("psid")
	rep, err := a.Store.Forget(r.Context(), page, psid, a.Scrub(page, psid))
	if err == nil {
		if a.Names != nil {
			for _, p := range rep.Pages {
				a.Names.Forget(store.ConvKey{PageID: p, PSID: psid})
			}
		}
		// Not the PSID: the log must not remember whom it forgot.
		a.Log.Info("forgot a customer", "conversations", rep.Conversations, "messages", rep.Messages,
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
