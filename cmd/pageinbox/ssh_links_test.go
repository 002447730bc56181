package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Over SSH, y puts the focused message on the agent's own clipboard: an
// OSC 52 with the text base64-encoded goes down the session. o starts no
// opener on the server (xdg-open here would leave a mark): the footer
// shows the link instead.
func TestSSHCopyAndOpenStayWithTheAgent(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "opener-ran")
	for _, name := range []string{"xdg-open", "open"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	key := newKey(t)
	f := newSSHFixture(t, sshOptions{}, authorizedLine(key, "ana@laptop"))
	link := "https://cdn.example.com/p/parcel.jpg"
	f.st.Ingest(context.Background(), []store.Event{{Kind: store.EventMessage, PageID: "P1", PSID: "u1", MID: "m2",
		Attachments: []store.Attachment{{Type: "image", URL: link}}, Time: time.Now()}})
	s := startTUI(t, f.srv.Addr(), key, "ana")
	s.waitFor(fixtureCustomer, 15*time.Second)
	for try := 0; try < 6 && !s.poll("send again", time.Second); try++ {
		s.write("\t") // list → thread (the first may be read with the colour query)
	}
	s.write("o")
	s.waitFor("open on your machine: "+link, 10*time.Second)
	s.write("[")
	s.waitFor("▶", 10*time.Second) // the focus mark: written apart, "[y" would be one key
	s.write("y")
	s.waitFor("\x1b]52;c;"+base64.StdEncoding.EncodeToString([]byte(fixtureCustomer))+"\x1b\\", 10*time.Second)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("o over SSH started the opener on the server")
	}
}
