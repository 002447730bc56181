package daemon

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
)

// method is one /ws request: its name on the wire, and the call it makes
// on the Backend of the connection's agent. Req and Resp are its params
// and result as they travel (JSON). The server dispatches by name from
// methods; the client calls each through call. A new method is one entry
// here, one in methods, and its one-line wrapper on Client.
type method[Req, Resp any] struct {
	name string
	call func(b inbox.Backend, ctx context.Context, req Req) (Resp, error)
}

// Request parameters of the methods that take more than one value. They
// are shared between methods as the protocol has always had them.
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

// none is the params of a method that takes none: null on the wire, and
// whatever a client sends is ignored.
type none struct{}

func (none) MarshalJSON() ([]byte, error) { return []byte("null"), nil }
func (*none) UnmarshalJSON([]byte) error  { return nil }

// ok is the result of a method that answers nothing: {} on the wire.
type ok struct{}

func done(err error) (ok, error) { return ok{}, err }

// The methods, by their names on the wire (docs/protocol.md).
var (
	mList      = method[store.ListQuery, store.ConversationPage]{"list", inbox.Backend.Conversations}
	mCounts    = method[none, store.Counts]{"counts", noParams(inbox.Backend.Counts)}
	mThread    = method[threadParams, store.ThreadPage]{"thread", thread}
	mPages     = method[none, []store.Page]{"pages", noParams(inbox.Backend.Pages)}
	mSend      = method[store.Send, store.OutboxItem]{"send", inbox.Backend.Send}
	mItem      = method[campaignParams, store.OutboxItem]{"outbox_item", byID(inbox.Backend.Item)}
	mResend    = method[campaignParams, store.OutboxItem]{"resend", byID(inbox.Backend.Resend)}
	mAbandon   = method[campaignParams, store.OutboxItem]{"abandon", abandon}
	mMarkRead  = method[keyParams, ok]{"mark_read", markRead}
	mSetStatus = method[keyParams, ok]{"set_status", setStatus}
	mSaveDraft = method[keyParams, ok]{"save_draft", saveDraft}
	mDraft     = method[keyParams, string]{"draft", draft}
	mPresence  = method[keyParams, ok]{"presence", presence}
	mStatus    = method[none, store.SystemStatus]{"status", noParams(inbox.Backend.Status)}

	mSelectAll         = method[store.ListQuery, []store.ConvKey]{"select_all", inbox.Backend.SelectAll}
	mEligibility       = method[[]store.ConvKey, store.Ledger]{"eligibility", inbox.Backend.Eligibility}
	mStartCampaign     = method[campaignParams, store.Campaign]{"start_campaign", startCampaign}
	mCampaign          = method[campaignParams, store.Campaign]{"campaign", byID(inbox.Backend.Campaign)}
	mCampaigns         = method[none, []store.Campaign]{"campaigns", noParams(inbox.Backend.Campaigns)}
	mCampaignItems     = method[campaignParams, []store.OutboxItem]{"campaign_items", byID(inbox.Backend.CampaignItems)}
	mSetCampaignStatus = method[campaignParams, store.Campaign]{"set_campaign_status", setCampaignStatus}
	mRetryFailed       = method[campaignParams, int]{"retry_failed", byID(inbox.Backend.RetryFailed)}
	mCampaignReplies   = method[campaignParams, int]{"campaign_replies", byID(inbox.Backend.CampaignReplies)}
)

// methods is the server's dispatch table.
var methods = index(append([]handler{mList, mCounts, mThread, mPages, mSend, mItem, mResend, mAbandon, mMarkRead,
	mSetStatus, mSaveDraft, mDraft, mPresence, mStatus, mSelectAll, mEligibility, mStartCampaign, mCampaign,
	mCampaigns, mCampaignItems, mSetCampaignStatus, mRetryFailed, mCampaignReplies, mReact, mTyping, mPageCounts}, append(teamMethods, append(uploadMethods, templateMethods...)...)...)...)

// The calls whose params are not the Backend method's own argument.

func thread(b inbox.Backend, ctx context.Context, p threadParams) (store.ThreadPage, error) {
	return b.Thread(ctx, p.Key, p.Before, p.Limit)
}

func abandon(b inbox.Backend, ctx context.Context, p campaignParams) (store.OutboxItem, error) {
	return b.Abandon(ctx, p.ID, p.Why)
}

func markRead(b inbox.Backend, ctx context.Context, p keyParams) (ok, error) {
	return done(b.MarkRead(ctx, p.Key))
}

func setStatus(b inbox.Backend, ctx context.Context, p keyParams) (ok, error) {
	return done(b.SetStatus(ctx, p.Key, p.Status))
}

func saveDraft(b inbox.Backend, ctx context.Context, p keyParams) (ok, error) {
	return done(b.SaveDraft(ctx, p.Key, p.Draft))
}

func draft(b inbox.Backend, ctx context.Context, p keyParams) (string, error) {
	return b.Draft(ctx, p.Key)
}

func presence(b inbox.Backend, ctx context.Context, p keyParams) (ok, error) {
	return done(b.Presence(ctx, p.Key, p.Typing))
}

func startCampaign(b inbox.Backend, ctx context.Context, p campaignParams) (store.Campaign, error) {
	return b.StartCampaign(ctx, p.Campaign, p.Ledger)
}

func setCampaignStatus(b inbox.Backend, ctx context.Context, p campaignParams) (store.Campaign, error) {
	return b.SetCampaignStatus(ctx, p.ID, p.Status)
}

func noParams[Resp any](f func(inbox.Backend, context.Context) (Resp, error)) func(inbox.Backend, context.Context, none) (Resp, error) {
	return func(b inbox.Backend, ctx context.Context, _ none) (Resp, error) { return f(b, ctx) }
}

func byID[Resp any](f func(inbox.Backend, context.Context, uint64) (Resp, error)) func(inbox.Backend, context.Context, campaignParams) (Resp, error) {
	return func(b inbox.Backend, ctx context.Context, p campaignParams) (Resp, error) { return f(b, ctx, p.ID) }
}

// handler is a method with its types erased, as the server's table holds
// it: params decoded, the call made, the result to be encoded.
type handler interface {
	wireName() string
	serve(ctx context.Context, b inbox.Backend, params json.RawMessage) (any, error)
}

func (m method[Req, Resp]) wireName() string { return m.name }

func (m method[Req, Resp]) serve(ctx context.Context, b inbox.Backend, params json.RawMessage) (any, error) {
	var req Req
	if len(params) > 0 {
		if err := json.Unmarshal(params, &req); err != nil {
			return nil, errors.Join(errBadRequest, err)
		}
	}
	return m.call(b, ctx, req)
}

func index(hs ...handler) map[string]handler {
	t := make(map[string]handler, len(hs))
	for _, h := range hs {
		if t[h.wireName()] != nil {
			panic("daemon: method " + h.wireName() + " twice")
		}
		t[h.wireName()] = h
	}
	return t
}

var errBadRequest = errors.New("bad request")

// dispatch runs a request on the agent's Backend.
func dispatch(ctx context.Context, b inbox.Backend, name string, params json.RawMessage) (any, error) {
	h := methods[name]
	if h == nil {
		return nil, errors.Join(errBadRequest, errors.New("unknown method "+name))
	}
	return h.serve(ctx, b, params)
}
