package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// teamParams are the params of the team methods (docs/protocol.md).
type teamParams struct {
	Key      store.ConvKey    `json:"key,omitzero"`
	PageID   string           `json:"page_id,omitempty"`
	Agent    string           `json:"agent,omitempty"`
	State    store.ConvStatus `json:"state,omitempty"`
	Until    time.Time        `json:"until,omitzero"`
	Label    string           `json:"label,omitempty"`
	Add      []string         `json:"add,omitempty"`
	Remove   []string         `json:"remove,omitempty"`
	Text     string           `json:"text,omitempty"`
	Shortcut string           `json:"shortcut,omitempty"`
}

var (
	mAgents = method[teamParams, []string]{"agents", team(func(t inbox.Team, ctx context.Context, _ teamParams) ([]string, error) {
		return t.Agents(ctx)
	})}
	mAssign = method[teamParams, store.Conversation]{"assign", team(func(t inbox.Team, ctx context.Context, p teamParams) (store.Conversation, error) {
		return t.Assign(ctx, p.Key, p.Agent)
	})}
	mSetState = method[teamParams, store.Conversation]{"set_state", team(func(t inbox.Team, ctx context.Context, p teamParams) (store.Conversation, error) {
		return t.SetState(ctx, p.Key, p.State, p.Until)
	})}
	mToggleLabel = method[teamParams, store.Conversation]{"toggle_label", team(func(t inbox.Team, ctx context.Context, p teamParams) (store.Conversation, error) {
		return t.ToggleLabel(ctx, p.Key, p.Label)
	})}
	mSetLabels = method[teamParams, store.Conversation]{"set_labels", team(func(t inbox.Team, ctx context.Context, p teamParams) (store.Conversation, error) {
		return t.SetLabels(ctx, p.Key, p.Add, p.Remove)
	})}
	mLabels = method[teamParams, []store.Label]{"labels", team(func(t inbox.Team, ctx context.Context, p teamParams) ([]store.Label, error) {
		return t.Labels(ctx, p.PageID)
	})}
	mAddNote = method[teamParams, store.Note]{"add_note", team(func(t inbox.Team, ctx context.Context, p teamParams) (store.Note, error) {
		return t.AddNote(ctx, p.Key, p.Text)
	})}
	mNotes = method[teamParams, []store.Note]{"notes", team(func(t inbox.Team, ctx context.Context, p teamParams) ([]store.Note, error) {
		return t.Notes(ctx, p.Key)
	})}
	mReplies = method[teamParams, []store.SavedReply]{"replies", team(func(t inbox.Team, ctx context.Context, p teamParams) ([]store.SavedReply, error) {
		return t.Replies(ctx, p.PageID)
	})}
	mSaveReply = method[teamParams, store.SavedReply]{"save_reply", team(func(t inbox.Team, ctx context.Context, p teamParams) (store.SavedReply, error) {
		return t.SaveReply(ctx, store.SavedReply{PageID: p.PageID, Shortcut: p.Shortcut, Text: p.Text})
	})}
	mDeleteReply = method[teamParams, ok]{"delete_reply", team(func(t inbox.Team, ctx context.Context, p teamParams) (ok, error) {
		return done(t.DeleteReply(ctx, p.PageID, p.Shortcut))
	})}
	mContact = method[teamParams, inbox.Contact]{"contact", team(func(t inbox.Team, ctx context.Context, p teamParams) (inbox.Contact, error) {
		return t.Contact(ctx, p.Key)
	})}
)

// teamMethods are added to the dispatch table (methods.go).
var teamMethods = []handler{mAgents, mAssign, mSetState, mToggleLabel, mSetLabels, mLabels, mAddNote, mNotes, mReplies,
	mSaveReply, mDeleteReply, mContact}

var errNoTeam = errors.New("this inbox has no team features")

// team calls f on the connection's Backend as a Team.
func team[Resp any](f func(inbox.Team, context.Context, teamParams) (Resp, error)) func(inbox.Backend, context.Context, teamParams) (Resp, error) {
	return func(b inbox.Backend, ctx context.Context, p teamParams) (Resp, error) {
		t, ok := b.(inbox.Team)
		if !ok {
			var zero Resp
			return zero, errNoTeam
		}
		return f(t, ctx, p)
	}
}
