// Package fbgraph talks to Meta's Graph API: the Send API, sender actions,
// user profiles, conversation backfill and the page itself. Errors come
// back typed, so callers decide by class, not by parsing messages; the
// outbox dispatcher lives here too.
package fbgraph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Class is what a Graph API error means for the caller.
type Class int

const (
	ClassUnknown            Class = iota // unknown 4xx: not retried, logged with fbtrace_id
	ClassOutsideWindow                   // 10/2018278 (and kin): the messaging window is closed
	ClassUserUnavailable                 // 551, 200/1545041, 10/2018108: the person can't be messaged
	ClassNoSuchUser                      // 100/2018001: no matching user (bad PSID or wrong Page token)
	ClassTagRetired                      // 100 for a retired message tag
	ClassRateLimited                     // 4, 17, 32, 341, 613, 80xxx: back off and retry
	ClassTokenInvalid                    // 190 and subcodes: get a new Page token
	ClassPermission                      // 10, 200–299, 230, 368, 10/1893063: not allowed, don't retry
	ClassTransient                       // 1, 2, 1200, 5xx, timeouts, connection resets: retry
	ClassInvalid                         // other 100s: a parameter Meta refused
	ClassContactTerms                    // 2/2018344: Page Contact Terms not accepted (labels); never retried
	ClassUtilityUnavailable              // a permission refusal of a template call: no pages_utility_messaging or market; never retried
)

func (c Class) String() string {
	switch c {
	case ClassOutsideWindow:
		return "outside_window"
	case ClassUserUnavailable:
		return "user_unavailable"
	case ClassNoSuchUser:
		return "no_such_user"
	case ClassTagRetired:
		return "tag_retired"
	case ClassRateLimited:
		return "rate_limited"
	case ClassTokenInvalid:
		return "token_invalid"
	case ClassPermission:
		return "permission"
	case ClassTransient:
		return "transient"
	case ClassInvalid:
		return "invalid"
	case ClassContactTerms:
		return "contact_terms"
	case ClassUtilityUnavailable:
		return "utility_unavailable"
	}
	return "unknown"
}

// Retryable reports whether trying again later can succeed.
func (c Class) Retryable() bool { return c == ClassRateLimited || c == ClassTransient }

// Sentinels to test a class with errors.Is(err, fbgraph.ErrOutsideWindow).
var (
	ErrOutsideWindow      = &classErr{ClassOutsideWindow}
	ErrUserUnavailable    = &classErr{ClassUserUnavailable}
	ErrNoSuchUser         = &classErr{ClassNoSuchUser}
	ErrTagRetired         = &classErr{ClassTagRetired}
	ErrRateLimited        = &classErr{ClassRateLimited}
	ErrTokenInvalid       = &classErr{ClassTokenInvalid}
	ErrPermission         = &classErr{ClassPermission}
	ErrTransient          = &classErr{ClassTransient}
	ErrInvalid            = &classErr{ClassInvalid}
	ErrUnknown            = &classErr{ClassUnknown}
	ErrContactTerms       = &classErr{ClassContactTerms}
	ErrUtilityUnavailable = &classErr{ClassUtilityUnavailable}
)

type classErr struct{ class Class }

func (e *classErr) Error() string { return "graph: " + e.class.String() }

// Error is a Graph API error: Meta's envelope, or a transport failure.
// Its text never contains the access token or the request URL.
type Error struct {
	Class       Class
	HTTPStatus  int    // 0 for transport errors
	Code        int    // Meta's error.code
	Subcode     int    // error.error_subcode
	Type        string // error.type, e.g. OAuthException
	Message     string // error.message
	UserTitle   string // error.error_user_title
	UserMsg     string // error.error_user_msg
	FBTraceID   string // error.fbtrace_id: quote it to Meta's support
	IsTransient bool   // error.is_transient
	// RetryAfter is the delay Meta suggests (rate limits), zero if none.
	RetryAfter time.Duration
	Op         string // what we were doing: "send", "profile", ...
	// Link is a page where a person can fix the cause: for
	// ClassContactTerms, where a Page admin accepts the terms.
	Link string
	Err  error // the transport error, if any
	// MaybeSent: the answer does not prove Meta refused the request: the
	// connection failed after it left (a timeout, a reset), an edge
	// answered 5xx without Meta's error envelope, or a 2xx could not be
	// read. A send is then never retried: the Send API has no idempotency
	// key, and a retry could message twice.
	MaybeSent bool
}

