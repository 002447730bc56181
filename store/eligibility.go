package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Why a campaign recipient is not sent to: the ErrorKind of their skipped
// outbox item and the Kind of their ledger entry.
const (
	SkipOutsideWindow  = "outside_window"  // the 24 h window closed less than 7 days ago
	SkipBeyond7Days    = "beyond_7_days"   // the customer last wrote more than 7 days ago
	SkipNeverWrote     = "never_wrote"     // the customer never wrote: no window ever opened
	SkipNoConversation = "no_conversation" // no such conversation on this Page
	SkipBlocked        = "blocked"         // an earlier send found them unavailable or unknown
	SkipTokenInvalid   = "token_invalid"   // the Page's token is invalid: nothing can be sent
)

// The send failures that make a conversation blocked: the ErrorKinds the
// dispatcher records for Meta's "this person isn't available right now"
// (551, 200/1545041, 10/2018108) and "no matching user found" (100/2018001).
const (
	KindUserUnavailable = "user_unavailable"
	KindNoSuchUser      = "no_such_user"
)

// blocksConversation reports whether a failure of this kind means the
// customer cannot be reached until they write again.
func blocksConversation(kind string) bool {
	return kind == KindUserUnavailable || kind == KindNoSuchUser
}

// NoTagForCampaigns says why a campaign never reaches people outside the
// 24 h window; the bulk compose form shows it beside the skipped count.
const NoTagForCampaigns = "HUMAN_AGENT is never used for a campaign: Meta allows it only for a person " +
	"answering that customer's own question, and promotional content in tagged messages gets Pages restricted"

// CampaignCheck decides whether a campaign message (UPDATE, never a tag)
// may go to the customer of c at now. When it may not, kind is one of the
// Skip kinds and reason says why in words. Both the ledger shown before a
// campaign and the dispatcher's check at send time use it.
func CampaignCheck(c Conversation, now time.Time) (ok bool, kind, reason string) {
	if c.Blocked != "" {
		return false, SkipBlocked, fmt.Sprintf("unreachable since %s: %s; they can be reached again once they write",
			c.BlockedAt.UTC().Format("2006-01-02 15:04 MST"), c.Blocked)
	}
	w := WindowAt(c.LastInboundTime, now)
	switch w.State {
	case WindowOpen:
		return true, "", fmt.Sprintf("inside the 24 h window (%s left): sent as UPDATE", FormatLeft(w.Left))
	case WindowHumanAgent:
		return false, SkipOutsideWindow, fmt.Sprintf("outside the 24 h window: it closed %s ago", FormatLeft(now.Sub(w.Expires)))
	case WindowClosed:
		return false, SkipBeyond7Days, fmt.Sprintf("beyond 7 days: the customer last wrote %s ago", FormatLeft(now.Sub(c.LastInboundTime)))
	}
	return false, SkipNeverWrote, "the customer has never written to the Page"
}

const noConversationReason = "no conversation with this customer: Messenger lets a Page write only to people who wrote first"

// LedgerEntry is one recipient in the eligibility ledger.
type LedgerEntry struct {
	ConvKey
	Name string `json:"name,omitempty"`
	// Kind is "" for a recipient who will be sent to, else one of the Skip
	// kinds.
	Kind string `json:"kind,omitempty"`
	// Via is how a recipient sent to is reached: Update (the text) or
	// Utility (the campaign's template, named in Template).
	Via      MessagingType `json:"via,omitempty"`
	Template string        `json:"template,omitempty"`
	Reason   string        `json:"reason"`
	// Left is the time left in the 24 h window (recipients sent to).
	Left        time.Duration `json:"left,omitempty"`
	LastInbound time.Time     `json:"last_inbound,omitzero"`
}

// Ledger is the honest breakdown shown before a campaign is confirmed:
// who will be sent to (inside the 24 h window, as UPDATE; outside it by
// the campaign's Utility template, see WithTemplate), who is skipped
// (outside it, beyond 7 days, never wrote) and who is blocked (an earlier
// send found them unavailable, or the Page's token is invalid), each with
// a reason. HUMAN_AGENT is never used for a campaign (NoTagForCampaigns).
type Ledger struct {
	PageID string    `json:"page_id"`
	At     time.Time `json:"at"` // the store's clock when it was drawn up
	// MessagingType is the text's, always UPDATE.
	MessagingType MessagingType `json:"messaging_type"`
	// Template is the campaign's Utility template for those outside the
	// window (WithTemplate), nil without one.
	Template *TemplateSend `json:"template,omitempty"`
	Send     []LedgerEntry `json:"send"`
	Skip     []LedgerEntry `json:"skip"`
	Blocked  []LedgerEntry `json:"blocked"`
	// TokenProblem is set by WithTokenProblem: why nothing can be sent.
	TokenProblem string `json:"token_problem,omitempty"`
}

