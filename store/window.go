package store

import (
	"fmt"
	"time"
)

// Meta's messaging windows, counted from the customer's last inbound action
// (a message, postback, reaction or referral; never our own sends).
const (
	ResponseWindow   = 24 * time.Hour     // RESPONSE and UPDATE
	HumanAgentWindow = 7 * 24 * time.Hour // MESSAGE_TAG HUMAN_AGENT
)

// retiredTags were refused by Meta (error 100) from 27 Apr 2026, or long before.
var retiredTags = map[string]string{
	"CONFIRMED_EVENT_UPDATE":       "retired by Meta on 27 Apr 2026; use a Utility Message template",
	"POST_PURCHASE_UPDATE":         "retired by Meta on 27 Apr 2026; use a Utility Message template",
	"ACCOUNT_UPDATE":               "retired by Meta on 27 Apr 2026; use a Utility Message template",
	"ISSUE_RESOLUTION":             "retired by Meta in March 2020",
	"SHIPPING_UPDATE":              "retired by Meta in March 2020",
	"RESERVATION_UPDATE":           "retired by Meta in March 2020",
	"APPOINTMENT_UPDATE":           "retired by Meta in March 2020",
	"PAYMENT_UPDATE":               "retired by Meta in March 2020",
	"BUSINESS_PRODUCTIVITY":        "retired by Meta in March 2020",
	"NON_PROMOTIONAL_SUBSCRIPTION": "retired by Meta in March 2020",
}

// WindowState is where a conversation stands against the windows.
type WindowState int

const (
	WindowNever      WindowState = iota // the customer never wrote: nothing may be sent
	WindowOpen                          // inside 24 h: RESPONSE / UPDATE
	WindowHumanAgent                    // 24 h to 7 days: only a human reply tagged HUMAN_AGENT
	WindowClosed                        // beyond 7 days: nothing may be sent
)

func (s WindowState) String() string {
	switch s {
	case WindowOpen:
		return "open"
	case WindowHumanAgent:
		return "human agent only"
	case WindowClosed:
		return "closed"
	}
	return "never opened"
}

// Window describes a conversation's window at a moment.
type Window struct {
	State WindowState
	// Left is the time left in the current state: in the 24 h window while
	// open, in the 7-day HUMAN_AGENT window while human-agent-only.
	Left time.Duration
	// Expires is when the 24 h window closes (zero if never opened).
	Expires time.Time
}

// WindowAt computes the window from the last inbound time. The 24 h window
// is open while now < last+24h: at exactly 24 h it has closed.
func WindowAt(lastInbound, now time.Time) Window {
	if lastInbound.IsZero() {
		return Window{State: WindowNever}
	}
	resp, human := lastInbound.Add(ResponseWindow), lastInbound.Add(HumanAgentWindow)
	switch {
	case now.Before(resp):
		return Window{State: WindowOpen, Left: resp.Sub(now), Expires: resp}
	case now.Before(human):
		return Window{State: WindowHumanAgent, Left: human.Sub(now), Expires: resp}
	}
	return Window{State: WindowClosed, Expires: resp}
}

// Decision is the policy's answer for one send.
type Decision struct {
	Allowed bool
	Reason  string        // why, in words a user can act on
	Left    time.Duration // time left to send this way
}

// CheckSend decides whether a message of the given type and tag may be
// sent now to a customer whose last inbound action was at lastInbound.
func CheckSend(lastInbound, now time.Time, mt MessagingType, tag string) Decision {
	w := WindowAt(lastInbound, now)
	switch mt {
	case Response, Update:
		if tag != "" {
			return Decision{Reason: fmt.Sprintf("a %s message carries no tag", mt)}
		}
		if w.State == WindowOpen {
			return Decision{Allowed: true, Left: w.Left,
				Reason: fmt.Sprintf("inside the 24 h window (%s left)", FormatLeft(w.Left))}
		}
	case MessageTag:
		if why, retired := retiredTags[tag]; retired {
			return Decision{Reason: fmt.Sprintf("tag %s is %s", tag, why)}
		}
		if tag != TagHumanAgent {
			return Decision{Reason: fmt.Sprintf("unknown message tag %q: only HUMAN_AGENT is accepted", tag)}
		}
		if w.State == WindowOpen || w.State == WindowHumanAgent {
			left := lastInbound.Add(HumanAgentWindow).Sub(now)
			return Decision{Allowed: true, Left: left,
				Reason: fmt.Sprintf("HUMAN_AGENT: a person replying within 7 days (%s left)", FormatLeft(left))}
		}
	case Utility:
		// An approved UTILITY template (checked by Enqueue) may go out
		// at any time after the customer's first message.
		if tag != "" {
			return Decision{Reason: "a UTILITY message carries no tag"}
		}
		if w.State != WindowNever {
			return Decision{Allowed: true, Reason: "an approved Utility template: allowed outside the 24 h window"}
		}
	default:
		return Decision{Reason: fmt.Sprintf("unknown messaging type %q", mt)}
	}
	switch w.State {
	case WindowNever:
		return Decision{Reason: "the customer has never written to the Page"}
	case WindowHumanAgent:
		return Decision{Reason: fmt.Sprintf("outside the 24 h window (closed %s ago); only a human reply tagged HUMAN_AGENT may be sent, for %s more",
			FormatLeft(now.Sub(w.Expires)), FormatLeft(w.Left))}
	}
	return Decision{Reason: fmt.Sprintf("outside the 7-day HUMAN_AGENT window: the customer last wrote %s ago", FormatLeft(now.Sub(lastInbound)))}
}

// FormatLeft prints a duration the way a person reads it: 23h12m, 6d4h, 45s.
func FormatLeft(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
