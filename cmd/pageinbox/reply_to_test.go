package main

import (
	"strings"
	"testing"
	"time"
)

// send --reply-to MID answers a message of the thread (reply_to); a mid
// the thread lacks is refused before Meta is asked.
func TestSendReplyTo(t *testing.T) {
	srv, env := graphEnv(t)
	srv.InboundMessage("fresh", "m-fresh", "hi", time.Now().Add(-time.Hour)) // Meta knows the store's message
	before := len(srv.Requests())
	code, _, errOut := runCLI(t, env, "send", "--to", "fresh", "--text", "this one", "--reply-to", "m-stale")
	if code != 1 || !strings.Contains(errOut, "no such message") || len(srv.Requests()) != before {
		t.Fatalf("reply to another thread's message: exit %d, %q, %d new requests", code, errOut, len(srv.Requests())-before)
	}
	code, out, errOut := runCLI(t, env, "send", "--to", "fresh", "--text", "this one", "--reply-to", "m-fresh")
	sent := srv.SentTo("fresh")
	if code != 0 || len(sent) != 1 || sent[0].ReplyTo != "m-fresh" {
		t.Fatalf("send --reply-to: exit %d %q %q, sent %+v", code, out, errOut, sent)
	}
}