// LedgerCounts are the sizes of a ledger's lists, and how many entries
// each kind of reason holds.
type LedgerCounts struct {
	Total int `json:"total"`
	Send  int `json:"send"`
	// Text and Template split Send by how they are reached.
	Text     int            `json:"text"`
	Template int            `json:"template"`
	Skip     int            `json:"skip"`
	Blocked  int            `json:"blocked"`
	ByKind   map[string]int `json:"by_kind"`
}

// Counts counts the ledger.
func (l Ledger) Counts() LedgerCounts {
	c := LedgerCounts{Send: len(l.Send), Skip: len(l.Skip), Blocked: len(l.Blocked), ByKind: map[string]int{}}
	c.Total = c.Send + c.Skip + c.Blocked
	for _, e := range l.Send {
		if e.Via == Utility {
			c.Template++
		} else {
			c.Text++
		}
	}
	for _, list := range [][]LedgerEntry{l.Skip, l.Blocked} {
		for _, e := range list {
			c.ByKind[e.Kind]++
		}
	}
	return c
}

// ClosingWithin counts the recipients to be sent to whose window closes
// within d: worth a warning if the campaign will take longer than that.
func (l Ledger) ClosingWithin(d time.Duration) int {
	n := 0
	for _, e := range l.Send {
		if e.Via != Utility && e.Left < d { // a template has no window to miss
			n++
		}
	}
	return n
}

// WithTokenProblem returns the ledger for a Page whose token is invalid:
// everyone who would have been sent to is blocked, for that reason. The
// caller knows the token; the store does not.
func (l Ledger) WithTokenProblem(why string) Ledger {
	if why == "" {
		return l
	}
	out := l
	out.TokenProblem = why
	out.Blocked = append(make([]LedgerEntry, 0, len(l.Blocked)+len(l.Send)), l.Blocked...)
	for _, e := range l.Send {
		e.Kind, e.Reason, e.Left, e.Via, e.Template = SkipTokenInvalid, why, 0, "", ""
		out.Blocked = append(out.Blocked, e)
	}
	out.Send = nil
	return out
}

// Recipients turns the ledger into campaign recipients: the skipped and
// blocked ones are recorded as skipped items with their reason.
func (l Ledger) Recipients() []Recipient {
	out := make([]Recipient, 0, len(l.Send)+len(l.Skip)+len(l.Blocked))
	for _, e := range l.Send {
		out = append(out, Recipient{ConvKey: e.ConvKey})
	}
	for _, list := range [][]LedgerEntry{l.Skip, l.Blocked} {
		for _, e := range list {
			out = append(out, Recipient{ConvKey: e.ConvKey, SkipReason: e.Reason, SkipKind: e.Kind})
		}
	}
	return out
}

// Eligibility draws up the ledger of a campaign to keys on pageID, by the
// store's clock, in one read. Keys listed twice count once; a key of
// another Page is refused.
func (s *Store) Eligibility(ctx context.Context, pageID string, keys []ConvKey) (Ledger, error) {
	l := Ledger{PageID: pageID, MessagingType: Update}
	if pageID == "" {
		return l, invalidf("eligibility: empty page id")
	}
	for _, k := range keys {
		if k.PageID != pageID {
			return l, invalidf("recipient %s is not on page %s", k, pageID)
		}
	}
	now := s.now()
	l.At = now
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bPages).Get([]byte(pageID)) == nil {
			return fmt.Errorf("store: eligibility: %w: %s", ErrUnknownPage, pageID)
		}
		convs := tx.Bucket(bConvs)
		seen := make(map[ConvKey]bool, len(keys))
		for i, k := range keys {
			if i%4096 == 4095 && ctx.Err() != nil {
				return ctx.Err()
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			rec := &convRecord{}
			found, err := getConv(convs, convKeyBytes(k), rec)
			if err != nil {
				return err
			}
			if !found {
				l.Skip = append(l.Skip, LedgerEntry{ConvKey: k, Kind: SkipNoConversation, Reason: noConversationReason})
				continue
			}
			e := LedgerEntry{ConvKey: k, Name: rec.Name, LastInbound: rec.LastInboundTime}
			ok, kind, reason := CampaignCheck(rec.Conversation, now)
			e.Kind, e.Reason = kind, reason
			switch {
			case ok:
				e.Left, e.Via = WindowAt(rec.LastInboundTime, now).Left, Update
				l.Send = append(l.Send, e)
			case kind == SkipBlocked:
				l.Blocked = append(l.Blocked, e)
			default:
				l.Skip = append(l.Skip, e)
			}
		}
		return nil
	})
	return l, err
}

// markBlocked records that a send found the customer unreachable.
func (w *wtx) markBlocked(key ConvKey, reason string, now time.Time) error {
	rec, old, err := w.conv(key, false)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if reason == "" {
		reason = "Meta refused an earlier send to them"
	}
	rec.Blocked, rec.BlockedAt = reason, now
	return w.saveConv(rec, old)
}
