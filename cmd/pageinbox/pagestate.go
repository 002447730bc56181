package main

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
)

// expiryWarning is how far ahead an expiring Page token is warned about
// (doctor, the status bar, pages list).
const expiryWarning = 7 * 24 * time.Hour

// neededScope is a permission pageinbox asks the Page token for, and what
// goes wrong without it.
type neededScope struct{ name, why string }

// requiredScopes: without one of these something pageinbox does fails
// (docs/meta-platform.md §10, §12).
var requiredScopes = []neededScope{
	{"pages_messaging", "replies cannot be sent"},
	{"pages_manage_metadata", "the webhook subscription and labels fail"},
	{"pages_read_engagement", "sync cannot read conversations"},
	{"pages_show_list", "the Page cannot be listed or subscribed"},
}

// optionalScopes: without these one feature is off.
var optionalScopes = []neededScope{
	{"pages_utility_messaging", "Utility templates outside the 24 h window cannot be sent"},
}

// connectFields are the webhook fields `pages connect` subscribes each
// Page to: those doctor requires, and those webhook/ also reads.
var connectFields = append(slices.Clone(requiredFields),
	"message_edits", "messaging_referrals", "standby", "messaging_handovers", "inbox_labels")

// missingScopes are the needed permissions not among have.
func missingScopes(need []neededScope, have []string) []neededScope {
	var out []neededScope
	for _, n := range need {
		if !slices.Contains(have, n.name) {
			out = append(out, n)
		}
	}
	return out
}

// expiry is when the token stops being of use: the earlier of its own
// expiry and the end of the app's data access; zero: never.
func (p connectedPage) expiry() time.Time {
	switch {
	case p.Expires.IsZero():
		return p.DataAccessExpires
	case p.DataAccessExpires.IsZero() || p.Expires.Before(p.DataAccessExpires):
		return p.Expires
	}
	return p.DataAccessExpires
}

// tokenState is the token's state for people: "ok", "expires in N days"
// (within expiryWarning), "expired" or "refused" (Meta said not valid).
// warn is true for all but "ok".
func (p connectedPage) tokenState(now time.Time) (state string, warn bool) {
	exp := p.expiry()
	switch {
	case !exp.IsZero() && !now.Before(exp):
		return "expired", true
	case p.Refused:
		return "refused", true
	case exp.IsZero():
		return "ok", false
	case exp.Sub(now) <= expiryWarning:
		days := int(math.Ceil(exp.Sub(now).Hours() / 24))
		return fmt.Sprintf("expires in %d day%s", days, plural(days)), true
	}
	return "ok", false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// expiryText is the expiry for a table: a date, or "never".
func (p connectedPage) expiryText() string {
	if exp := p.expiry(); !exp.IsZero() {
		return exp.UTC().Format("2006-01-02 15:04 MST")
	}
	return "never"
}

// applyTokenInfo records what debug_token said of the Page's token.
func (p *connectedPage) applyTokenInfo(info fbgraph.TokenInfo, now time.Time) {
	p.Refused = !info.Valid
	p.Expires, p.DataAccessExpires = info.Expires, info.DataAccessExpires
	p.Scopes = slices.Clone(info.Scopes)
	p.CheckedAt = now
}

// expiryWarner is the status bar's token warning: the first Page of the
// secrets file whose token expires within expiryWarning or has expired,
// by the expiry recorded at connect (read once, here at start; never in
// the TUI's Update or View). nil when there is nothing to watch.
func expiryWarner(cfg config) func() string {
	path, err := pagesFilePath(cfg)
	if err != nil {
		return nil
	}
	pages, err := loadPages(path)
	if err != nil || len(pages) == 0 {
		return nil // a bad file stopped the command already (run)
	}
	return func() string { return pageTokenWarning(pages, time.Now()) }
}

// pageTokenWarning is "token of NAME expires in N days" for the first
// Page with a warning, "" if none.
func pageTokenWarning(pages []connectedPage, now time.Time) string {
	for _, p := range pages {
		if state, warn := p.tokenState(now); warn {
			return "token of " + p.Name + " " + state
		}
	}
	return ""
}