// Ambiguity says in words why a MaybeSent answer leaves the send's fate
// open.
func (e *Error) Ambiguity() string {
	var to interface{ Timeout() bool }
	switch {
	case e.HTTPStatus >= 500:
		return fmt.Sprintf("HTTP %d without Meta's error: Meta may have accepted it", e.HTTPStatus)
	case e.HTTPStatus/100 == 2:
		return "Meta accepted the call but its answer could not be read"
	case errors.As(e.Err, &to) && to.Timeout():
		return "no answer from Meta in time"
	case errors.Is(e.Err, context.Canceled):
		return "stopped while Meta had the request"
	}
	return "the connection failed after the request left"
}

func (e *Error) Error() string {
	if e.Code == 0 && e.Err != nil {
		return fmt.Sprintf("graph %s: %s: %v", e.Op, e.Class, e.Err)
	}
	s := fmt.Sprintf("graph %s: %s (code %d", e.Op, e.Class, e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf("/%d", e.Subcode)
	}
	s += ")"
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.FBTraceID != "" {
		s += " [fbtrace_id " + e.FBTraceID + "]"
	}
	return s
}

func (e *Error) Unwrap() []error {
	errs := []error{&classErr{e.Class}}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Is matches the class sentinels.
func (e *classErr) Is(target error) bool {
	t, ok := target.(*classErr)
	return ok && t.class == e.class
}

// Reason is a sentence a person can act on, for the thread and campaign
// views.
func (e *Error) Reason() string {
	switch e.Class {
	case ClassOutsideWindow:
		return "outside the 24 h window: the customer must write first (or a person may reply with HUMAN_AGENT within 7 days)"
	case ClassUserUnavailable:
		return "this person isn't available right now (blocked the Page, deactivated, or turned off messages)"
	case ClassNoSuchUser:
		return "no matching user: the PSID does not belong to this Page"
	case ClassTagRetired:
		return "Meta no longer accepts this message tag"
	case ClassRateLimited:
		return "rate limited by Meta; retries exhausted"
	case ClassTokenInvalid:
		return "the Page access token is invalid or expired: get a new one and set PAGE_ACCESS_TOKEN"
	case ClassPermission:
		if e.Message != "" {
			return "not permitted: " + e.Message
		}
		return "not permitted by Meta"
	case ClassTransient:
		return "Meta or the network failed temporarily; retries exhausted"
	case ClassContactTerms:
		return contactTermsReason(e.Link)
	case ClassUtilityUnavailable:
		if e.Message != "" {
			return UtilityUnavailableReason + " (Meta: " + e.Message + ")"
		}
		return UtilityUnavailableReason
	}
	if e.Message != "" {
		return e.Message
	}
	return e.Class.String()
}

// ClassOf is the class of any error from this package (ClassUnknown for
// others).
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ClassUnknown
}

// retiredTagCodes: Meta answers 100 to a retired tag; we recognise it by
// the tag we sent.

// classify maps Meta's code and subcode to a class.
func classify(httpStatus, code, subcode int, transient bool, tagSent string) Class {
	switch {
	case code == 10 && (subcode == 2018278 || subcode == 2534022 || subcode == 2018065):
		return ClassOutsideWindow
	case code == 551, code == 200 && subcode == 1545041, code == 10 && subcode == 2018108:
		return ClassUserUnavailable
	case code == 100 && subcode == 2018001:
		return ClassNoSuchUser
	case code == 100 && tagSent != "" && tagSent != "HUMAN_AGENT":
		return ClassTagRetired
	case code == 2 && subcode == subcodeContactTerms:
		return ClassContactTerms // before code 2 below: retrying cannot help
	case code == 4 && subcode == 2018354, code == 9:
		return ClassPermission // marketing-message limits: skip, don't retry
	case code == 4, code == 17, code == 32, code == 341, code == 613, code >= 80000 && code < 81000:
		return ClassRateLimited
	case code == 190:
		return ClassTokenInvalid
	case code == 10, code >= 200 && code <= 299, code == 230, code == 368, code == 2022:
		return ClassPermission
	case code == 1, code == 2, code == 1200, transient:
		return ClassTransient
	case code == 100:
		return ClassInvalid
	case httpStatus >= 500:
		return ClassTransient
	}
	return ClassUnknown
}

// beforeSending reports whether a transport error certainly happened
// before the request left: the connection was never made.
func beforeSending(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// transportClass: the network failing (timeouts, resets) is transient,
// unless the caller gave up, which must not be retried.
func transportClass(ctx context.Context) Class {
	if ctx.Err() != nil {
		return ClassUnknown
	}
	return ClassTransient
}

// redactErr drops the URL from a *url.Error: it may carry query
// parameters (appsecret_proof), and callers print errors.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
