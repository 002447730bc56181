// Package tui is pageinbox's terminal interface: a live conversation
// list, the open thread, a compose pane and a status bar, in Bubble Tea.
// It talks to a Backend, never to the store's file: the same models run
// in-process, attached to a daemon, or served over SSH.
package tui

import "github.com/pageinbox/pageinbox/inbox"

// Backend is everything the TUI asks of the rest of pageinbox: the inbox
// service, acting for the session's agent.
type Backend = inbox.Backend
