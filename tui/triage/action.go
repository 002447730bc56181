package triage

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
)

// Backend is what triage asks of the inbox.
type Backend interface {
	Assign(ctx context.Context, key store.ConvKey, agent string) (store.Conversation, error)
	SetState(ctx context.Context, key store.ConvKey, st store.ConvStatus, until time.Time) (store.Conversation, error)
	SetLabels(ctx context.Context, key store.ConvKey, add, remove []string) (store.Conversation, error)
}

// Kind is what an action does.
type Kind int

const (
	Assign Kind = iota + 1
	Label
	Snooze
	State // done, or open again
)

// Action is one triage step, resolved: which agent (none: unassign), which
// label and whether it comes off, which snooze text, which state. It is
// what `.` repeats, so it holds no conversation and no clock reading.
type Action struct {
	Kind   Kind
	Agent  string           // Assign; "" unassigns
	Label  string           // Label
	Remove bool             // Label: take it off
	Spec   string           // Snooze: ParseSnooze's text, read when it runs
	State  store.ConvStatus // State
}

// String says what the action does, for the status bar.
func (a Action) String() string {
	switch a.Kind {
	case Assign:
		if a.Agent == "" {
			return "unassign"
		}
		return "assign to " + a.Agent
	case Label:
		if a.Remove {
			return "remove label " + a.Label
		}
		return "label " + a.Label
	case Snooze:
		return "snooze " + a.Spec
	case State:
		return "mark " + string(a.State)
	}
	return "nothing"
}

// ResultMsg is what an action did: the conversations as they are now,
// and what failed.
type ResultMsg struct {
	Action  Action
	Updated []store.Conversation
	Failed  int
	Err     error // the first failure
}

// Run applies a to every key in turn, in a command; now and tz read a
// snooze's text when it runs.
func Run(ctx context.Context, be Backend, a Action, keys []store.ConvKey, now func() time.Time, tz *time.Location) tea.Cmd {
	if len(keys) == 0 {
		return nil
	}
	return func() tea.Msg {
		res := ResultMsg{Action: a}
		var until time.Time
		if a.Kind == Snooze {
			var err error
			if until, err = ParseSnooze(a.Spec, now(), tz); err != nil {
				return ResultMsg{Action: a, Failed: len(keys), Err: err}
			}
		}
		for _, k := range keys {
			c, err := apply(ctx, be, a, k, until)
			if err != nil {
				res.Failed++
				res.Err = cmpOr(res.Err, fmt.Errorf("%s: %w", k.PSID, err))
				continue
			}
			res.Updated = append(res.Updated, c)
		}
		return res
	}
}

func apply(ctx context.Context, be Backend, a Action, k store.ConvKey, until time.Time) (store.Conversation, error) {
	switch a.Kind {
	case Assign:
		return be.Assign(ctx, k, a.Agent)
	case Label:
		if a.Remove {
			return be.SetLabels(ctx, k, nil, []string{a.Label})
		}
		return be.SetLabels(ctx, k, []string{a.Label}, nil)
	case Snooze:
		return be.SetState(ctx, k, store.ConvSnoozed, until)
	case State:
		return be.SetState(ctx, k, a.State, time.Time{})
	}
	return store.Conversation{}, errors.New("no such triage action")
}

func cmpOr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
