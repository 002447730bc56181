package store

import "errors"

var (
	// ErrLocked: another process holds the file. bbolt allows one process.
	// The error Open returns names the file and the process holding it.
	ErrLocked = errors.New("store: data file in use")
	// ErrForeign: the file is not a pageinbox store, or not a bbolt file at all.
	ErrForeign = errors.New("store: not a pageinbox data file")
	// ErrTooNew: the file was written by a newer pageinbox.
	ErrTooNew = errors.New("store: data file is from a newer pageinbox; upgrade pageinbox")
	// ErrInvalid wraps every refusal of bad input.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound: no such conversation, message, item or campaign.
	ErrNotFound = errors.New("not found")
	// ErrUnknownPage: an event or send names a page the store does not serve.
	ErrUnknownPage = errors.New("unknown page")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
)

// ErrStoreFailed: a commit returned an error. The store stops writing for
// good (the failed transaction may be partly or wholly on disk, so no op
// is ever run again); reopen the file to carry on from what it holds.
var ErrStoreFailed = errors.New("store: commit failed")

// failedError is the sticky error every write gets after a failed commit.
type failedError struct{ cause error }

func (e *failedError) Error() string        { return "store: commit failed: " + e.cause.Error() }
func (e *failedError) Is(target error) bool { return target == ErrStoreFailed }
func (e *failedError) Unwrap() error        { return e.cause }
