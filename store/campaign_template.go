package store

import (
	"context"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A campaign that names a Utility template reaches each recipient one
// way: inside the 24 h window its text goes as UPDATE; outside it (after
// the customer's first message) the template goes as UTILITY; a
// recipient neither allows (never wrote, unreachable) is skipped.
// HUMAN_AGENT is still never used (NoTagForCampaigns).

// CampaignRoute decides how a campaign reaches the customer of c at now:
// via is Update (text), Utility (the template, only when withTemplate) or
// "" (skipped: kind is one of the Skip kinds). reason says why in words.
func CampaignRoute(c Conversation, now time.Time, withTemplate bool) (via MessagingType, kind, reason string) {
	ok, kind, reason := CampaignCheck(c, now)
	switch {
	case ok:
		return Update, "", reason
	case withTemplate && templateReaches(kind):
		return Utility, "", reason + ": sent as the Utility template (UTILITY)"
	}
	return "", kind, reason
}

// SkipTemplateParam: the template would go with an empty parameter (its
// value is {first_name} and the customer's name is unknown); Meta refuses
// those, so the recipient is skipped rather than failed.
const SkipTemplateParam = "template_param_empty"

// templateReaches: the skip kinds a Utility template reaches anyway.
func templateReaches(kind string) bool { return kind == SkipOutsideWindow || kind == SkipBeyond7Days }

// CampaignItemCheck is the dispatcher's check at send time of a campaign
// item queued as via (its MessagingType). A text item whose window closed
// meanwhile is not sent (never turned into a template on its own); a
// template item goes while the customer is reachable at all.
func CampaignItemCheck(c Conversation, now time.Time, via MessagingType) (ok bool, kind, reason string) {
	if via != Utility {
		return CampaignCheck(c, now)
	}
	v, kind, reason := CampaignRoute(c, now, true)
	return v != "", kind, reason
}

// Action is the ledger row's verdict: "send text", "send template NAME"
// or "skip: why".
func (e LedgerEntry) Action() string {
	switch {
	case e.Via == Utility:
		return "send template " + e.Template
	case e.Via != "":
		return "send text"
	}
	return "skip: " + e.Reason
}

// WithTemplate returns the ledger of the same campaign naming template
// ts: the recipients skipped only for being outside the 24 h window (or
// beyond 7 days) move to Send, by the template (Via Utility). Under a
// TokenProblem they are blocked like everyone else. Whether ts may be
// sent at all is CheckTemplate's (and CreateCampaign's) to say.
func (l Ledger) WithTemplate(ts *TemplateSend) Ledger {
	if ts == nil {
		return l
	}
	out := l
	out.Template = ts
	out.Send = append([]LedgerEntry(nil), l.Send...)
	out.Blocked = append([]LedgerEntry(nil), l.Blocked...)
	out.Skip = nil
	for _, e := range l.Skip {
		switch {
		case !templateReaches(e.Kind):
			out.Skip = append(out.Skip, e)
		case l.TokenProblem != "":
			e.Kind, e.Reason = SkipTokenInvalid, l.TokenProblem
			out.Blocked = append(out.Blocked, e)
		case ts.emptyParam(e.Name) != "":
			e.Kind, e.Reason = SkipTemplateParam, emptyParamReason(ts, e.Name)
			out.Skip = append(out.Skip, e)
		default:
			e.Via, e.Template, e.Kind, e.Reason = Utility, ts.Name, "", e.Reason+": sent as the Utility template "+ts.Name+" (UTILITY)"
			out.Send = append(out.Send, e)
		}
	}
	return out
}

// EligibilityWithTemplate is Eligibility for a campaign naming template
// ts (nil: none), which must be sendable (CheckTemplate).
func (s *Store) EligibilityWithTemplate(ctx context.Context, pageID string, keys []ConvKey, ts *TemplateSend) (Ledger, error) {
	if ts != nil {
		if _, err := s.CheckTemplate(ctx, pageID, ts); err != nil {
			return Ledger{PageID: pageID, MessagingType: Update}, err
		}
	}
	l, err := s.Eligibility(ctx, pageID, keys)
	return l.WithTemplate(ts), err
}

// CheckTemplate says whether ts may be sent on pageID, the check every
// template send gets: a stored, APPROVED, UTILITY template (never
// marketing) with exactly its parameters. It returns the filled body.
func (s *Store) CheckTemplate(ctx context.Context, pageID string, ts *TemplateSend) (string, error) {
	if ts == nil {
		return "", invalidf("no template given")
	}
	var body string
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		body, err = checkTemplateIn(tx.Bucket(bTemplates), pageID, ts)
		return err
	})
	return body, err
}

// forRecipient is ts with {first_name} in its values the customer's own
// (FillFirstName, as saved replies do).
func (ts *TemplateSend) forRecipient(customerName string) *TemplateSend {
	out := &TemplateSend{Name: ts.Name, Lang: ts.Lang}
	if len(ts.Params) > 0 {
		out.Params = make(map[string]string, len(ts.Params))
		for k, v := range ts.Params {
			out.Params[k] = FillFirstName(v, customerName)
		}
	}
	return out
}

// emptyParam names the first parameter (by name) of ts that is empty for
// a customer called customerName, "" when none is.
func (ts *TemplateSend) emptyParam(customerName string) string {
	filled := ts.forRecipient(customerName).Params
	names := make([]string, 0, len(filled))
	for k := range filled {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if strings.TrimSpace(filled[k]) == "" {
			return k
		}
	}
	return ""
}

func emptyParamReason(ts *TemplateSend, customerName string) string {
	return "template " + ts.Name + "'s parameter " + ts.emptyParam(customerName) +
		" would be empty ({first_name} of a customer whose name is unknown, or no value): Meta refuses that"
}
