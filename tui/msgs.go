package tui

import (
	"time"

	"github.com/pageinbox/pageinbox/store"
)

type (
	nowFunc = func() time.Time
	nowTime = time.Time
)

// Messages from commands back to the models. Results of loads carry the
// seq of the request, so an answer to an older request is dropped.
type (
	changesMsg []store.Change
	feedEndMsg struct{ err error }
	editedMsg  struct {
		key  store.ConvKey
		text string
		err  error
	}
	draftSavedMsg struct{}
	clearErrMsg   struct{ at time.Time }
)
