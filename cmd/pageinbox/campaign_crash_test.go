package main

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// TestCampaignCrashAndResume builds the real binary, runs a 2,000-recipient
// campaign against the emulator (served by this test process on loopback,
// 20 ms per call), SIGKILLs it mid-campaign and resumes it: nobody gets
// two messages, everyone gets one except the sends the crash left unknown
// (at most the dispatcher's concurrency), which are not resent. Skipped
// with -short.
func TestCampaignCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and sends 2,000 messages")
	}
	const (
		n           = 2000
		concurrency = 8
		text        = "Our summer sale starts now"
	)
	bin := e2eBinary(t)
	srv, envMap, dir := campaignEnv(t, map[string]group{"c": {n, time.Hour}})
	srv.SetLatency(20 * time.Millisecond)
	var env []string
	for k, v := range envMap {
		env = append(env, k+"="+v)
	}

	cmd := exec.Command(bin, "campaign", "--title", "Summer", "--text", text, "--all",
		"--rate", "300", "--concurrency", strconv.Itoa(concurrency))
	cmd.Env = env
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
wait:
	for len(srv.Sent()) < 400 {
		select {
		case err := <-exited:
			t.Fatalf("the campaign ended before the kill: %v\nstdout %q\nstderr:\n%s", err, stdout.String(), stderr.String())
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatalf("only %d sent after 2 minutes\nstderr:\n%s", len(srv.Sent()), stderr.String())
		case <-time.After(2 * time.Millisecond):
			continue wait
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	time.Sleep(200 * time.Millisecond) // let calls the dead process left mid-way settle
	atKill := len(srv.Sent())
	if atKill >= n {
		t.Fatalf("the campaign finished (%d sent) before the kill", atKill)
	}
	m := regexp.MustCompile(`campaign (\d+) created`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no campaign id in stderr:\n%s", stderr.String())
	}
	id, _ := strconv.ParseUint(m[1], 10, 64)

	// What the crash left: reopening turns sends in flight into unknown.
	unknown := map[string]int{} // psid -> messages Meta has for it
	withStore(t, dir, func(st *store.Store) {
		c, err := st.Campaign(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != store.CampaignInterrupted || c.Counts.Sending != 0 {
			t.Errorf("after the crash: %s %+v", c.Status, c.Counts)
		}
		items, err := st.CampaignItems(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			got := len(srv.SentTo(it.PSID))
			switch it.State {
			case store.OutboxUnknown:
				unknown[it.PSID] = got
			case store.OutboxSent:
				if got != 1 {
					t.Errorf("%s is recorded sent but has %d messages", it.PSID, got)
				}
			case store.OutboxQueued:
				if got != 0 {
					t.Errorf("%s is still queued but has %d messages", it.PSID, got)
				}
			default:
				t.Errorf("%s: %s %s %s", it.PSID, it.State, it.ErrorKind, it.Reason)
			}
		}
	})
	if len(unknown) > concurrency {
		t.Errorf("%d sends left unknown, more than the %d the dispatcher may have in flight", len(unknown), concurrency)
	}
	t.Logf("killed after %d of %d sends; %d left unknown", atKill, n, len(unknown))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	resume := exec.CommandContext(ctx, bin, "campaign", "--resume", m[1], "--rate", "300")
	resume.Env = env
	rout, rerr := &syncBuffer{}, &syncBuffer{}
	resume.Stdout, resume.Stderr = rout, rerr
	if err := resume.Run(); err != nil {
		t.Fatalf("resume: %v\nstdout %q\nstderr:\n%s", err, rout.String(), rerr.String())
	}
	want := "sent " + strconv.Itoa(n-len(unknown)) + ", failed 0, skipped 0\n"
	if rout.String() != want {
		t.Errorf("resume printed %q, want %q", rout.String(), want)
	}

	for i := 0; i < n; i++ {
		psid := "c" + leftPad(i)
		got := len(srv.SentTo(psid))
		if before, ok := unknown[psid]; ok {
			if got != before {
				t.Errorf("%s was left unknown by the crash and was resent: %d -> %d messages", psid, before, got)
			}
			continue
		}
		if got != 1 {
			t.Errorf("%s got %d messages, want 1", psid, got)
		}
	}
	for _, s := range srv.Sent() {
		if s.Text != text || s.MessagingType != "UPDATE" {
			t.Fatalf("unexpected send %+v", s)
		}
	}
	withStore(t, dir, func(st *store.Store) {
		c, _ := st.Campaign(context.Background(), id)
		if c.Status != store.CampaignDone || c.Counts.Sent+c.Counts.Unknown != n || c.Counts.Unknown != len(unknown) {
			t.Errorf("final: %s %+v", c.Status, c.Counts)
		}
	})
}

func leftPad(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
